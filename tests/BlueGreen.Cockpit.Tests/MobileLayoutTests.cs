using BlueGreen.Cockpit.Tests.Support;
using BlueGreen.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace BlueGreen.Cockpit.Tests;

/// <summary>
/// An admin home with sites in every state a page must fit: a live site with a validated candidate
/// (its switch would go through), one whose candidate failed a gate, one with drift, one never validated.
/// </summary>
public sealed class MobileHome : IAsyncLifetime
{
    public TempHome Home { get; } = AdminHome.Create();

    public List<SlotServer> Slots { get; } = [];

    public CockpitUnderTest Cockpit { get; private set; } = null!;

    /// <summary>The browser's storage state of the admin session (the tests of a class run one at a time).</summary>
    public string? AdminSession { get; set; }

    public async Task InitializeAsync()
    {
        await Cli.AddSitesAsync(Home, Slots, "shop", "blog", "news", "cart", "docs");
        var root = Home.Root;
        // shop: live 1.0.0 on a, validated candidate 1.1.0 on b (apply would go through).
        await Cli.LiveWithValidatedCandidateAsync(root, "shop");
        // blog: never switched, its candidate fails the HTTP gate with a long unbroken body.
        Slots[2].HealthStatus = 500;
        Slots[2].Body = "upstream-said:" + new string('x', 300);
        await Cli.MustAsync(root, "deploy", "blog", "--version", "0.9.0-rc.1+build.20261129.abcdef0123456789");
        await Cli.RunAsync(root, "validate", "blog");
        // news: switched, then its routing file edited by hand (drift: every switch refused).
        await Cli.MustAsync(root, "deploy", "news", "--version", "3.0.0");
        await Cli.MustAsync(root, "validate", "news");
        await Cli.MustAsync(root, "apply", "news", "--yes");
        var routing = File.ReadAllText(Home.RoutingFile("news"));
        File.WriteAllText(Home.RoutingFile("news"), routing.Replace("weight: 1", "weight: X").Replace("weight: 0", "weight: 1").Replace("weight: X", "weight: 0"));
        // cart: a candidate deployed and never validated.
        await Cli.MustAsync(root, "deploy", "cart", "--version", "2.0.0");
        // docs: switched twice, live on b.
        foreach (var version in new[] { "1.0.0", "1.1.0" })
        {
            await Cli.MustAsync(root, "deploy", "docs", "--version", version);
            await Cli.MustAsync(root, "validate", "docs");
            await Cli.MustAsync(root, "apply", "docs", "--yes");
        }

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
public sealed class MobileLayoutTests(Browser browser, MobileHome home, ITestOutputHelper output) : IClassFixture<MobileHome>
{
    [Fact]
    public async Task An_admin_sees_apply_disabled_with_the_reason_when_the_candidate_is_not_validated()
    {
        var page = await LoggedInAsync(1400);
        await page.GotoAsync(home.Cockpit.At("/sites/cart"));
        var apply = page.Locator(".actionbar [data-action=apply]");
        Assert.True(await apply.IsDisabledAsync(), "Apply must be disabled when the dry run would refuse");
        var why = await page.Locator(".actionbar .why[data-for=apply]").InnerTextAsync();
        Assert.Contains("not validated", why);
        // The same words as the plan page (one decision for both).
        await page.GotoAsync(home.Cockpit.At("/admin/sites/cart/apply"));
        var alert = await page.Locator(".alert").First.InnerTextAsync();
        Assert.Contains(why["Apply: ".Length..], alert);

        // On the board too, and a switch that would go through stays a link to its plan.
        await page.GotoAsync(home.Cockpit.At("/"));
        Assert.True(await page.Locator("tr[data-site=cart] [data-action=apply]").IsDisabledAsync());
        Assert.Contains("not validated", await page.Locator("tr[data-site=cart] .why[data-for=apply]").InnerTextAsync());
        Assert.Equal("a", await page.Locator("tr[data-site=shop] [data-action=apply]").EvaluateAsync<string>("e => e.tagName.toLowerCase()"));
        Assert.Equal(0, await page.Locator("tr[data-site=shop] .why[data-for=apply]").CountAsync());
        Assert.True(await page.Locator("tr[data-site=news] [data-action=apply]").IsDisabledAsync(), "drift refuses every switch");
    }

    [Fact]
    public async Task The_live_card_comes_first_whichever_slot_is_live()
    {
        var page = await LoggedInAsync(1400);
        foreach (var (site, live) in new[] { ("shop", "a"), ("docs", "b") })
        {
            await page.GotoAsync(home.Cockpit.At("/sites/" + site));
            var cards = page.Locator(".slots .card");
            Assert.Contains("LIVE", await cards.First.InnerTextAsync());
            Assert.Equal(live, await cards.First.Locator(".slot").InnerTextAsync());
            Assert.Contains("CANDIDATE", await cards.Nth(1).InnerTextAsync());
        }

        // Before the first switch the candidate keeps the second place.
        await page.GotoAsync(home.Cockpit.At("/sites/cart"));
        Assert.Contains("CANDIDATE", await page.Locator(".slots .card").Nth(1).InnerTextAsync());
    }

    [Theory]
    [InlineData(390)]
    [InlineData(1400)]
    public async Task Board_site_and_plan_pages_fit_the_screen_and_are_saved_as_screenshots(int width)
    {
        var page = await LoggedInAsync(width);
        foreach (var (name, path) in new[] { ("board", "/"), ("site", "/sites/blog"), ("site-live", "/sites/shop"), ("plan", "/admin/sites/shop/apply"), ("plan-refused", "/admin/sites/news/apply") })
        {
            await page.GotoAsync(home.Cockpit.At(path));
            var shot = await Screenshots.TakeAsync(page, $"mobile-{name}-{width}");
            output.WriteLine($"screenshot: {shot}");
            var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, innerWidth]");
            Assert.True(widths[0] <= widths[1], $"{path} at {width} px: the page is {widths[0]} px wide in a {widths[1]} px viewport");
            var overflowing = await page.EvaluateAsync<string[]>(WiderThanTheViewport);
            Assert.True(overflowing.Length == 0, $"{path} at {width} px: wider than the viewport: {string.Join("; ", overflowing)}");
        }
    }

    /// <summary>
    /// Elements of the main content reaching beyond the viewport, except inside a container that
    /// scrolls or clips on its own (a wide table or a code block scrolls inside itself, as intended).
    /// </summary>
    private const string WiderThanTheViewport = """
        () => {
          const w = document.documentElement.clientWidth, bad = [];
          for (const el of document.querySelectorAll('main, main *')) {
            let p = el.parentElement, inside = false;
            for (; p && p !== document.body; p = p.parentElement) {
              if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) { inside = true; break; }
            }
            const r = el.getBoundingClientRect();
            if (!inside && r.width > 0 && (r.right > w + 0.5 || r.left < -0.5)) {
              bad.push(`${el.tagName.toLowerCase()}.${el.className} right=${Math.round(r.right)}`);
            }
          }
          return bad;
        }
        """;

    /// <summary>A page of the given width in the admin session, logged in once per fixture (logins are throttled).</summary>
    private async Task<IPage> LoggedInAsync(int width)
    {
        if (home.AdminSession is null)
        {
            var login = await browser.Instance.NewContextAsync();
            var page = await login.NewPageAsync();
            await page.GotoAsync(home.Cockpit.At("/login"));
            await page.FillAsync("input[name=token]", AdminHome.Token);
            await page.ClickAsync("button[type=submit]");
            await page.WaitForURLAsync(home.Cockpit.At("/"));
            home.AdminSession = await login.StorageStateAsync();
        }

        var context = await browser.Instance.NewContextAsync(new()
        {
            ViewportSize = new() { Width = width, Height = 844 },
            StorageState = home.AdminSession,
        });
        return await context.NewPageAsync();
    }
}
