using System.Text.Json;
using BlueGreen.Router;
using BlueGreen.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// `status` says when users are hurt (docs/reference.md, "status"): through run.sh, against the real embedded
/// router and real slots, exit 0 only when nothing needs attention, 1 when something does, 2 for usage errors.
/// </summary>
public sealed class StatusTests : TwoSlotHomeTest
{
    private RunningRouter? _router;

    protected override async Task SetUpAsync()
    {
        _router = await EmbeddedRouter.StartAsync(new RouterOptions(Home.Path_("var", "routes"), "127.0.0.1:0", "127.0.0.1:0", AccessLog: false), NullLoggerFactory.Instance, CancellationToken.None);
        Home.WriteGlobal($"ROUTER_API={_router.ApiUrl}\nSWITCH_VERIFY_TIMEOUT=5\n");
        Home.AddSite("shop", A.Url, B.Url);
        foreach (var step in new[] { new[] { "deploy", "shop", "--version", "v1" }, ["validate", "shop"], ["apply", "shop", "--yes"] })
        {
            var result = await Run(step);
            Assert.True(result.ExitCode == 0, result.ToString());
        }
    }

    protected override async Task TearDownAsync()
    {
        if (_router is not null)
        {
            await _router.DisposeAsync();
        }
    }

    private static JsonElement Site(CliResult result) => JsonDocument.Parse(result.Stdout).RootElement.GetProperty("sites")[0];

    [Fact]
    public async Task All_good_exits_0_and_shows_the_router_serving_the_live_slot()
    {
        var status = await Run("status");

        Assert.True(status.ExitCode == 0, status.ToString());
        var row = status.Stdout.Split('\n').Single(l => l.StartsWith("shop\t", StringComparison.Ordinal)).Split('\t');
        Assert.Equal(["shop", "a v1", "up", "serves a"], row[..4]);
        Assert.DoesNotContain("attention", status.Stdout);
    }

    [Fact]
    public async Task Json_carries_the_router_the_attention_reasons_and_the_verdict()
    {
        var json = await Run("status", "--json");

        Assert.Equal(0, json.ExitCode);
        var root = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.False(root.GetProperty("needs_attention").GetBoolean());
        var site = root.GetProperty("sites")[0];
        Assert.Equal("serving", site.GetProperty("router").GetProperty("finding").GetString());
        Assert.Equal("a", site.GetProperty("router").GetProperty("slot").GetString());
        Assert.Contains("shop-a=1", site.GetProperty("router").GetProperty("detail").GetString());
        Assert.Equal("up", site.GetProperty("live").GetProperty("health").GetString());
        Assert.Equal(0, site.GetProperty("attention").GetArrayLength());
        Assert.False(site.GetProperty("needs_attention").GetBoolean());

        A.HealthStatus = 500;
        var down = await Run("status", "--json");
        Assert.Equal(1, down.ExitCode);
        Assert.True(JsonDocument.Parse(down.Stdout).RootElement.GetProperty("needs_attention").GetBoolean());
        Assert.Equal(["the live slot is down (HTTP 500)"], Site(down).GetProperty("attention").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_stopped_router_exits_1_at_once_and_says_so_in_the_router_column()
    {
        await _router!.DisposeAsync();
        _router = null;

        var status = await Run("status");

        Assert.True(status.ExitCode == 1, status.ToString());
        Assert.Contains("\tUNREACHABLE\t", status.Stdout);
        Assert.Contains("attention: shop: the router's API is unreachable (", status.Stdout);
        // A refused connection is certain and said at once, not after waiting out a timeout.
        Assert.Contains("Connection refused", status.Stdout);
        Assert.DoesNotContain("did not answer", status.Stdout);
        Assert.Equal("unreachable", Site(await Run("status", "--json")).GetProperty("router").GetProperty("finding").GetString());
    }

    [Fact]
    public async Task A_down_live_slot_exits_1()
    {
        A.HealthStatus = 503;

        var status = await Run("status");

        Assert.True(status.ExitCode == 1, status.ToString());
        Assert.Contains("attention: shop: the live slot is down (HTTP 503)", status.Stdout);
        Assert.Equal(0, (await Run("status", "--no-health")).ExitCode);
    }

    [Fact]
    public async Task Drift_exits_1_and_the_router_is_compared_with_the_state()
    {
        var (text, swapped) = Home.SwapWeightsByHand("shop");
        Assert.NotEqual(text, swapped);

        // The router reloads within a second: wait for it to serve b (status must show the router as it is).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        CliResult status;
        do
        {
            status = await Run("status", "--json");
        }
        while (Site(status).GetProperty("router").GetProperty("slot").GetString() != "b" && DateTime.UtcNow < deadline);

        Assert.Equal(1, status.ExitCode);
        var attention = Site(status).GetProperty("attention").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("the router serves slot b, the state says slot a", attention);
        Assert.Contains("drift: the routing file sends users to slot b but the state says slot a is live", attention);
        var plain = await Run("status");
        Assert.Equal(1, plain.ExitCode);
        Assert.Contains("DRIFT: the routing file sends users to slot b", plain.Stdout);
    }

    [Fact]
    public async Task A_configuration_error_exits_1_without_hiding_the_rest_of_the_sites_state()
    {
        File.AppendAllText(Home.Path_("conf", "sites", "shop.conf"), "HEALTH_PAHT=/health\n");

        var status = await Run("status");

        Assert.True(status.ExitCode == 1, status.ToString());
        var row = status.Stdout.Split('\n').Single(l => l.StartsWith("shop\t", StringComparison.Ordinal)).Split('\t');
        Assert.Equal("a v1", row[1]); // still the live slot and its version, not "-"
        Assert.Equal("serves a", row[3]);
        Assert.Contains("shop.conf:6: unknown key HEALTH_PAHT", row[^1]);
        Assert.Contains("attention: shop: configuration: ", status.Stdout);

        var json = Site(await Run("status", "--json"));
        Assert.Equal("v1", json.GetProperty("live").GetProperty("version").GetString());
        Assert.Contains("unknown key HEALTH_PAHT", json.GetProperty("config_errors")[0].GetString());
    }

    [Fact]
    public async Task Usage_errors_exit_2()
    {
        Assert.Equal(2, (await Run("status", "nosuch")).ExitCode);
        Assert.Equal(2, (await Run("status", "Not_A_Name")).ExitCode);
        var missingHome = await CliRunner.RunAsync(Home.Path_("nonexistent"), ["status"]);
        Assert.Equal(2, missingHome.ExitCode);
        Assert.Contains("no such folder", missingHome.Stderr);
        Assert.Equal(2, (await Run("status", "--watch", "--json")).ExitCode);
    }

    [Fact]
    public async Task A_bad_status_parallelism_or_deadline_in_global_conf_exits_2_naming_the_file_and_line()
    {
        Home.WriteGlobal($"ROUTER_API={_router!.ApiUrl}\nSTATUS_PARALLELISM=0\nSTATUS_DEADLINE=forever\n");

        var result = await Run("status");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("global.conf:2: STATUS_PARALLELISM: '0' is not a whole number from 1 to 1024", result.Stderr);
        Assert.Contains("global.conf:3: STATUS_DEADLINE: 'forever' is not a duration", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task Watch_refreshes_until_ctrl_c_then_exits_0()
    {
        using var watch = RunningCli.Start(Home.Root, "status", "--watch");
        await watch.WaitForOutputAsync("serves a", TimeSpan.FromSeconds(60));
        // A second table: it refreshes (every 2 s).
        await WaitForCountAsync(watch, "shop\ta v1", 2, TimeSpan.FromSeconds(30));

        watch.Signal("INT");

        Assert.Equal(0, await watch.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain("stopped by a signal", watch.Output);
    }

    [Fact]
    public async Task Watch_on_a_terminal_redraws_in_place_and_ctrl_c_ends_it_with_exit_0()
    {
        // A real pseudo-terminal; Ctrl-C is typed into it.
        using var terminal = PseudoTerminal.Start(Home.Root, "status --watch");
        // Spectre's live display moves the cursor up to redraw: the sign that it redraws in place.
        await terminal.WaitForAsync(o => o.Contains("serves a") && o.Contains("\u001b[") && Count(o, "Ctrl-C ends") >= 2, TimeSpan.FromSeconds(90));
        Assert.True(Count(terminal.Output, "Ctrl-C ends") >= 2, $"no redraw seen:\n{terminal.Output}");
        Assert.Contains("\u001b[", terminal.Output);
        await terminal.TypeAsync("\u0003");
        var exit = await terminal.ExitCodeAsync(TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, $"exit {exit}:\n{terminal.Output}");
    }

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static Task WaitForCountAsync(RunningCli cli, string text, int count, TimeSpan limit) =>
        Poll.UntilAsync(() => Count(cli.Output, text) >= count, $"'{text}' printed {count} times", limit, () => cli.HasExited ? $"status --watch exited:\n{cli.Output}" : null);
}
