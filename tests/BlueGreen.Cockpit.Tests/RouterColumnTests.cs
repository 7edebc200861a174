using BlueGreen.Cockpit.Tests.Support;
using BlueGreen.Router;
using BlueGreen.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BlueGreen.Cockpit.Tests;

/// <summary>
/// The board's "router" column says what the router's API serves, by the same rule as `status`: the slot
/// the state calls live while all is well; UNREACHABLE, and the row marked, once the router is stopped.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RouterColumnTests(Browser browser)
{
    [Fact]
    public async Task The_router_column_shows_the_served_slot_then_a_stopped_router()
    {
        using var home = new TempHome();
        await using var slotA = await SlotServer.StartAsync("a");
        await using var slotB = await SlotServer.StartAsync("b");
        var router = await EmbeddedRouter.StartAsync(new RouterOptions(home.Path_("var", "routes"), "127.0.0.1:0", "127.0.0.1:0", AccessLog: false), NullLoggerFactory.Instance, CancellationToken.None);
        try
        {
            home.WriteGlobal($"ROUTER_API={router.ApiUrl}\nSWITCH_VERIFY_TIMEOUT=5\n");
            home.AddSite("shop", slotA.Url, slotB.Url);
            await Cli.MustAsync(home.Root, "deploy", "shop", "--version", "1.0.0");
            await Cli.MustAsync(home.Root, "validate", "shop");
            await Cli.MustAsync(home.Root, "apply", "shop", "--yes");
            await using var cockpit = await CockpitUnderTest.StartAsync(home.Root);
            var page = await browser.NewPageAsync();
            await page.GotoAsync(cockpit.At("/"));

            var row = page.Locator("tr[data-site='shop']");
            Assert.Equal("Router", await page.Locator("table.board th").Nth(2).TextContentAsync());
            // The monitor reads the router every second in tests; the page refreshes its rows every 5 s.
            await row.Locator("td.router .pill.ok", new() { HasText = "serves a" }).WaitForAsync(new() { Timeout = 20_000 });
            Assert.Equal(0, await page.Locator("tr.attention").CountAsync());
            await Screenshots.TakeAsync(page, "board-router-serving");

            await router.DisposeAsync();

            await row.Locator("td.router .pill.bad", new() { HasText = "UNREACHABLE" }).WaitForAsync(new() { Timeout = 20_000 });
            await page.Locator("tr.attention[data-site='shop']").WaitForAsync(new() { Timeout = 20_000 });
            Assert.Contains("Connection refused", await row.Locator("td.router .pill").GetAttributeAsync("title"));
            await Screenshots.TakeAsync(page, "board-router-unreachable");
        }
        finally
        {
            await router.DisposeAsync();
        }
    }
}
