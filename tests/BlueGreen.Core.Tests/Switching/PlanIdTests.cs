using System.Security.Cryptography;
using System.Text;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Core.Switching;

namespace BlueGreen.Core.Tests.Switching;

public sealed class PlanIdTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static SiteConfig Site(string rule = "Host(`shop.example.com`)") => new()
    {
        Name = "shop",
        Rule = rule,
        SlotAUrl = new Uri("http://127.0.0.1:7001/"),
        SlotBUrl = new Uri("http://127.0.0.1:7002/"),
    };

    private static SiteState Ready(string deploymentId) => new()
    {
        Site = "shop",
        SlotA = SlotLife.Deployed(new Deployment(deploymentId, "v1", Now, "ops@host")),
        Validation = new ValidationSummary(deploymentId, true, Now, null, null, "r.json"),
    };

    private static PlanId PlanOf(SiteConfig site, SiteState state) =>
        PlanId.Of(site, state, Assert.IsType<SwitchDecision.Allowed>(SwitchPolicy.DecideApply(state, Now, TimeSpan.FromHours(1))).Plan);

    [Fact]
    public void The_id_is_the_deployment_made_live_and_the_hash_of_the_routing_written_comments_aside()
    {
        var plan = PlanOf(Site(), Ready("20250601T120000-a1b2c3"));

        var routing = PlanId.RoutingOf(Site(), new SwitchPlan(Slot.A, null, new SlotVersion("a", "v1")));
        Assert.DoesNotContain("#", routing);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(routing)))[..12], plan.RoutingHash);
        Assert.Equal($"20250601T120000-a1b2c3@{plan.RoutingHash}", plan.ToString());
    }

    [Fact]
    public void The_same_files_give_the_same_id_and_a_change_names_what_changed()
    {
        var shown = PlanOf(Site(), Ready("d1"));
        Assert.Equal(shown, PlanOf(Site(), Ready("d1")));
        Assert.Null(PlanId.WhatChanged(shown, PlanOf(Site(), Ready("d1"))));

        var redeployed = PlanId.WhatChanged(shown, PlanOf(Site(), Ready("d2")))!;
        Assert.Contains("the deployment it makes live is now d2, not d1", redeployed);
        Assert.DoesNotContain("routing", redeployed);

        var reconfigured = PlanId.WhatChanged(shown, PlanOf(Site("Host(`shop.example.org`)"), Ready("d1")))!;
        Assert.Contains("the routing it would write is now", reconfigured);
        Assert.DoesNotContain("deployment", reconfigured);
    }

    [Theory]
    [InlineData("20250601T120000-a1b2c3@0123456789ab", true)]
    [InlineData("d1@0123456789ab", true)]
    [InlineData("d1@0123456789AB", false)]
    [InlineData("d1@0123456789a", false)]
    [InlineData("@0123456789ab", false)]
    [InlineData("d 1@0123456789ab", false)]
    [InlineData("d1@0123456789ab\n", false)]
    [InlineData("", false)]
    public void Parse_accepts_only_what_ToString_prints(string text, bool valid)
    {
        var plan = PlanId.Parse(text, out var error);

        Assert.Equal(valid, plan is not null);
        Assert.Equal(valid, error is null);
        if (plan is not null)
        {
            Assert.Equal(text, plan.ToString());
        }
    }
}
