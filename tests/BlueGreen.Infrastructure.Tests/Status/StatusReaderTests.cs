using BlueGreen.Core.Configuration;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.State;
using BlueGreen.Infrastructure.Status;
using BlueGreen.Testing;

namespace BlueGreen.Infrastructure.Tests.Status;

public sealed class StatusReaderTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TempHome _home = new();
    private readonly HttpClient _http = new();

    public StatusReaderTests() =>
        _home.AddSite("shop", new Uri("http://127.0.0.1:1"), new Uri("http://127.0.0.1:2"));

    public void Dispose()
    {
        _http.Dispose();
        _home.Dispose();
    }

    private Home Home => Home.At(_home.Root);

    private async Task<SiteStatus> ReadAsync(bool probe = false) =>
        Assert.Single(await new StatusReader(Home, new GlobalConfig { RouterApis = "" }, _http).ReadAsync(["shop"], probe ? StatusProbes.Health : StatusProbes.None, CancellationToken.None));

    private void WriteState(Slot? live) => new StateStore(Home).Write(
        new SiteState
        {
            Site = "shop",
            Live = live,
            RollbackTarget = live?.Other(),
            SlotA = SlotLife.Deployed(new Deployment("d1", "v1", Now, "ops@host")),
            SlotB = SlotLife.Deployed(new Deployment("d2", "v2", Now, "ops@host")),
            Validation = new ValidationSummary(live == Slot.A ? "d2" : "d1", true, Now, null, null, "r.json"),
        },
        Now);

    private void WriteRouting(Slot? live)
    {
        var (site, _) = ConfigLoader.LoadSite(Home, "shop", new GlobalConfig());
        Directory.CreateDirectory(Path.GetDirectoryName(_home.RoutingFile("shop"))!);
        File.WriteAllText(_home.RoutingFile("shop"), RoutingPlanner.Render(site!, live, live?.Other() ?? Slot.A, "test"));
    }

    [Fact]
    public async Task A_site_whose_routing_file_agrees_with_the_state_has_no_drift()
    {
        WriteState(Slot.A);
        WriteRouting(Slot.A);

        var status = await ReadAsync();

        Assert.Null(status.Error);
        Assert.Null(status.Drift);
        Assert.Equal("a", status.Live!.Slot);
        Assert.Equal("v1", status.Live.Version);
        Assert.Null(status.Live.Health);
        Assert.Equal("b", status.Candidate.Slot);
        Assert.Equal("v2", status.Candidate.Version);
        Assert.Equal("d2", status.Validation?.DeploymentId);
        Assert.Equal("b (v2)", status.RollbackTo);
    }

    [Fact]
    public async Task Drift_is_reported_when_the_routing_file_says_b_and_the_state_says_a()
    {
        WriteState(Slot.A);
        WriteRouting(Slot.B);

        var status = await ReadAsync();

        Assert.Null(status.Error);
        Assert.Equal("the routing file sends users to slot b but the state says slot a is live", status.Drift);
    }

    [Fact]
    public async Task Drift_is_reported_when_the_state_has_a_live_slot_and_the_routing_file_is_missing()
    {
        WriteState(Slot.B);

        var status = await ReadAsync();

        Assert.Equal("the state says slot b is live but there is no routing file", status.Drift);
    }

    [Fact]
    public async Task Drift_is_reported_when_the_routing_file_routes_users_that_the_state_never_switched()
    {
        WriteState(null);
        WriteRouting(Slot.A);

        var status = await ReadAsync();

        Assert.Equal("the routing file sends users to slot a but the state says no slot is live", status.Drift);
    }

    [Fact]
    public async Task A_routing_file_that_does_not_parse_is_reported_as_drift()
    {
        WriteState(Slot.A);
        Directory.CreateDirectory(Path.GetDirectoryName(_home.RoutingFile("shop"))!);
        File.WriteAllText(_home.RoutingFile("shop"), "http: [broken\n");

        var status = await ReadAsync();

        Assert.StartsWith("the routing file cannot tell which slot users are on: ", status.Drift);
        Assert.Contains(_home.RoutingFile("shop"), status.Drift);
    }

    [Fact]
    public async Task A_site_never_deployed_has_a_candidate_on_slot_a_and_no_drift()
    {
        var status = await ReadAsync();

        Assert.Null(status.Error);
        Assert.Null(status.Drift);
        Assert.Null(status.Live);
        Assert.Equal("a", status.Candidate.Slot);
        Assert.Null(status.Candidate.Version);
    }

    [Fact]
    public async Task A_corrupt_state_file_is_reported_as_an_error_not_thrown_and_left_as_it_is()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_home.StateFile("shop"))!);
        File.WriteAllText(_home.StateFile("shop"), "{\"site\":\"shop\",");

        var status = await ReadAsync();

        Assert.NotNull(status.Error);
        Assert.Contains(_home.StateFile("shop"), status.Error);
        Assert.Contains("unreadable", status.Error);
        Assert.Equal("{\"site\":\"shop\",", File.ReadAllText(_home.StateFile("shop")));
    }

    [Fact]
    public async Task A_site_whose_configuration_is_broken_is_reported_as_an_error()
    {
        _home.WriteSite("shop", "RULE=Host(`x`)\n");

        var status = await ReadAsync();

        Assert.Contains("missing required key SLOT_A_URL", status.Error);
    }

    [Fact]
    public async Task A_typo_in_a_live_sites_file_does_not_hide_its_state()
    {
        WriteState(Slot.A);
        WriteRouting(Slot.A);
        File.AppendAllText(_home.Path_("conf", "sites", "shop.conf"), "HEALTH_PAHT=/health\n");

        var status = await ReadAsync(probe: true);

        Assert.Equal(("a", "v1", ""), (status.Live!.Slot, status.Live.Version, status.Live.Url));
        Assert.Null(status.Live.Health); // not probed: the file that says how is in error
        Assert.Equal(("b", "v2"), (status.Candidate.Slot, status.Candidate.Version));
        Assert.Null(status.Drift);
        Assert.Contains("unknown key HEALTH_PAHT", Assert.Single(status.ConfigErrors!));
        Assert.Equal([$"configuration: {status.ConfigErrors![0]}"], status.Attention);
    }

    [Fact]
    public async Task Every_site_asked_for_is_read_even_when_one_is_broken()
    {
        _home.AddSite("blog", new Uri("http://127.0.0.1:3"), new Uri("http://127.0.0.1:4"));
        Directory.CreateDirectory(Path.GetDirectoryName(_home.StateFile("shop"))!);
        File.WriteAllText(_home.StateFile("shop"), "");

        var statuses = await new StatusReader(Home, new GlobalConfig(), _http).ReadAsync(["blog", "shop", "ghost"], StatusProbes.None, CancellationToken.None);

        Assert.Equal(["blog", "shop", "ghost"], statuses.Select(s => s.Site));
        Assert.Null(statuses[0].Error);
        Assert.Contains("empty file", statuses[1].Error);
        Assert.Contains("no site named 'ghost'", statuses[2].Error);
    }

    [Fact]
    public async Task A_reader_that_reuses_readings_sees_every_change_of_the_state_the_routing_file_and_the_site_file()
    {
        var reader = new StatusReader(Home, new GlobalConfig { RouterApis = "" }, _http, reuseUnchanged: true);
        async Task<SiteStatus> Read() => Assert.Single(await reader.ReadAsync(["shop"], StatusProbes.None, CancellationToken.None));
        WriteState(Slot.A);
        WriteRouting(Slot.A);
        var first = await Read();
        Assert.Equal("a", first.Live!.Slot);
        Assert.Null(first.Drift);
        Assert.Equal(first.Live, (await Read()).Live); // unchanged files: the kept reading, the same answer

        _home.SwapWeightsByHand("shop");
        Assert.NotNull((await Read()).Drift);

        WriteState(Slot.B);
        var afterState = await Read();
        Assert.Equal("b", afterState.Live!.Slot);
        Assert.Null(afterState.Drift);

        File.AppendAllText(Path.Combine(_home.Root, "conf", "sites", "shop.conf"), "HEALTH_PAHT=/x\n");
        Assert.Contains("unknown key HEALTH_PAHT", Assert.Single((await Read()).ConfigErrors!));
    }

    [Fact]
    public async Task The_health_of_the_live_slot_is_probed_when_asked()
    {
        await using var slotA = await SlotServer.StartAsync("a");
        _home.AddSite("shop", slotA.Url, new Uri("http://127.0.0.1:2"));
        WriteState(Slot.A);
        WriteRouting(Slot.A);

        Assert.Equal("up", (await ReadAsync(probe: true)).Live!.Health);

        slotA.HealthStatus = 500;
        Assert.Equal("down (HTTP 500)", (await ReadAsync(probe: true)).Live!.Health);
    }

    [Fact]
    public async Task A_live_slot_that_refuses_connections_is_down()
    {
        WriteState(Slot.A);
        WriteRouting(Slot.A);

        var status = await ReadAsync(probe: true);

        Assert.Equal("down (connection refused)", status.Live!.Health);
    }
}
