using BlueGreen.Core.Slots;
using BlueGreen.Core.Status;

namespace BlueGreen.Core.Tests.Status;

/// <summary>The one rule behind status's exit code and the cockpit's marked rows: each case, its exact reasons.</summary>
public sealed class SiteAttentionTests
{
    private static readonly RouterView ServesA = RouterView.Serving(Slot.A, "weights: shop-a=1, shop-b=0");
    private static readonly RouterView ServesB = RouterView.Serving(Slot.B, "weights: shop-a=0, shop-b=1");
    private static readonly RouterView NotChecked = RouterView.NotChecked("ROUTER_API is empty");
    private static readonly RouterView Refused = RouterView.Unreachable("http://127.0.0.1:8081/api/http/routers/shop@file: Connection refused");
    private static readonly RouterView NoRouter = new(RouterFinding.NoRouter, null, "404");
    private static readonly RouterView Split = new(RouterFinding.NoLiveSlot, null, "weights: shop-a=1, shop-b=1");
    private static readonly RouterView Disabled = new(RouterFinding.Disabled, null, "middleware \"x@file\" does not exist");

    /// <summary>Live on a, up, the router agrees, nothing else: what every case below changes one thing of.</summary>
    private static readonly SiteFacts Good = new([], null, Slot.A, "up", ServesA, null, null, false);

    public static TheoryData<string, SiteFacts, string[]> Cases => new()
    {
        { "all good", Good, [] },
        { "nothing probed", Good with { LiveHealth = null, Router = NotChecked }, [] },
        { "never switched, router has no router yet", Good with { StateLive = null, LiveHealth = null, Router = NoRouter }, [] },
        { "never switched, service not weighted to one slot", Good with { StateLive = null, LiveHealth = null, Router = Split }, [] },
        { "live slot down", Good with { LiveHealth = "down (connection refused)" }, ["the live slot is down (connection refused)"] },
        { "live slot not probed by the deadline", Good with { LiveHealth = "unknown (no answer within STATUS_DEADLINE, 3s)" }, ["the live slot's health is unknown (no answer within STATUS_DEADLINE, 3s)"] },
        { "router stopped", Good with { Router = Refused }, ["the router's API is unreachable (http://127.0.0.1:8081/api/http/routers/shop@file: Connection refused)"] },
        { "router stopped before the first switch", Good with { StateLive = null, LiveHealth = null, Router = Refused }, ["the router's API is unreachable (http://127.0.0.1:8081/api/http/routers/shop@file: Connection refused)"] },
        { "router serves the other slot", Good with { Router = ServesB }, ["the router serves slot b, the state says slot a"] },
        { "router serves a slot the state never switched to", Good with { StateLive = null, LiveHealth = null }, ["the router serves slot a, the state says no slot is live"] },
        { "router lost the site", Good with { Router = NoRouter }, ["the router does not serve the site (404)"] },
        { "router splits the traffic", Good with { Router = Split }, ["the router does not send all traffic to one slot (weights: shop-a=1, shop-b=1)"] },
        { "router disabled the site", Good with { Router = Disabled }, ["the router has disabled the site's router (middleware \"x@file\" does not exist)"] },
        { "drift", Good with { Drift = "the routing file sends users to slot b but the state says slot a is live" }, ["drift: the routing file sends users to slot b but the state says slot a is live"] },
        { "interrupted", Good with { Interrupted = "apply shop was interrupted" }, ["interrupted: apply shop was interrupted"] },
        { "failed validation", Good with { ValidationFailed = true }, ["the candidate's validation failed"] },
        { "config error keeps the rest", Good with { ConfigErrors = ["shop.conf:4: unknown key HEALTH_PAHT"], LiveHealth = null }, ["configuration: shop.conf:4: unknown key HEALTH_PAHT"] },
        { "unreadable state: no comparison with nothing", Good with { StateError = "var/state/shop.json: empty file", StateLive = null, LiveHealth = null }, ["state: var/state/shop.json: empty file"] },
        {
            "several at once, in a fixed order",
            Good with { ConfigErrors = ["shop.conf:4: unknown key X"], LiveHealth = "down (HTTP 500)", Router = Refused, Drift = "d", Interrupted = "i", ValidationFailed = true },
            [
                "configuration: shop.conf:4: unknown key X", "the live slot is down (HTTP 500)",
                "the router's API is unreachable (http://127.0.0.1:8081/api/http/routers/shop@file: Connection refused)",
                "drift: d", "interrupted: i", "the candidate's validation failed",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reasons_are_exactly_what_needs_an_operator(string name, SiteFacts facts, string[] expected)
    {
        Assert.True(expected.SequenceEqual(SiteAttention.Reasons(facts)), $"{name}: got [{string.Join(" | ", SiteAttention.Reasons(facts))}]");
    }
}
