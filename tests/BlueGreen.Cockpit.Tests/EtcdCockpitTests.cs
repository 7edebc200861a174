using System.Net;
using System.Text.Json;
using BlueGreen.Cockpit.Tests.Support;
using BlueGreen.Testing;

namespace BlueGreen.Cockpit.Tests;

/// <summary>
/// With ROUTING_STORE=etcd the cockpit of any host shows the cluster's sites: a switch made on host 1 is on host 2's
/// board, API and site page (state, routing keys, journal), and an unreachable cluster is a page that says so (503),
/// not a failed request. Two homes on one real etcd member stand for the two hosts.
/// </summary>
public sealed class EtcdCockpitTests : IAsyncLifetime
{
    private EtcdCluster _etcd = null!;
    private SlotServer _a = null!;
    private SlotServer _b = null!;
    private readonly TempHome _host1 = new(null);
    private readonly TempHome _host2 = new(null);

    public async Task InitializeAsync()
    {
        _etcd = EtcdCluster.Start(1);
        _a = await SlotServer.StartAsync("a");
        _b = await SlotServer.StartAsync("b");
        foreach (var home in new[] { _host1, _host2 })
        {
            home.WriteGlobal($"ROUTER_API=\nROUTING_STORE=etcd\nETCD_ENDPOINTS={_etcd.Endpoints}\n");
            home.AddSite("shop", _a.Url, _b.Url);
        }
    }

    public async Task DisposeAsync()
    {
        _etcd.Dispose();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _host1.Dispose();
        _host2.Dispose();
    }

    [Fact]
    public async Task Host_2s_cockpit_shows_host_1s_switch_and_an_unreachable_etcd_as_a_page_that_says_so()
    {
        await Cli.MustAsync(_host1.Root, "deploy", "shop", "--version", "1.0.0");
        await Cli.MustAsync(_host1.Root, "validate", "shop");
        await Cli.MustAsync(_host1.Root, "apply", "shop", "--yes");

        await using var cockpit = await CockpitUnderTest.StartAsync(_host2.Root);
        using var http = new HttpClient { BaseAddress = cockpit.Url };

        using var sites = JsonDocument.Parse(await http.GetStringAsync("/api/sites"));
        var row = sites.RootElement.GetProperty("sites")[0].GetProperty("status");
        Assert.Equal(("a", "1.0.0"), (row.GetProperty("live").GetProperty("slot").GetString(), row.GetProperty("live").GetProperty("version").GetString()));
        Assert.Equal("apply", row.GetProperty("last_switch").GetProperty("action").GetString());

        using var shop = JsonDocument.Parse(await http.GetStringAsync("/api/sites/shop"));
        var routing = shop.RootElement.GetProperty("routing_file");
        Assert.Equal("etcd traefik/http/…/shop*", routing.GetProperty("path").GetString());
        Assert.Contains("traefik/http/services/shop/weighted/services/0/weight = 1\n", routing.GetProperty("text").GetString());
        Assert.Contains(shop.RootElement.GetProperty("journal").EnumerateArray(), e => e.GetProperty("action").GetString() == "apply" && e.GetProperty("outcome").GetString() == "succeeded");

        var board = await http.GetStringAsync("/");
        Assert.Contains("1.0.0", board);

        // The weights in the metrics are the ones in etcd (host 2 has no routing file at all).
        var metrics = PrometheusText.Parse(await http.GetStringAsync("/metrics"));
        Assert.Equal(1, metrics.Value("bluegreen_site_weight", ("site", "shop"), ("slot", "a")));
        Assert.Equal(0, metrics.Value("bluegreen_site_weight", ("site", "shop"), ("slot", "b")));
        Assert.False(File.Exists(_host2.RoutingFile("shop")));

        _etcd.KillAll();
        using var api = await http.GetAsync("/api/sites");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, api.StatusCode);
        using var error = JsonDocument.Parse(await api.Content.ReadAsStringAsync());
        Assert.StartsWith($"etcd is unreachable at {_etcd.Endpoints} (", error.RootElement.GetProperty("error").GetString());
        using var page = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Contains($"etcd is unreachable at {_etcd.Endpoints}", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_mirror_that_no_longer_follows_etcd_shows_on_the_board_though_the_sites_state_and_routing_did_not_change()
    {
        await Cli.MustAsync(_host1.Root, "deploy", "shop", "--version", "1.0.0");
        await using var cockpit = await CockpitUnderTest.StartAsync(_host2.Root);
        using var http = new HttpClient { BaseAddress = cockpit.Url };
        Assert.False(await NeedsAttentionAsync(http), "a clean reading first (it is what the cockpit keeps)");

        // The entry host 2's mirror ends at, altered in etcd: its hash is no longer the mirror's.
        var seq = JsonDocument.Parse(_etcd.Ctl("get", "bluegreen/journal/head", "--print-value-only")).RootElement.GetProperty("seq").GetInt64();
        var key = $"bluegreen/journal/entries/{seq:D12}";
        var line = _etcd.Ctl("get", key, "--print-value-only").TrimEnd('\n');
        var altered = System.Text.RegularExpressions.Regex.Replace(line, "\"hash\":\"(.)", m => $"\"hash\":\"{(m.Groups[1].Value == "0" ? "1" : "0")}");
        Assert.NotEqual(line, altered);
        _etcd.Ctl("put", key, altered);

        using var sites = JsonDocument.Parse(await http.GetStringAsync("/api/sites"));
        var row = sites.RootElement.GetProperty("sites")[0];
        Assert.True(row.GetProperty("needs_attention").GetBoolean(), row.ToString());
        Assert.Contains("does not follow the journal in etcd", row.GetProperty("status").GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_garbage_journal_head_in_etcd_is_shown_on_the_sites_not_a_failed_request()
    {
        await Cli.MustAsync(_host1.Root, "deploy", "shop", "--version", "1.0.0");
        _etcd.Ctl("put", "bluegreen/journal/head", "not a head");
        await using var cockpit = await CockpitUnderTest.StartAsync(_host2.Root);
        using var http = new HttpClient { BaseAddress = cockpit.Url };

        using var api = await http.GetAsync("/api/sites");
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        using var sites = JsonDocument.Parse(await api.Content.ReadAsStringAsync());
        var row = sites.RootElement.GetProperty("sites")[0];
        Assert.True(row.GetProperty("needs_attention").GetBoolean(), row.ToString());
        Assert.Contains("bluegreen/journal/head: cannot write the journal (the journal in etcd is damaged", row.GetProperty("status").GetProperty("error").GetString());
        foreach (var page in new[] { "/", "/sites/shop", "/api/sites/shop" })
        {
            using var response = await http.GetAsync(page);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{page}: {(int)response.StatusCode}");
            Assert.Contains("bluegreen/journal/head", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task An_admin_login_is_journaled_in_etcd_and_this_hosts_mirror_stays_a_copy_of_it()
    {
        await Cli.MustAsync(_host1.Root, "deploy", "shop", "--version", "1.0.0");
        _host2.WriteGlobal($"ROUTER_API=\nROUTING_STORE=etcd\nETCD_ENDPOINTS={_etcd.Endpoints}\nCOCKPIT_MODE=admin\n");
        var token = _host2.Path_("conf", "cockpit.token");
        File.WriteAllText(token, AdminHome.Token + "\n");
        File.SetUnixFileMode(token, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using (var cockpit = await CockpitUnderTest.StartAsync(_host2.Root))
        {
            using var client = new AdminClient(cockpit.Url);
            await client.LogInAsync();
        }

        var last = _etcd.ReadPrefix("bluegreen/journal/entries/").Values.Last();
        Assert.Contains("\"action\":\"login\"", last);
        Assert.Contains("\"via\":\"cockpit\"", last);
        var verify = await Cli.MustAsync(_host2.Root, "journal", "verify");
        Assert.Contains("equal", verify.Stdout);
        Assert.Contains(await Cli.JournalAsync(_host1.Root), e => e.GetProperty("action").GetString() == "login");
    }

    private static async Task<bool> NeedsAttentionAsync(HttpClient http)
    {
        using var sites = JsonDocument.Parse(await http.GetStringAsync("/api/sites"));
        return sites.RootElement.GetProperty("sites")[0].GetProperty("needs_attention").GetBoolean();
    }
}
