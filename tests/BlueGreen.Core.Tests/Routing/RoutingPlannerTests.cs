using System.Text;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Testing;

namespace BlueGreen.Core.Tests.Routing;

public sealed class RoutingPlannerTests
{
    /// <summary>The site both routing renderers' tables start from (file: here; etcd KV: RoutingKvTests).</summary>
    internal static SiteConfig Site(string? preview = null, params string[] entryPoints) => new()
    {
        Name = "shop",
        Rule = "Host(`shop.example.com`)",
        PreviewRule = preview,
        EntryPoints = entryPoints,
        SlotAUrl = new Uri("http://127.0.0.1:7001/"),
        SlotBUrl = new Uri("http://127.0.0.1:7002"),
    };

    private const string Preview = "Host(`recette.shop.example.com`)";

    [Fact]
    public void A_site_never_switched_has_no_production_router_and_both_slot_services()
    {
        var config = RoutingPlanner.Build(Site(), live: null, candidate: Slot.A);

        Assert.Null(config.Http!.Routers);
        Assert.Equal(["shop-a", "shop-b"], config.Http.Services!.Keys.Order());
        Assert.Equal("http://127.0.0.1:7001", config.Http.Services["shop-a"].LoadBalancer!.Servers.Single().Url);
        Assert.Equal("http://127.0.0.1:7002", config.Http.Services["shop-b"].LoadBalancer!.Servers.Single().Url);
        Assert.Null(RoutingPlanner.LiveSlotIn(config, "shop"));
    }

    [Fact]
    public void A_site_never_switched_with_a_preview_rule_has_only_the_preview_router_to_the_candidate()
    {
        var config = RoutingPlanner.Build(Site(Preview), live: null, candidate: Slot.A);

        var router = Assert.Single(config.Http!.Routers!);
        Assert.Equal("shop-preview", router.Key);
        Assert.Equal(Preview, router.Value.Rule);
        Assert.Equal("shop-a", router.Value.Service);
        Assert.False(config.Http.Services!.ContainsKey("shop"));
        Assert.Null(RoutingPlanner.LiveSlotIn(config, "shop"));
    }

    [Theory]
    [InlineData(Slot.A, 1, 0)]
    [InlineData(Slot.B, 0, 1)]
    public void The_live_slot_has_weight_one_and_the_other_weight_zero(Slot live, int weightA, int weightB)
    {
        var config = RoutingPlanner.Build(Site(Preview), live, live.Other());

        var production = config.Http!.Routers!["shop"];
        Assert.Equal("Host(`shop.example.com`)", production.Rule);
        Assert.Equal("shop", production.Service);
        Assert.Null(production.EntryPoints);
        var weighted = config.Http.Services!["shop"].Weighted!.Services;
        Assert.Equal([("shop-a", weightA), ("shop-b", weightB)], weighted.Select(s => (s.Name, s.Weight)));
        Assert.Equal($"shop-{live.Other().Name()}", config.Http.Routers["shop-preview"].Service);
        Assert.Equal(live, RoutingPlanner.LiveSlotIn(config, "shop"));
    }

    [Theory]
    [InlineData(null, Slot.A)]
    [InlineData(Slot.A, Slot.B)]
    [InlineData(Slot.B, Slot.A)]
    public void The_preview_header_router_reaches_the_candidate_above_the_production_router(Slot? live, Slot candidate)
    {
        var site = Site() with { PreviewHeader = new PreviewHeader("X-BlueGreen-Preview", "1") };

        var config = RoutingPlanner.Build(site, live, candidate);

        var router = config.Http!.Routers!["shop-preview-header"];
        Assert.Equal("(Host(`shop.example.com`)) && Header(`X-BlueGreen-Preview`, `1`)", router.Rule);
        Assert.Equal($"shop-{candidate.Name()}", router.Service);
        // Host(`shop.example.com`) is 24 bytes: Traefik's default priority of the production router.
        Assert.Equal(25, router.Priority);
        Assert.Null(config.Http.Routers.GetValueOrDefault("shop")?.Priority);
        Assert.Equal(live, RoutingPlanner.LiveSlotIn(config, "shop"));
        Assert.Empty(RoutingSchema.Validate(RoutingPlanner.Render(site, live, candidate, "header variant")));
    }

    [Fact]
    public void The_preview_header_priority_counts_the_production_rule_in_utf8_bytes_as_traefik_does()
    {
        Assert.Equal(Encoding.UTF8.GetByteCount("Host(`bütik.example`)") + 1, RoutingPlanner.PreviewHeaderPriority("Host(`bütik.example`)"));
    }

    [Fact]
    public void Entry_points_go_on_every_router()
    {
        var config = RoutingPlanner.Build(Site(Preview, "web", "websecure"), Slot.B, Slot.A);

        Assert.All(config.Http!.Routers!.Values, r => Assert.Equal(["web", "websecure"], r.EntryPoints!));
    }

    public static TheoryData<string?, Slot?, string[]> Variants()
    {
        var data = new TheoryData<string?, Slot?, string[]>();
        foreach (var preview in new[] { null, Preview })
        {
            foreach (var live in new Slot?[] { null, Slot.A, Slot.B })
            {
                data.Add(preview, live, []);
                data.Add(preview, live, ["web", "websecure"]);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Every_rendered_variant_is_valid_against_the_traefik_v3_schema(string? preview, Slot? live, string[] entryPoints)
    {
        var yaml = RoutingPlanner.Render(Site(preview, entryPoints), live, live?.Other() ?? Slot.A, "test variant");

        Assert.Empty(RoutingSchema.Validate(yaml));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Every_rendered_variant_reads_back_to_the_same_live_slot(string? preview, Slot? live, string[] entryPoints)
    {
        var yaml = RoutingPlanner.Render(Site(preview, entryPoints), live, live?.Other() ?? Slot.A, "test variant");

        var (config, error) = RoutingFileFormat.Parse(yaml);

        Assert.Null(error);
        Assert.Equal(live, RoutingPlanner.LiveSlotIn(config!, "shop"));
        Assert.Equal(yaml, RoutingFileFormat.Serialize(config!, ["BlueGreen Orchestrator routing for site shop: written by ./run.sh, do not edit by hand.", "test variant"]));
    }

    [Fact]
    public void The_rendered_file_starts_with_its_header_comments_and_is_the_same_for_the_same_inputs()
    {
        var first = RoutingPlanner.Render(Site(Preview), Slot.A, Slot.B, "live a since the apply of v2");
        var second = RoutingPlanner.Render(Site(Preview), Slot.A, Slot.B, "live a since the apply of v2");

        Assert.Equal(first, second);
        Assert.StartsWith("# BlueGreen Orchestrator routing for site shop", first);
        Assert.Contains("\n# live a since the apply of v2\n", first);
        Assert.Contains("weight: 0", first);
        Assert.Contains("weight: 1", first);
    }

    [Fact]
    public void The_file_name_is_bluegreen_site_yml()
    {
        Assert.Equal("bluegreen-shop.yml", RoutingPlanner.FileName("shop"));
    }

    [Fact]
    public void A_file_without_a_production_router_has_no_live_slot_even_with_a_weighted_service()
    {
        var config = RoutingPlanner.Build(Site(), Slot.B, Slot.A);
        config.Http!.Routers = null;

        Assert.Null(RoutingPlanner.LiveSlotIn(config, "shop"));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(0, 0)]
    public void A_weighted_service_without_exactly_one_live_child_has_no_live_slot(int weightA, int weightB)
    {
        var config = RoutingPlanner.Build(Site(), Slot.A, Slot.B);
        var services = config.Http!.Services!["shop"].Weighted!.Services;
        services[0].Weight = weightA;
        services[1].Weight = weightB;

        Assert.Null(RoutingPlanner.LiveSlotIn(config, "shop"));
    }

    [Fact]
    public void A_live_child_of_another_name_is_no_live_slot()
    {
        var config = RoutingPlanner.Build(Site(), Slot.A, Slot.B);
        config.Http!.Services!["shop"].Weighted!.Services[0].Name = "other-a";

        Assert.Null(RoutingPlanner.LiveSlotIn(config, "shop"));
    }
}
