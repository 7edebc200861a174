using System.Net;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Router.Tests.Support;

namespace BlueGreen.Router.Tests;

/// <summary>
/// A split (`apply --weight`) through the embedded router: Traefik's weighted round robin (earliest deadline first,
/// pkg/server/service/loadbalancer/wrr) and its sticky cookie (pkg/server/service/loadbalancer/sticky.go).
/// </summary>
public sealed class WeightedTests : IAsyncLifetime
{
    private TestBackend _a = null!;
    private TestBackend _b = null!;

    public async Task InitializeAsync()
    {
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b");
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private SiteConfig Site(string? sticky = null) => new()
    {
        Name = "shop",
        Rule = "Host(`shop.test`)",
        SlotAUrl = new Uri(_a.UrlText),
        SlotBUrl = new Uri(_b.UrlText),
        StickyCookie = sticky,
    };

    private static Task<RouterHarness> RouterWith(SiteConfig site, Slot live, int? weight) =>
        RouterHarness.StartAsync(new Dictionary<string, string> { [RoutingPlanner.FileName("shop")] = RoutingPlanner.Render(site, live, live.Other(), "test", weight) });

    /// <summary>A client that keeps no cookies: each test says which cookie a request carries.</summary>
    private static HttpClient Client(RouterHarness h) => new(new SocketsHttpHandler { UseCookies = false, UseProxy = false }) { BaseAddress = h.Router.ProxyUrl, Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<(string Slot, string? SetCookie)> GetAsync(HttpClient client, string? cookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Host = "shop.test";
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var setCookie = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Single() : null;
        return (await response.Content.ReadAsStringAsync(), setCookie);
    }

    [Fact]
    public async Task Weights_3_and_1_give_traefiks_3_and_1_in_4_requests()
    {
        var yaml = """
            http:
              routers:
                shop: {rule: "Host(`shop.test`)", service: shop}
              services:
                shop:
                  weighted:
                    services: [{name: shop-a, weight: 3}, {name: shop-b, weight: 1}]
                shop-a: {loadBalancer: {servers: [{url: "A"}]}}
                shop-b: {loadBalancer: {servers: [{url: "B"}]}}
            """.Replace("\"A\"", $"\"{_a.UrlText}\"", StringComparison.Ordinal).Replace("\"B\"", $"\"{_b.UrlText}\"", StringComparison.Ordinal);
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["shop.yml"] = yaml });
        using var client = Client(h);

        var slots = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            slots.Add((await GetAsync(client)).Slot);
        }

        // Traefik's TestBalancer (wrr_test.go): weights 3 and 1, 4 requests, 3 and 1.
        Assert.Equal(3, slots.Count(s => s == "a"));
        Assert.Equal(1, slots.Count(s => s == "b"));
    }

    [Theory]
    [InlineData(Slot.A, 10)]
    [InlineData(Slot.A, 50)]
    [InlineData(Slot.B, 25)]
    public async Task A_split_sends_the_candidate_its_share_of_2000_requests(Slot live, int weight)
    {
        await using var h = await RouterWith(Site(), live, weight);
        using var client = Client(h);

        var candidate = 0;
        for (var i = 0; i < 2000; i++)
        {
            var (slot, setCookie) = await GetAsync(client);
            Assert.Null(setCookie); // no STICKY_COOKIE, no cookie
            candidate += slot == live.Other().Name() ? 1 : 0;
        }

        // Earliest deadline first is exact up to a tie: the share is the weight, to one request.
        Assert.InRange(candidate, 20 * weight - 1, 20 * weight + 1);
    }

    [Fact]
    public async Task The_sticky_cookie_is_set_on_the_first_answer_and_keeps_the_client_on_its_slot()
    {
        await using var h = await RouterWith(Site("bg_slot"), Slot.A, 50);
        using var client = Client(h);

        var (first, setCookie) = await GetAsync(client);
        var hashOfChild = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"shop-{first}")))[..16];
        Assert.Equal($"bg_slot={hashOfChild}; Path=/", setCookie);

        // 50/50 would alternate without the cookie: with it, every answer comes from the first slot, and no new cookie.
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal((first, (string?)null), await GetAsync(client, $"bg_slot={hashOfChild}"));
        }

        // Without it, both slots answer.
        var unstuck = new HashSet<string>();
        for (var i = 0; i < 4; i++)
        {
            unstuck.Add((await GetAsync(client)).Slot);
        }

        Assert.Equal(["a", "b"], unstuck.Order());
    }

    [Fact]
    public async Task A_cookie_naming_no_child_gets_a_pick_and_a_new_cookie_and_an_old_style_cookie_is_rewritten()
    {
        await using var h = await RouterWith(Site("bg_slot"), Slot.A, 50);
        using var client = Client(h);
        var hashOfB = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("shop-b"u8.ToArray()))[..16];

        var (_, fresh) = await GetAsync(client, "bg_slot=0123456789abcdef");
        Assert.StartsWith("bg_slot=", fresh);

        // Traefik's compatibility map: a cookie holding the child's name reaches it and is rewritten to the hash.
        Assert.Equal(("b", $"bg_slot={hashOfB}; Path=/"), await GetAsync(client, "bg_slot=shop-b"));
    }

    [Fact]
    public async Task Once_the_switch_completes_a_cookie_for_the_old_slot_is_ignored()
    {
        await using var h = await RouterWith(Site("bg_slot"), Slot.B, null);
        using var client = Client(h);
        var hashOfA = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("shop-a"u8.ToArray()))[..16];

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(("b", (string?)null), await GetAsync(client, $"bg_slot={hashOfA}"));
        }
    }

    [Fact]
    public void Cookie_names_and_values_are_traefiks()
    {
        Assert.Equal("bg_slot_1", Proxy.StickyCookie.Sanitize("bg slot/1"));
        Assert.Equal("caf_", Proxy.StickyCookie.Sanitize("café"));
        // Go: fnv.New64 of "shop-a", strconv.FormatUint(h, 16).
        Assert.Equal(Fnv64Reference("shop-a"), Proxy.StickyCookie.Fnv64("shop-a"));
        Assert.Equal(6, Proxy.StickyCookie.Generate("shop@file").Length);
        Assert.StartsWith("_", Proxy.StickyCookie.Generate("shop@file"));
    }

    // FNV-1 64 written out from its definition, as a second opinion on the router's.
    private static string Fnv64Reference(string text)
    {
        System.Numerics.BigInteger hash = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(text))
        {
            hash = hash * 1099511628211UL % System.Numerics.BigInteger.Pow(2, 64);
            hash ^= b;
        }

        return hash.ToString("x").TrimStart('0');
    }
}
