using BlueGreen.Core.Configuration;
using BlueGreen.Core.Recovery;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;

namespace BlueGreen.Core.Tests.Routing;

/// <summary>
/// The KV pairs of every routing variant the file renderer has (never switched or live A/B, with or without a
/// preview rule, with or without entry points), written out as Traefik's KV reference lists them
/// (docs/content/reference/routing-configuration/other-providers/kv.md).
/// </summary>
public sealed class RoutingKvTests
{
    private const string Preview = "Host(`recette.shop.example.com`)";

    private static SiteConfig Site(string? preview = null, params string[] entryPoints) => RoutingPlannerTests.Site(preview, entryPoints);

    private static readonly string[] SlotServices =
    [
        "traefik/http/services/shop-a/loadbalancer/passhostheader = true",
        "traefik/http/services/shop-a/loadbalancer/servers/0/url = http://127.0.0.1:7001",
        "traefik/http/services/shop-b/loadbalancer/passhostheader = true",
        "traefik/http/services/shop-b/loadbalancer/servers/0/url = http://127.0.0.1:7002",
    ];

    public static TheoryData<string, SiteConfig, Slot?, Slot, string[]> Variants => new()
    {
        { "never switched, no preview", Site(), null, Slot.A, SlotServices },
        {
            "never switched, preview to the candidate", Site(Preview), null, Slot.B,
            [
                "traefik/http/routers/shop-preview/rule = Host(`recette.shop.example.com`)",
                "traefik/http/routers/shop-preview/service = shop-b",
                .. SlotServices,
            ]
        },
        {
            "live A, preview to B, two entry points", Site(Preview, "web", "websecure"), Slot.A, Slot.B,
            [
                "traefik/http/routers/shop-preview/entrypoints/0 = web",
                "traefik/http/routers/shop-preview/entrypoints/1 = websecure",
                "traefik/http/routers/shop-preview/rule = Host(`recette.shop.example.com`)",
                "traefik/http/routers/shop-preview/service = shop-b",
                "traefik/http/routers/shop/entrypoints/0 = web",
                "traefik/http/routers/shop/entrypoints/1 = websecure",
                "traefik/http/routers/shop/rule = Host(`shop.example.com`)",
                "traefik/http/routers/shop/service = shop",
                "traefik/http/services/shop-a/loadbalancer/passhostheader = true",
                "traefik/http/services/shop-a/loadbalancer/servers/0/url = http://127.0.0.1:7001",
                "traefik/http/services/shop-b/loadbalancer/passhostheader = true",
                "traefik/http/services/shop-b/loadbalancer/servers/0/url = http://127.0.0.1:7002",
                "traefik/http/services/shop/weighted/services/0/name = shop-a",
                "traefik/http/services/shop/weighted/services/0/weight = 1",
                "traefik/http/services/shop/weighted/services/1/name = shop-b",
                "traefik/http/services/shop/weighted/services/1/weight = 0",
            ]
        },
        {
            "live A, preview header to B", Site() with { PreviewHeader = new PreviewHeader("X-BlueGreen-Preview", "1") }, Slot.A, Slot.B,
            [
                "traefik/http/routers/shop-preview-header/priority = 25",
                "traefik/http/routers/shop-preview-header/rule = (Host(`shop.example.com`)) && Header(`X-BlueGreen-Preview`, `1`)",
                "traefik/http/routers/shop-preview-header/service = shop-b",
                "traefik/http/routers/shop/rule = Host(`shop.example.com`)",
                "traefik/http/routers/shop/service = shop",
                .. SlotServices,
                "traefik/http/services/shop/weighted/services/0/name = shop-a",
                "traefik/http/services/shop/weighted/services/0/weight = 1",
                "traefik/http/services/shop/weighted/services/1/name = shop-b",
                "traefik/http/services/shop/weighted/services/1/weight = 0",
            ]
        },
        {
            "live B, no preview", Site(), Slot.B, Slot.A,
            [
                "traefik/http/routers/shop/rule = Host(`shop.example.com`)",
                "traefik/http/routers/shop/service = shop",
                .. SlotServices,
                "traefik/http/services/shop/weighted/services/0/name = shop-a",
                "traefik/http/services/shop/weighted/services/0/weight = 0",
                "traefik/http/services/shop/weighted/services/1/name = shop-b",
                "traefik/http/services/shop/weighted/services/1/weight = 1",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Every_variant_is_written_in_traefiks_kv_layout(string variant, SiteConfig site, Slot? live, Slot candidate, string[] expected)
    {
        var pairs = RoutingKv.Pairs(RoutingPlanner.Build(site, live, candidate), "traefik");

        Assert.True(expected.Order(StringComparer.Ordinal).SequenceEqual(pairs.Select(p => $"{p.Key} = {p.Value}")), variant);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Reading_the_pairs_back_gives_what_the_file_would_say(string variant, SiteConfig site, Slot? live, Slot candidate, string[] expected)
    {
        _ = expected;
        var config = RoutingPlanner.Build(site, live, candidate);

        var (read, error) = RoutingKv.Parse(RoutingKv.Pairs(config, "edge/traefik"), "edge/traefik");

        Assert.Null(error);
        var description = $"live: slot {live}";
        Assert.True(RoutingFileFormat.Serialize(config, [description]) == RoutingFileFormat.Serialize(read!, [description]), variant);
        Assert.Equal(RoutingTruth.Of(config, "shop"), RoutingTruth.Of(read!, "shop"));
    }

    [Fact]
    public void Every_key_of_a_site_lies_under_one_of_its_prefixes_and_no_other_sites_key_does()
    {
        var prefixes = RoutingKv.SitePrefixes("shop", "traefik");
        var shop = RoutingKv.Pairs(RoutingPlanner.Build(Site(Preview, "web"), Slot.A, Slot.B), "traefik");
        var other = RoutingKv.Pairs(RoutingPlanner.Build(Site(Preview) with { Name = "shop2" }, Slot.A, Slot.B), "traefik");

        Assert.All(shop, p => Assert.Contains(prefixes, prefix => p.Key.StartsWith(prefix, StringComparison.Ordinal)));
        Assert.All(other, p => Assert.DoesNotContain(prefixes, prefix => p.Key.StartsWith(prefix, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("traefik/http/routers/shop/rule", true)]
    [InlineData("traefik/http/routers/shop-preview/service", true)]
    [InlineData("traefik/http/services/shop/weighted/services/0/name", true)]
    [InlineData("traefik/http/services/shop-a/loadbalancer/servers/0/url", true)]
    [InlineData("traefik/http/services/shop-b/loadbalancer/passhostheader", true)]
    [InlineData("traefik/http/services/shop-ab/loadbalancer/servers/0/url", false)] // a longer name, not shop-a
    [InlineData("traefik/http/services/shop-a-a/loadbalancer/servers/0/url", false)] // site shop-a's slot a
    [InlineData("traefik/http/routers/shop-a/rule", false)] // a router is not the service of the same name
    [InlineData("traefik/http/routers/shop-previewx/rule", false)]
    [InlineData("traefik/http/routers/shopping/rule", false)]
    [InlineData("traefik/http/middlewares/shop/stripprefix/prefixes/0", false)]
    [InlineData("traefik/http/routers/shop", false)] // the name alone is no leaf
    [InlineData("edge/http/routers/shop/rule", false)] // another rootKey
    public void A_site_owns_exactly_the_keys_under_its_own_router_and_service_names(string key, bool owned)
    {
        Assert.Equal(owned, RoutingKv.Owns("shop", key, "traefik"));
    }

    [Theory]
    [InlineData("shop", "shop-a", "service shop-a")] // shop's slot a is shop-a's production service
    [InlineData("shop-b", "shop", "service shop-b")]
    [InlineData("shop", "shop-preview", "router shop-preview")] // shop's preview router is shop-preview's production router
    [InlineData("shop", "shop-ab", "")]
    [InlineData("shop", "shop-aa", "")]
    [InlineData("shop", "shop2", "")]
    [InlineData("shop-a", "shop-b", "")]
    [InlineData("shop", "shop", "")] // a site is not its own clash
    public void Two_sites_clash_when_their_renderings_name_the_same_router_or_service(string site, string other, string clash)
    {
        var clashes = RoutingKv.NameClashes(site, [other]);

        Assert.Equal(clash, string.Join(", ", clashes.Select(c => $"{c.Kind} {c.Name}")));
        Assert.Equal(clash.Length > 0, RoutingKv.NameClashError(site, [other]) is not null);
        // Symmetric: neither site of a clashing pair may switch.
        Assert.Equal(clashes.Count, RoutingKv.NameClashes(other, [site]).Count);
    }

    [Fact]
    public void Keys_are_read_case_insensitively_as_traefik_does_and_names_keep_their_case()
    {
        var pairs = new Dictionary<string, string>
        {
            ["traefik/HTTP/Routers/Shop/Rule"] = "Host(`x`)",
            ["traefik/http/routers/Shop/Service"] = "Shop",
            ["traefik/http/services/Shop/Weighted/Services/0/Name"] = "Shop-a",
            ["traefik/http/services/Shop/weighted/services/0/Weight"] = "3",
        };

        var (config, error) = RoutingKv.Parse(pairs, "traefik");

        Assert.Null(error);
        Assert.Equal("Host(`x`)", config!.Http!.Routers!["Shop"].Rule);
        Assert.Equal(("Shop-a", 3), config.Http.Services!["Shop"].Weighted!.Services.Select(s => (s.Name, s.Weight)).Single());
    }

    [Fact]
    public void List_items_past_nine_come_back_in_their_order()
    {
        var entryPoints = Enumerable.Range(0, 12).Select(i => $"ep{i}").ToArray();
        var config = RoutingPlanner.Build(Site(null, entryPoints), Slot.A, Slot.B);

        var (read, _) = RoutingKv.Parse(RoutingKv.Pairs(config, "traefik"), "traefik");

        Assert.Equal(entryPoints, read!.Http!.Routers!["shop"].EntryPoints);
    }

    [Theory]
    [InlineData("traefik/http/services/shop/weighted/services/0/weight", "heavy", "traefik/http/services/shop/weighted/services/0/weight: 'heavy' is not a weight")]
    [InlineData("traefik/http/services/shop/weighted/services/3/name", "shop-a", "traefik/http/services/shop/weighted/services/3/name: list index '3' is not the next one (0)")]
    [InlineData("traefik/http/routers/shop/priority", "high", "traefik/http/routers/shop/priority: 'high' is not a whole number")]
    public void A_value_traefik_could_not_read_is_an_error_naming_the_key(string key, string value, string expected)
    {
        var (config, error) = RoutingKv.Parse([new(key, value)], "traefik");

        Assert.Null(config);
        Assert.StartsWith(expected, error);
    }

    [Fact]
    public void Keys_outside_the_root_or_outside_http_routing_are_left_out()
    {
        var (config, error) = RoutingKv.Parse(
            [new("bluegreen/state/shop", "{}"), new("traefik/tcp/routers/x/rule", "HostSNI(`*`)"), new("traefik/http/middlewares/m/headers/x", "y")], "traefik");

        Assert.Null(error);
        Assert.Null(config!.Http!.Routers);
        Assert.Null(config.Http.Services);
    }

    /// <summary>What RoutingKv renders beyond a site's plan: a priority, any whole weights, several servers, passHostHeader off.</summary>
    public static TheoryData<string, DynamicConfig> Configs => new()
    {
        {
            "preview router with a priority, split weights with a sticky cookie",
            new DynamicConfig
            {
                Http = new HttpConfig
                {
                    Routers = new()
                    {
                        ["shop"] = new RouterConfig { Rule = "Host(`shop`)", Service = "shop", EntryPoints = ["web", "websecure"] },
                        ["shop-preview"] = new RouterConfig { Rule = "Host(`shop`) && Header(`X-Preview`, `1`)", Service = "shop-b", Priority = 1000 },
                    },
                    Services = new()
                    {
                        ["shop"] = new ServiceConfig { Weighted = new WeightedConfig { Services = [new() { Name = "shop-a", Weight = 37 }, new() { Name = "shop-b", Weight = 63 }], Sticky = new StickyConfig { Cookie = new CookieConfig { Name = "bg_shop" } } } },
                        ["shop-a"] = new ServiceConfig { LoadBalancer = new LoadBalancerConfig { Servers = [new() { Url = "http://127.0.0.1:7001" }, new() { Url = "http://127.0.0.1:7003" }], PassHostHeader = false } },
                        ["shop-b"] = new ServiceConfig { LoadBalancer = new LoadBalancerConfig { Servers = [new() { Url = "http://127.0.0.1:7002" }] } },
                    },
                },
            }
        },
        {
            "a negative priority, weights of zero and past nine children",
            new DynamicConfig
            {
                Http = new HttpConfig
                {
                    Routers = new() { ["x"] = new RouterConfig { Rule = "PathPrefix(`/`)", Service = "x", Priority = -5 } },
                    Services = new() { ["x"] = new ServiceConfig { Weighted = new WeightedConfig { Services = Enumerable.Range(0, 12).Select(i => new WeightedServiceConfig { Name = $"x-{i}", Weight = i * 10 }).ToList() } } },
                },
            }
        },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Every_config_rendered_reads_back_the_same(string variant, DynamicConfig config)
    {
        var (read, error) = RoutingKv.Parse(RoutingKv.Pairs(config, "traefik"), "traefik");

        Assert.Null(error);
        Assert.True(RoutingFileFormat.Serialize(config, [variant]) == RoutingFileFormat.Serialize(read!, [variant]), variant);
        Assert.Equal(RoutingKv.Pairs(config, "traefik"), RoutingKv.Pairs(read!, "traefik"));
    }

    [Theory]
    [InlineData("traefik/http/services/shop/weighted/sticky/cookie/httponly", "true")]
    [InlineData("traefik/http/services/shop/weighted/healthcheck", "")]
    [InlineData("traefik/http/services/shop-a/loadbalancer/healthcheck/path", "/health")]
    [InlineData("traefik/http/services/shop-a/loadbalancer/servers/0/weight", "2")]
    [InlineData("traefik/http/routers/shop/middlewares/0", "auth")]
    [InlineData("traefik/http/routers/shop/tls/certresolver", "le")]
    [InlineData("traefik/http/routers/shop/observability/accesslogs", "false")]
    [InlineData("traefik/http/middlewares/auth/basicauth/users/0", "u:p")]
    [InlineData("traefik/http/serversTransports/t/insecureSkipVerify", "true")]
    [InlineData("traefik/tcp/routers/db/rule", "HostSNI(`*`)")]
    [InlineData("traefik/tls/options/default/minVersion", "VersionTLS12")]
    [InlineData("traefik/anything/else", "x")] // outside Traefik's root fields: filtered out before decoding
    public void A_key_traefik_knows_but_the_product_does_not_write_is_left_out(string key, string value)
    {
        var pairs = RoutingKv.Pairs(RoutingPlanner.Build(Site(), Slot.A, Slot.B), "traefik").Append(new(key, value)).ToList();

        var (read, error) = RoutingKv.Parse(pairs, "traefik");

        Assert.Null(error);
        Assert.Equal(RoutingKv.Pairs(RoutingPlanner.Build(Site(), Slot.A, Slot.B), "traefik"), RoutingKv.Pairs(read!, "traefik"));
    }

    [Theory]
    [InlineData("traefik/http/routerz/shop/rule", "'routerz' in an HTTP http")]
    [InlineData("traefik/http/routers/shop/rules", "'rules' in an HTTP router")]
    [InlineData("traefik/http/services/shop/weighted/services/0/wieght", "'wieght' in an HTTP weighted service")]
    [InlineData("traefik/http/services/shop/weighted/stiky/cookie/name", "'stiky' in an HTTP weighted")]
    [InlineData("traefik/http/services/shop-a/loadbalancer/servers/0/uri", "'uri' in an HTTP server")]
    [InlineData("traefik/http/services/shop-a/loadbalancer/passhost", "'passhost' in an HTTP loadbalancer")]
    [InlineData("traefik/http/services/shop/roundrobin/services/0/name", "'roundrobin' in an HTTP service")]
    public void A_field_traefik_has_not_refuses_the_whole_tree_as_traefik_does(string key, string expected)
    {
        var pairs = RoutingKv.Pairs(RoutingPlanner.Build(Site(), Slot.A, Slot.B), "traefik").Append(new(key, "x")).ToList();

        var (read, error) = RoutingKv.Parse(pairs, "traefik");

        Assert.Null(read);
        Assert.Equal($"{key}: Traefik has no field {expected} (field not found)", error);
    }

    [Fact]
    public void A_weighted_child_without_a_weight_has_traefiks_default_weight_one()
    {
        var (read, error) = RoutingKv.Parse([new("traefik/http/services/s/weighted/services/0/name", "s-a")], "traefik");

        Assert.Null(error);
        Assert.Equal(1, read!.Http!.Services!["s"].Weighted!.Services.Single().Weight);
    }
}
