using System.Net;
using System.Text.Json;
using BlueGreen.Cockpit.Tests.Support;
using BlueGreen.Testing;
using Microsoft.Playwright;

namespace BlueGreen.Cockpit.Tests;

/// <summary>A home with two sites in different states, built through the real CLI only.</summary>
public sealed class SafeHome : IAsyncLifetime
{
    public const string Hostile = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">";

    public TempHome Home { get; } = new();

    public List<SlotServer> Slots { get; } = [];

    public CockpitUnderTest Cockpit { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Cli.AddSitesAsync(Home, Slots, "shop", "blog", "news");
        var root = Home.Root;
        // shop: live 1.0.0 on a, validated candidate 1.1.0 on b.
        await Cli.LiveWithValidatedCandidateAsync(root, "shop");
        // blog: never switched; its candidate fails the HTTP gate, and a switch is refused.
        Slots[2].HealthStatus = 500;
        Slots[2].Body = Hostile; // lands in the gate's details: the page must show it as text
        await Cli.MustAsync(root, "deploy", "blog", "--version", "0.9.0");
        await Cli.RunAsync(root, "validate", "blog");
        await Cli.RunAsync(root, "apply", "blog", "--dry-run");
        // news: switched, then its routing file edited by hand behind the product's back (drift).
        await Cli.MustAsync(root, "deploy", "news", "--version", "3.0.0");
        await Cli.MustAsync(root, "validate", "news");
        await Cli.MustAsync(root, "apply", "news", "--yes");
        var routing = File.ReadAllText(Home.RoutingFile("news"));
        File.WriteAllText(Home.RoutingFile("news"), routing.Replace("weight: 1", "weight: X").Replace("weight: 0", "weight: 1").Replace("weight: X", "weight: 0"));
        Cockpit = await CockpitUnderTest.StartAsync(root);
    }

    public async Task DisposeAsync()
    {
        await Cockpit.DisposeAsync();
        foreach (var slot in Slots)
        {
            await slot.DisposeAsync();
        }

        Home.Dispose();
    }
}

[Collection(BrowserCollection.Name)]
public sealed class SafeModeTests(Browser browser, SafeHome home) : IClassFixture<SafeHome>
{
    private static readonly string[] AdminUrls =
    [
        "/login", "/logout", "/admin/sites/shop/validate", "/admin/sites/shop/apply", "/admin/sites/shop/rollback",
    ];

    [Fact]
    public async Task The_board_shows_every_site_as_the_cli_sees_it()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(home.Cockpit.At("/"));
        foreach (var site in new[] { "shop", "blog", "news" })
        {
            var row = page.Locator($"tr[data-site='{site}']");
            var text = await row.InnerTextAsync();
            var status = await Cli.StatusAsync(home.Home.Root, site);
            var candidate = status.GetProperty("candidate");
            Assert.Contains(candidate.TryGetProperty("version", out var v) ? v.GetString()! : "empty", text);
            if (status.TryGetProperty("live", out var live))
            {
                Assert.Contains(live.GetProperty("version").GetString()!, await row.Locator(".version.blue").InnerTextAsync());
            }
            else
            {
                Assert.Contains("no live slot yet", text);
            }

            Assert.Contains(status.TryGetProperty("validation", out var val)
                ? (val.GetProperty("passed").GetBoolean() ? "passed" : "FAILED")
                : candidate.TryGetProperty("version", out _) ? "not validated" : "—", text);
        }

        Assert.Contains("1.1.0", await page.Locator("tr[data-site='shop'] .version.green").InnerTextAsync());
        Assert.Contains("1.0.0", await page.Locator("tr[data-site='shop'] .version.blue").InnerTextAsync());
        Assert.Contains("passed", await page.Locator("tr[data-site='shop']").InnerTextAsync());
        Assert.Contains("FAILED", await page.Locator("tr[data-site='blog']").InnerTextAsync());
        Assert.Contains("DRIFT", await page.Locator("tr[data-site='news'] .alert").InnerTextAsync());
        Assert.Equal(2, await page.Locator("tr.attention").CountAsync());
        await page.Locator("tr[data-site='shop'] .pill.ok", new() { HasText = "up" }).WaitForAsync(new() { Timeout = 10_000 });
        await Screenshots.TakeAsync(page, "board-safe");
    }

    [Fact]
    public async Task Every_page_says_safe_mode_read_only()
    {
        var page = await browser.NewPageAsync();
        foreach (var path in new[] { "/", "/sites/shop", "/sites/blog", "/journal", "/sites/nope" })
        {
            await page.GotoAsync(home.Cockpit.At(path));
            var banner = await page.Locator(".mode").InnerTextAsync();
            Assert.Contains("safe mode, read-only", banner);
        }
    }

    [Fact]
    public async Task The_site_page_shows_both_slots_the_routing_file_and_the_journal()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(home.Cockpit.At("/sites/shop"));
        var text = await page.Locator("main").InnerTextAsync();
        Assert.Contains("LIVE (blue)", text);
        Assert.Contains("CANDIDATE (green)", text);
        Assert.Contains("1.1.0", text);
        Assert.Contains("PASSED", await page.Locator("section", new() { HasText = "Validation report" }).InnerTextAsync());
        Assert.True(await page.Locator("section", new() { HasText = "Validation report" }).Locator("tbody tr").CountAsync() >= 1, "one row per gate");
        Assert.Contains("weight: 1", await page.Locator("section", new() { HasText = "Routing file" }).Locator("pre.code").First.InnerTextAsync());
        Assert.Contains("Routing file", text);
        Assert.Contains("deploy", await page.Locator("table.journal").InnerTextAsync());
        Assert.Equal(2, await page.Locator(".slots .card").CountAsync());
        await Screenshots.TakeAsync(page, "site-safe");
    }

    [Fact]
    public async Task The_site_page_of_a_failed_validation_names_the_failing_gate_in_red()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(home.Cockpit.At("/sites/blog"));
        var report = page.Locator("section", new() { HasText = "Validation report" });
        Assert.Contains("FAILED", await report.Locator(".pill.bad").First.InnerTextAsync());
        Assert.True(await report.Locator("tr.attention").CountAsync() >= 1, "the failing gate's row is marked");
        Assert.Contains("needs attention", await page.Locator(".summary").InnerTextAsync());
        await Screenshots.TakeAsync(page, "site-failed-validation");

        // What a slot answered is data: shown as text, never run.
        Assert.Contains("<script>document.title", await report.Locator("pre.code").First.InnerTextAsync());
        Assert.Equal(1, await page.Locator("script").CountAsync());
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        Assert.DoesNotContain("pwned", await page.TitleAsync());
    }

    [Fact]
    public async Task Safe_mode_draws_no_action_control_anywhere()
    {
        var page = await browser.NewPageAsync();
        foreach (var path in new[] { "/", "/sites/shop", "/journal" })
        {
            await page.GotoAsync(home.Cockpit.At(path));
            Assert.Equal(0, await page.Locator("form[method='post']").CountAsync());
            Assert.Equal(0, await page.Locator("a[href*='/admin/']").CountAsync());
            Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { NameRegex = new("apply|rollback|validate|log", System.Text.RegularExpressions.RegexOptions.IgnoreCase) }).CountAsync());
        }
    }

    [Fact]
    public async Task Every_mutating_request_is_refused_in_safe_mode()
    {
        using var http = new HttpClient { BaseAddress = home.Cockpit.Url };
        var paths = AdminUrls.Concat(["/", "/sites/shop", "/journal", "/api/sites", "/api/sites/shop", "/api/journal"]);
        foreach (var path in paths)
        {
            foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch })
            {
                using var request = new HttpRequestMessage(method, path) { Content = new FormUrlEncodedContent([new("confirm", "yes"), new("token", "x")]) };
                using var response = await http.SendAsync(request);
                Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"{method} {path} answered {(int)response.StatusCode}");
            }
        }

        foreach (var path in AdminUrls)
        {
            using var get = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }
    }

    [Fact]
    public async Task The_journal_filter_shows_only_the_chosen_site_and_outcome()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(home.Cockpit.At("/journal"));
        Assert.Contains("journal verify: ok", await page.Locator(".summary").InnerTextAsync());
        await page.SelectOptionAsync("select[name=site]", "shop");
        await page.SelectOptionAsync("select[name=outcome]", "succeeded");
        await page.ClickAsync("form.filters button[type=submit]");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("site=shop"));
        var rows = page.Locator("table.journal tbody tr");
        Assert.True(await rows.CountAsync() >= 2, "shop has at least two succeeded deploys");
        foreach (var row in await rows.AllAsync())
        {
            var cells = await row.Locator("td").AllInnerTextsAsync();
            Assert.Equal("shop", cells[2]);
            Assert.Equal("succeeded", cells[4]);
        }

        // newest first
        var seqs = (await page.Locator("table.journal tbody tr td:first-child").AllInnerTextsAsync()).Select(long.Parse).ToList();
        Assert.Equal(seqs.OrderDescending(), seqs);
        await Screenshots.TakeAsync(page, "journal-safe");
    }

    [Fact]
    public async Task The_api_gives_the_same_sites_and_a_paged_journal()
    {
        using var http = new HttpClient { BaseAddress = home.Cockpit.Url };
        using var sites = JsonDocument.Parse(await http.GetStringAsync("/api/sites"));
        Assert.Equal("safe", sites.RootElement.GetProperty("mode").GetString());
        var names = sites.RootElement.GetProperty("sites").EnumerateArray().Select(s => s.GetProperty("status").GetProperty("site").GetString()).Order().ToList();
        Assert.Equal(["blog", "news", "shop"], names);

        using var shop = JsonDocument.Parse(await http.GetStringAsync("/api/sites/shop"));
        Assert.Equal("1.1.0", shop.RootElement.GetProperty("site").GetProperty("status").GetProperty("candidate").GetProperty("version").GetString());

        using var journal = JsonDocument.Parse(await http.GetStringAsync("/api/journal?site=shop&size=1&page=2"));
        Assert.True(journal.RootElement.GetProperty("verify").GetProperty("ok").GetBoolean());
        Assert.Single(journal.RootElement.GetProperty("entries").EnumerateArray());
        Assert.True(journal.RootElement.GetProperty("total").GetInt32() >= 2);

        using var missing = await http.GetAsync("/api/sites/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
