using System.Text.Json;
using BlueGreen.Core.Recovery;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Router;
using BlueGreen.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// Crash and signal tests driven by named steps (BLUEGREEN_TEST_FAULT, docs/failure-modes.md), not by timing:
/// every mutating command is killed with SIGKILL, or sent SIGTERM, right after each of its steps, with the
/// embedded router serving the routes. After each: the routing file is whole and schema-valid, the router
/// serves what it says, the next command recovers and journals the outcome, `journal verify` passes, every
/// `started` line is closed, and the next deploy never lands on the slot users are on.
/// </summary>
public sealed class FaultInjectionTests : TwoSlotHomeTest
{
    private static readonly string[] SwitchSteps = ["locked", "recovered", "intent-journaled", "routing-written", "verified", "state-recorded", "outcome-journaled"];
    private static readonly string[] DeploySteps = ["locked", "recovered", "drained", "intent-journaled", "slot-cleared", "command-run", "state-recorded", "preview-written", "outcome-journaled"];
    private static readonly string[] ValidateSteps = ["locked", "recovered", "intent-journaled", "gates-run", "report-written", "state-recorded", "outcome-journaled"];

    private RunningRouter _router = null!;

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var how in new[] { "kill", "term" })
        {
            foreach (var step in SwitchSteps)
            {
                data.Add("apply", step, how);
                data.Add("rollback", step, how);
            }

            foreach (var step in DeploySteps)
            {
                data.Add("deploy", step, how);
            }

            foreach (var step in ValidateSteps)
            {
                data.Add("validate", step, how);
            }
        }

        return data;
    }

    protected override async Task SetUpAsync()
    {
        _router = await EmbeddedRouter.StartAsync(new RouterOptions(Home.Path_("var", "routes"), "127.0.0.1:0", "127.0.0.1:0", AccessLog: false), NullLoggerFactory.Instance, CancellationToken.None);
        Home.WriteGlobal($"ROUTER_API={_router.ApiUrl}\nSWITCH_VERIFY_TIMEOUT=5\n");
        Home.AddSite("shop", A.Url, B.Url, "PREVIEW_RULE=Host(`preview.shop.example.com`)\nDEPLOY_CMD=echo deploying $BG_VERSION on $BG_SLOT\n");
    }

    protected override async Task TearDownAsync() => await _router.DisposeAsync();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_command_stopped_after_any_step_leaves_routing_state_and_journal_in_agreement(string command, string step, string how)
    {
        // live a (v1); candidate b (v2) validated; for rollback, b was applied first (rollback target a).
        await Ok("deploy", "shop", "--version", "v1");
        await Ok("validate", "shop");
        await Ok("apply", "shop", "--yes");
        await Ok("deploy", "shop", "--version", "v2");
        await Ok("validate", "shop");
        if (command == "rollback")
        {
            await Ok("apply", "shop", "--yes");
        }

        string[] args = command switch
        {
            "deploy" => ["deploy", "shop", "--version", "v3"],
            "validate" => ["validate", "shop"],
            _ => [command, "shop", "--yes"],
        };
        var faulty = await CliRunner.RunAsync(Home.Root, args, new Dictionary<string, string> { ["BLUEGREEN_TEST_FAULT"] = $"{command}:{step}:{how}" });
        if (how == "kill")
        {
            Assert.True(faulty.ExitCode == 137 || faulty.ExitCode == -9 || faulty.ExitCode == 128 + 9, $"expected SIGKILL: {faulty}");
        }
        else
        {
            // A signal ends the command cleanly: done (it completed) or failed (it compensated); never a crash.
            Assert.True(faulty.ExitCode is 0 or 1, $"SIGTERM after {step}: {faulty}");
            Assert.DoesNotContain("   at ", faulty.All);
            AssertEveryStartedLineIsClosed();
        }

        // What users get is what the routing file says, and the file is whole.
        var routing = File.ReadAllText(Home.RoutingFile("shop"));
        Assert.Empty(RoutingSchema.Validate(routing));
        var (config, error) = RoutingFileFormat.Parse(routing);
        Assert.Null(error);
        var truth = RoutingTruth.Of(config!, "shop");
        Assert.True(truth.Known, truth.Problem);
        var live = truth.Live!.Value;
        await AssertRouterServesAsync(live);

        // The next command recovers first; then deploy lands on the other slot, never on the live one.
        var next = await Run("deploy", "shop", "--version", "v9", "--json");
        Assert.True(next.ExitCode == 0, $"after {command} {how} at {step}: {next}");
        var deployedOn = JsonDocument.Parse(next.Stdout).RootElement.GetProperty("result").GetProperty("slot").GetString();
        Assert.NotEqual(live.Name(), deployedOn);
        Assert.Equal(live, RoutingTruth.Of(RoutingFileFormat.Parse(File.ReadAllText(Home.RoutingFile("shop"))).Config!, "shop").Live);

        AssertEveryStartedLineIsClosed();
        Assert.Equal(0, (await Run("journal", "verify")).ExitCode);
        var status = JsonDocument.Parse((await Run("status", "shop", "--json", "--no-health")).Stdout).RootElement.GetProperty("sites")[0];
        Assert.False(status.TryGetProperty("drift", out _), status.ToString());
        Assert.Equal(live.Name(), status.GetProperty("live").GetProperty("slot").GetString());
    }

    [Fact]
    public async Task Drift_from_a_hand_edit_blocks_deploy_until_recover_adopts_what_the_router_serves()
    {
        await Ok("deploy", "shop", "--version", "v1");
        await Ok("validate", "shop");
        await Ok("apply", "shop", "--yes");
        await Ok("deploy", "shop", "--version", "v2");

        // Someone swaps the weights by hand: users are on b, the state still says a.
        var (text, swapped) = Home.SwapWeightsByHand("shop");
        Assert.NotEqual(text, swapped);
        await AssertRouterServesAsync(Slot.B);

        var deploy = await Run("deploy", "shop", "--version", "v3");
        Assert.Equal(3, deploy.ExitCode);
        Assert.Contains("the routing file sends users to slot b but the state says slot a is live", deploy.All);
        Assert.Contains($"./run.sh --home {Home.Root} recover shop", deploy.All);  // the hint names the home given
        Assert.Equal(3, (await Run("apply", "shop", "--yes")).ExitCode);

        var dry = await Run("recover", "shop", "--dry-run");
        Assert.Equal(0, dry.ExitCode);
        Assert.Equal(3, (await Run("deploy", "shop", "--version", "v3")).ExitCode);

        var recover = await Run("recover", "shop");
        Assert.True(recover.ExitCode == 0, recover.ToString());
        Assert.Contains("adopted what the routing file serves: slot b is live (the state said slot a)", recover.All);
        Assert.Equal(text.Length, File.ReadAllText(Home.RoutingFile("shop")).Length); // recovery never changes routing
        Assert.Equal(swapped, File.ReadAllText(Home.RoutingFile("shop")));

        var after = await Run("deploy", "shop", "--version", "v3", "--json");
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Equal("a", JsonDocument.Parse(after.Stdout).RootElement.GetProperty("result").GetProperty("slot").GetString());
        Assert.Contains("\"action\":\"recover\",\"outcome\":\"succeeded\"", File.ReadAllText(Home.JournalFile));
    }

    [Fact]
    public async Task A_deleted_state_file_blocks_deploy_until_recover()
    {
        await Ok("deploy", "shop", "--version", "v1");
        await Ok("validate", "shop");
        await Ok("apply", "shop", "--yes");
        File.Delete(Home.StateFile("shop"));

        var deploy = await Run("deploy", "shop", "--version", "v2");
        Assert.Equal(3, deploy.ExitCode);
        Assert.Contains("the routing file sends users to slot a but the state says no slot is live", deploy.All);

        Assert.Equal(0, (await Run("recover", "shop")).ExitCode);
        var after = await Run("deploy", "shop", "--version", "v2", "--json");
        Assert.Equal("b", JsonDocument.Parse(after.Stdout).RootElement.GetProperty("result").GetProperty("slot").GetString());
    }

    private async Task Ok(params string[] args)
    {
        var result = await Run(args);
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', args)}: {result}");
    }

    /// <summary>Every `started` line of the journal has a later line whose `ref` names it.</summary>
    private void AssertEveryStartedLineIsClosed()
    {
        var entries = File.ReadAllLines(Home.JournalFile).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var closed = entries.Where(e => e.TryGetProperty("ref", out _)).Select(e => e.GetProperty("ref").GetInt64()).ToHashSet();
        foreach (var started in entries.Where(e => e.GetProperty("outcome").GetString() == "started"))
        {
            var seq = started.GetProperty("seq").GetInt64();
            Assert.True(closed.Contains(seq), $"started line {seq} ({started.GetProperty("action")}) has no outcome:\n{string.Join('\n', entries)}");
        }
    }

    /// <summary>Waits (bounded) until a request through the router reaches the expected slot.</summary>
    private async Task AssertRouterServesAsync(Slot expected)
    {
        using var http = new HttpClient();
        await Poll.UntilAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, _router.ProxyUrl);
            request.Headers.Host = "shop.example.com";
            using var response = await http.SendAsync(request);
            return await response.Content.ReadAsStringAsync() == $"slot={expected.Name()}";
        }, $"the router to serve slot {expected.Name()}");
    }
}
