using System.Net;
using System.Text.Json;
using BlueGreen.Cockpit.Tests.Support;
using BlueGreen.Infrastructure;
using BlueGreen.Infrastructure.State;
using BlueGreen.Testing;

namespace BlueGreen.Cockpit.Tests;

/// <summary>
/// The cockpit's /metrics against a home brought to a known state by the real commands, parsed by
/// Prometheus' reference parser: every value is the state's, the routing file's or `journal verify`'s.
/// </summary>
public sealed class MetricsTests
{
    private static async Task<IReadOnlyDictionary<string, PromFamily>> ScrapeAsync(CockpitUnderTest cockpit)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(cockpit.At("/metrics"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_metrics_match_the_home_state_routing_and_journal_and_follow_a_switch()
    {
        using var home = new TempHome();
        await using var a = await SlotServer.StartAsync("a");
        await using var b = await SlotServer.StartAsync("b");
        home.AddSite("shop", a.Url, b.Url);
        home.AddSite("blog", a.Url, b.Url);
        await Cli.MustAsync(home.Root, "deploy", "shop", "--version", "1.0.0");
        await Cli.MustAsync(home.Root, "validate", "shop");
        await Cli.MustAsync(home.Root, "apply", "shop", "--yes");
        await Cli.MustAsync(home.Root, "deploy", "shop", "--version", "2.0.0");
        await Cli.MustAsync(home.Root, "validate", "shop");
        await Cli.MustAsync(home.Root, "deploy", "blog", "--version", "0.1.0");

        var shop = new StateStore(Home.At(home.Root)).Read("shop");
        var validatedAt = shop.Validation!.At;
        var clock = new TimerWatchingClock(validatedAt.AddSeconds(90));
        await using var cockpit = await CockpitUnderTest.StartAsync(home.Root, o => o with { Clock = clock });

        var m = await ScrapeAsync(cockpit);
        Assert.Equal("gauge", m["bluegreen_site_live_info"].Type);
        Assert.Equal(1, m.Value("bluegreen_site_live_info", ("site", "shop"), ("slot", "a"), ("version", "1.0.0")));
        Assert.Single(m.Samples("bluegreen_site_live_info"));
        Assert.Equal(1, m.Value("bluegreen_site_candidate_info", ("site", "shop"), ("slot", "b"), ("version", "2.0.0")));
        Assert.Equal(1, m.Value("bluegreen_site_candidate_info", ("site", "blog"), ("slot", "a"), ("version", "0.1.0")));
        Assert.Equal(shop.LastSwitch!.At.ToUnixTimeMilliseconds() / 1000.0, m.Value("bluegreen_site_last_switch_timestamp_seconds", ("site", "shop")));
        Assert.Empty(m.Samples("bluegreen_site_last_switch_timestamp_seconds", ("site", "blog")));
        Assert.Equal(90, m.Value("bluegreen_site_validation_age_seconds", ("site", "shop"), ("passed", "true")));
        Assert.Empty(m.Samples("bluegreen_site_validation_age_seconds", ("site", "blog")));

        // The routing file's production weights: all on a; blog, never switched, has no production router.
        Assert.Equal(1, m.Value("bluegreen_site_weight", ("site", "shop"), ("slot", "a")));
        Assert.Equal(0, m.Value("bluegreen_site_weight", ("site", "shop"), ("slot", "b")));
        Assert.Empty(m.Samples("bluegreen_site_weight", ("site", "blog")));

        var verify = await JournalVerifyAsync(home.Root);
        Assert.Equal(verify.GetProperty("entries").GetInt64(), m.Value("bluegreen_journal_entries"));
        Assert.Equal(1, m.Value("bluegreen_journal_head_info", ("hash", verify.GetProperty("head").GetString()!)));
        Assert.Single(m.Samples("bluegreen_journal_head_info"));
        Assert.Equal(1, m.Value("bluegreen_journal_verified"));

        // After the switch, the series say the new truth, and the old live series is gone (not left at 1).
        await Cli.MustAsync(home.Root, "apply", "shop", "--yes");
        m = await ScrapeAsync(cockpit);
        Assert.Equal(1, m.Value("bluegreen_site_live_info", ("site", "shop"), ("slot", "b"), ("version", "2.0.0")));
        Assert.Single(m.Samples("bluegreen_site_live_info"));
        Assert.Equal(1, m.Value("bluegreen_site_candidate_info", ("site", "shop"), ("slot", "a"), ("version", "1.0.0")));
        Assert.Equal(0, m.Value("bluegreen_site_weight", ("site", "shop"), ("slot", "a")));
        Assert.Equal(1, m.Value("bluegreen_site_weight", ("site", "shop"), ("slot", "b")));
        var after = new StateStore(Home.At(home.Root)).Read("shop");
        Assert.Equal(after.LastSwitch!.At.ToUnixTimeMilliseconds() / 1000.0, m.Value("bluegreen_site_last_switch_timestamp_seconds", ("site", "shop")));
        verify = await JournalVerifyAsync(home.Root);
        Assert.Equal(verify.GetProperty("entries").GetInt64(), m.Value("bluegreen_journal_entries"));
        Assert.Equal(1, m.Value("bluegreen_journal_head_info", ("hash", verify.GetProperty("head").GetString()!)));
    }

    [Fact]
    public async Task A_broken_journal_chain_reads_as_not_verified()
    {
        using var home = new TempHome();
        await using var a = await SlotServer.StartAsync("a");
        await using var b = await SlotServer.StartAsync("b");
        home.AddSite("shop", a.Url, b.Url);
        await Cli.MustAsync(home.Root, "deploy", "shop", "--version", "1.0.0");
        await Cli.MustAsync(home.Root, "deploy", "shop", "--version", "1.0.1");
        var lines = File.ReadAllLines(home.JournalFile);
        lines[0] = lines[0].Replace("1.0.0", "6.6.6", StringComparison.Ordinal);
        File.WriteAllLines(home.JournalFile, lines);
        Assert.NotEqual(0, (await Cli.RunAsync(home.Root, "journal", "verify")).ExitCode);

        await using var cockpit = await CockpitUnderTest.StartAsync(home.Root);
        var m = await ScrapeAsync(cockpit);
        Assert.Equal(0, m.Value("bluegreen_journal_verified"));
    }

    [Fact]
    public async Task In_admin_mode_a_scrape_without_a_session_gets_401_not_the_login_page()
    {
        using var home = AdminHome.Create();
        await using var cockpit = await CockpitUnderTest.StartAsync(home.Root);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var response = await http.GetAsync(cockpit.At("/metrics"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static async Task<JsonElement> JournalVerifyAsync(string home)
    {
        var result = await Cli.MustAsync(home, "journal", "verify", "--json");
        using var doc = JsonDocument.Parse(result.Stdout);
        return doc.RootElement.Clone();
    }
}
