using BlueGreen.Cockpit.Tests.Support;
using BlueGreen.Testing;

namespace BlueGreen.Cockpit.Tests;

[Collection(BrowserCollection.Name)]
public sealed class FreshnessTests(Browser browser)
{
    [Fact]
    public async Task The_board_shows_a_new_deployment_without_a_manual_reload()
    {
        using var home = new TempHome();
        await using var slotA = await SlotServer.StartAsync("a");
        await using var slotB = await SlotServer.StartAsync("b");
        home.AddSite("news", slotA.Url, slotB.Url);
        await using var cockpit = await CockpitUnderTest.StartAsync(home.Root);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(cockpit.At("/"));
        Assert.Contains("empty", await page.Locator("tr[data-site='news']").InnerTextAsync());

        await Cli.MustAsync(home.Root, "deploy", "news", "--version", "7.7.7");

        // The page polls every 5 s; give it a few rounds.
        await page.Locator("tr[data-site='news'] .version.green").Filter(new() { HasText = "7.7.7" }).WaitForAsync(new() { Timeout = 20_000 });
    }
}
