using BlueGreen.Core.Configuration;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Infrastructure.Routing;
using BlueGreen.Testing;

namespace BlueGreen.Infrastructure.Tests.Routing;

public sealed class RoutingFilesTests : IDisposable
{
    private static readonly SiteConfig Site = new()
    {
        Name = "shop",
        Rule = "Host(`shop.example.com`)",
        SlotAUrl = new Uri("http://127.0.0.1:7001"),
        SlotBUrl = new Uri("http://127.0.0.1:7002"),
    };

    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private Home Home => Home.At(_home.Root);

    private RoutingFiles Files => new(Home, new GlobalConfig());

    private void WriteRouting(string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_home.RoutingFile("shop"))!);
        File.WriteAllText(_home.RoutingFile("shop"), text);
    }

    [Fact]
    public void The_routing_file_is_in_routes_dir_relative_to_the_home()
    {
        Assert.Equal(_home.RoutingFile("shop"), Files.PathOf("shop"));
        Assert.Equal(Path.Combine(_home.Root, "var", "routes", ".bluegreen-tmp"), Files.TempDir);
        Assert.Equal("/etc/traefik/dynamic/bluegreen-shop.yml", new RoutingFiles(Home, new GlobalConfig { RoutesDir = "/etc/traefik/dynamic" }).PathOf("shop"));
    }

    [Fact]
    public void A_missing_routing_file_does_not_exist_and_has_no_live_slot()
    {
        Assert.Equal((false, (Slot?)null, (string?)null), Files.ReadLiveSlot("shop"));
        Assert.Null(Files.ReadText("shop"));
    }

    [Theory]
    [InlineData(Slot.A)]
    [InlineData(Slot.B)]
    public void The_live_slot_is_read_from_the_file_on_disk(Slot live)
    {
        WriteRouting(RoutingPlanner.Render(Site, live, live.Other(), "test"));

        Assert.Equal((true, (Slot?)live, (string?)null), Files.ReadLiveSlot("shop"));
    }

    [Fact]
    public void A_file_of_a_site_never_switched_exists_without_a_live_slot()
    {
        WriteRouting(RoutingPlanner.Render(Site, null, Slot.A, "test"));

        Assert.Equal((true, (Slot?)null, (string?)null), Files.ReadLiveSlot("shop"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("http: [unclosed\n")]
    public void A_file_that_does_not_parse_is_reported_with_its_path(string text)
    {
        WriteRouting(text);

        var (exists, live, error) = Files.ReadLiveSlot("shop");

        Assert.True(exists);
        Assert.Null(live);
        Assert.StartsWith(_home.RoutingFile("shop") + ": ", error);
    }

    [Fact]
    public void History_lists_the_earlier_files_newest_first()
    {
        var dir = Home.RoutingHistoryDir("shop");
        Directory.CreateDirectory(dir);
        foreach (var name in new[] { "20250601T100000.000Z-before-apply.yml", "20250602T090000.000Z-before-rollback.yml", "20250601T110000.500Z-before-apply.yml", "notes.txt" })
        {
            File.WriteAllText(Path.Combine(dir, name), "x");
        }

        var history = Files.History("shop").Select(Path.GetFileName);

        Assert.Equal(["20250602T090000.000Z-before-rollback.yml", "20250601T110000.500Z-before-apply.yml", "20250601T100000.000Z-before-apply.yml"], history);
    }

    [Fact]
    public void A_site_without_history_has_an_empty_one()
    {
        Assert.Empty(Files.History("shop"));
    }
}
