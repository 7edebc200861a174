using System.Net;
using System.Text.Json;
using BlueGreen.Cockpit.Tests.Support;
using BlueGreen.Testing;
using Microsoft.Playwright;

namespace BlueGreen.Cockpit.Tests;

[Collection(BrowserCollection.Name)]
public sealed class AdminModeTests(Browser browser) : IAsyncLifetime
{
    private readonly TempHome _home = AdminHome.Create();
    private readonly List<SlotServer> _slots = [];
    private CockpitUnderTest _cockpit = null!;

    public async Task InitializeAsync()
    {
        await Cli.AddSitesAsync(_home, _slots, "shop", "blog");
        await Cli.MustAsync(_home.Root, "deploy", "shop", "--version", "2.0.0");
        await Cli.MustAsync(_home.Root, "deploy", "blog", "--version", "0.3.0");
        _cockpit = await CockpitUnderTest.StartAsync(_home.Root);
    }

    public async Task DisposeAsync()
    {
        await _cockpit.DisposeAsync();
        foreach (var slot in _slots)
        {
            await slot.DisposeAsync();
        }

        _home.Dispose();
    }

    [Fact]
    public async Task A_wrong_token_is_refused_slowly_and_journaled()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(_cockpit.At("/"));
        Assert.EndsWith("/login", page.Url);
        await page.FillAsync("input[name=token]", "not-the-token-not-the-token-not-the-token");
        var started = DateTime.UtcNow;
        var response = await PostAndWaitAsync(page, () => page.ClickAsync("button[type=submit]"));
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(0.9), "a failed login is slowed down");
        Assert.Equal(401, response.Status);
        Assert.Contains("Wrong token", await page.Locator(".alert").InnerTextAsync());
        Assert.Equal(0, await page.Locator("td.actions").CountAsync());

        var refusal = (await Cli.JournalAsync(_home.Root)).Last();
        Assert.Equal("login", refusal.GetProperty("action").GetString());
        Assert.Equal("failed", refusal.GetProperty("outcome").GetString());
        Assert.Equal("cockpit", refusal.GetProperty("via").GetString());
        Assert.Equal($"{Environment.UserName}@{Environment.MachineName}", refusal.GetProperty("actor").GetString());
        Assert.Equal("wrong admin token from 127.0.0.1", refusal.GetProperty("message").GetString());
        await Cli.MustAsync(_home.Root, "journal", "verify");
    }

    [Fact]
    public async Task The_right_token_logs_in_and_shows_the_actions_and_logout_ends_the_session()
    {
        var page = await LoggedInAsync();
        Assert.Contains("admin mode", await page.Locator(".mode").InnerTextAsync());
        Assert.Equal(2, await page.Locator("td.actions").CountAsync());
        var cookies = await page.Context.CookiesAsync();
        var session = cookies.Single(c => c.Name == "bluegreen_cockpit_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        await Screenshots.TakeAsync(page, "board-admin");

        await page.ClickAsync("form.logout button");
        await page.WaitForURLAsync("**/login");
        await page.GotoAsync(_cockpit.At("/sites/shop"));
        Assert.EndsWith("/login", page.Url);
    }

    [Fact]
    public async Task The_browsers_own_form_posts_pass_the_origin_check_and_a_foreign_origin_does_not()
    {
        var page = await LoggedInAsync();
        await page.GotoAsync(_cockpit.At("/sites/blog"));
        var response = await PostAndWaitAsync(page, () => page.ClickAsync(".actionbar form button"));
        Assert.Equal(200, response.Status); // Chromium sent its Origin (the cockpit's Referrer-Policy lets it)

        var token = await page.Locator("input[name=bluegreen_form_token]").First.GetAttributeAsync("value");
        var forged = await page.Context.APIRequest.PostAsync(_cockpit.At("/admin/sites/shop/validate"), new()
        {
            Form = page.Context.APIRequest.CreateFormData().Set("bluegreen_form_token", token!),
            Headers = new Dictionary<string, string> { ["Origin"] = "http://evil.example" },
        });
        Assert.Equal(403, forged.Status);
    }

    [Fact]
    public async Task A_switch_the_rules_refuse_shows_why_and_offers_no_confirmation()
    {
        var page = await LoggedInAsync();
        await page.GotoAsync(_cockpit.At("/admin/sites/blog/apply"));
        var main = await page.Locator("main").InnerTextAsync();
        Assert.Contains("would not go through", main);
        Assert.Contains("not validated", main);
        Assert.Equal(0, await page.Locator("#confirm").CountAsync());
        await Screenshots.TakeAsync(page, "admin-refused-plan");
    }

    [Fact]
    public async Task Validate_through_the_browser_runs_run_sh_and_shows_the_exit_code()
    {
        var page = await LoggedInAsync();
        await page.GotoAsync(_cockpit.At("/sites/blog"));
        await PostAndWaitAsync(page, () => page.ClickAsync(".actionbar form button"));
        var main = await page.Locator("main").InnerTextAsync();
        Assert.Contains("./run.sh --home", main);
        Assert.Matches("exit code \\d", main);
        // The child ran with the cockpit's identity (validate's own journaling is validate's business).
        Assert.Matches("cockpit: session [0-9a-f]{8} from 127\\.0\\.0\\.1 runs .*run\\.sh --home .* validate blog", _cockpit.Log.ToString());
    }

    [Fact]
    public async Task Apply_through_the_browser_switches_the_site()
    {
        var validated = await Cli.RunAsync(_home.Root, "validate", "shop");
        Assert.True(validated.ExitCode == 0, $"this test needs a working `run.sh validate`: {validated}");
        var page = await LoggedInAsync();
        await page.GotoAsync(_cockpit.At("/admin/sites/shop/apply"));
        Assert.Contains("The plan", await page.Locator("main").InnerTextAsync());
        Assert.Equal("slot a (2.0.0)", await page.Locator("#plan-to").InnerTextAsync());
        await Screenshots.TakeAsync(page, "admin-confirm");

        await PostAndWaitAsync(page, () => page.ClickAsync("#confirm"));
        Assert.Contains("apply succeeded", await page.Locator("main").InnerTextAsync());
        await Screenshots.TakeAsync(page, "admin-result");

        var routing = File.ReadAllText(_home.RoutingFile("shop"));
        var json = RoutingSchema.YamlToJson(routing)!;
        var weights = json["http"]!["services"]!["shop"]!["weighted"]!["services"]!.AsArray()
            .ToDictionary(s => s!["name"]!.GetValue<string>(), s => s!["weight"]!.GetValue<long>());
        Assert.Equal(1, weights["shop-a"]);
        Assert.Equal(0, weights["shop-b"]);

        var status = await Cli.StatusAsync(_home.Root, "shop");
        Assert.Equal("a", status.GetProperty("live").GetProperty("slot").GetString());
        Assert.Equal("2.0.0", status.GetProperty("live").GetProperty("version").GetString());

        var applied = (await Cli.JournalAsync(_home.Root)).Last(e => e.GetProperty("action").GetString() == "apply");
        Assert.Equal("succeeded", applied.GetProperty("outcome").GetString());
        Assert.Equal("cockpit", applied.GetProperty("via").GetString());
        // The actor is the OS user running run.sh (the cockpit's), never a name the cockpit makes up.
        Assert.StartsWith(Environment.UserName, applied.GetProperty("actor").GetString());
        Assert.DoesNotContain("cockpit:", applied.GetProperty("actor").GetString());
    }

    [Fact]
    public async Task A_confirmation_whose_plan_went_stale_is_refused_and_nothing_switches()
    {
        await Cli.MustAsync(_home.Root, "validate", "shop");
        var page = await LoggedInAsync();
        await page.GotoAsync(_cockpit.At("/admin/sites/shop/apply"));
        Assert.Equal("slot a (2.0.0)", await page.Locator("#plan-to").InnerTextAsync());
        var shown = await page.Locator("#plan-id").InnerTextAsync();

        // A colleague deploys and validates another version while the plan page is open.
        await Cli.MustAsync(_home.Root, "deploy", "shop", "--version", "2.1.0");
        await Cli.MustAsync(_home.Root, "validate", "shop");
        string? Routing() => File.Exists(_home.RoutingFile("shop")) ? File.ReadAllText(_home.RoutingFile("shop")) : null;
        var routingBefore = Routing();

        await PostAndWaitAsync(page, () => page.ClickAsync("#confirm"));
        var main = await page.Locator("main").InnerTextAsync();
        Assert.Contains("apply did not go through", main);
        Assert.Contains("exit code 3", main);
        Assert.Contains($"--expect {shown}", main);
        Assert.Contains($"the plan changed since {shown} was shown: the deployment it makes live is now", main);

        Assert.Equal(routingBefore, Routing());
        Assert.False((await Cli.StatusAsync(_home.Root, "shop")).TryGetProperty("live", out _), "nothing became live");
        var refused = (await Cli.JournalAsync(_home.Root)).Last(e => e.GetProperty("action").GetString() == "apply");
        Assert.Equal("refused", refused.GetProperty("outcome").GetString());
        Assert.Equal("cockpit", refused.GetProperty("via").GetString());
        Assert.Contains(shown, refused.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Rollback_through_the_browser_restores_the_previous_live_slot()
    {
        foreach (var version in new[] { "2.0.0", "2.1.0" })
        {
            if (version != "2.0.0")
            {
                await Cli.MustAsync(_home.Root, "deploy", "shop", "--version", version);
            }

            await Cli.MustAsync(_home.Root, "validate", "shop");
            await Cli.MustAsync(_home.Root, "apply", "shop", "--yes");
        }

        Assert.Equal("b", (await Cli.StatusAsync(_home.Root, "shop")).GetProperty("live").GetProperty("slot").GetString());
        var page = await LoggedInAsync();
        await page.GotoAsync(_cockpit.At("/sites/shop"));
        await page.ClickAsync(".actionbar a:has-text('Rollback')");
        await page.WaitForURLAsync("**/admin/sites/shop/rollback");
        Assert.Contains("Rollback shop?", await page.Locator("h1").InnerTextAsync());
        await PostAndWaitAsync(page, () => page.ClickAsync("#confirm"));
        Assert.Contains("rollback succeeded", await page.Locator("main").InnerTextAsync());

        var live = (await Cli.StatusAsync(_home.Root, "shop")).GetProperty("live");
        Assert.Equal("a", live.GetProperty("slot").GetString());
        Assert.Equal("2.0.0", live.GetProperty("version").GetString());
        var rolledBack = (await Cli.JournalAsync(_home.Root)).Last(e => e.GetProperty("action").GetString() == "rollback");
        Assert.Equal("succeeded", rolledBack.GetProperty("outcome").GetString());
        Assert.Equal("cockpit", rolledBack.GetProperty("via").GetString());
    }

    private async Task<IPage> LoggedInAsync()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(_cockpit.At("/login"));
        await page.FillAsync("input[name=token]", AdminHome.Token);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(_cockpit.At("/"));
        return page;
    }

    /// <summary>Submits a form and waits for its answer and the page it loads (a run.sh child may take a while).</summary>
    private static async Task<IResponse> PostAndWaitAsync(IPage page, Func<Task> submit)
    {
        var response = await page.RunAndWaitForResponseAsync(submit, r => r.Request.Method == "POST", new() { Timeout = 120_000 });
        await page.WaitForLoadStateAsync(LoadState.Load);
        return response;
    }
}
