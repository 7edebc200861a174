using BlueGreen.Core;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Cockpit.Hosting;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.Status;
using Microsoft.Extensions.Logging.Abstractions;
using BlueGreen.Infrastructure.Processes;
using BlueGreen.Operations.Tests.Support;
using BlueGreen.Testing;

namespace BlueGreen.Operations.Tests;

/// <summary>deploy in-process: it lands on the candidate slot only, and every failure leaves the slot holding no known deployment.</summary>
public sealed class DeployOperationTests : OperationTest
{
    /// <summary>DEPLOY_CMD that leaves, in the home, a file per slot naming the version it put there.</summary>
    private const string RecordingDeploy = "DEPLOY_CMD=echo \"$BG_VERSION\" > \"deployed-$BG_SLOT\"\n";

    private string DeployedOn(Slot slot) => File.ReadAllText(Home.Path_($"deployed-{slot.Name()}")).Trim();

    [Fact]
    public async Task Deploy_never_targets_the_live_slot()
    {
        WriteSite(RecordingDeploy);
        var expected = new[] { ("v1", Slot.A), ("v2", Slot.B), ("v3", Slot.A), ("v4", Slot.B) };
        foreach (var (version, slot) in expected)
        {
            var live = State().Live;
            await Done(Deploy(version));

            Assert.Equal(slot, State().CandidateSlot);
            Assert.NotEqual(live, slot);
            Assert.Equal(version, DeployedOn(slot));
            Assert.Equal(version, State().DeploymentOn(slot)!.Version);
            Assert.Equal(live, State().Live);
            var (started, outcome) = LastCommand("deploy");
            Assert.Equal((slot.Name(), version), (started.ToSlot, started.ToVersion));
            Assert.Equal(JournalOutcome.Succeeded, outcome.Outcome);
            if (live is { } l)
            {
                Assert.Equal(l, RoutedSlot());
                Assert.NotEqual(l.Name(), started.ToSlot);
            }

            await Done(Validate());
            await Done(Apply());
        }
    }

    [Fact]
    public async Task The_deployment_is_dated_by_the_injected_clock()
    {
        Clock.Advance(TimeSpan.FromHours(5));

        await Done(Deploy("v1"));

        var deployment = State().DeploymentOn(Slot.A)!;
        Assert.Equal(Clock.GetUtcNow(), deployment.DeployedAt);
        Assert.StartsWith(Clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss"), deployment.Id);
        Assert.Equal("tester@test-host", deployment.Actor);
    }

    [Fact]
    public async Task A_failing_DEPLOY_CMD_leaves_the_candidate_slot_failed_with_its_reason_and_the_live_slot_untouched()
    {
        await LiveOnAWithCandidateOnB();
        WriteSite("DEPLOY_CMD=echo boom; exit 7\n");
        var routing = RoutingText();

        var result = await Deploy("v3");

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("DEPLOY_CMD exit code 7", result.Message);
        Assert.Contains("slot b holds no valid deployment", result.Message);
        Assert.Contains("boom", Reporter.OutputLines);
        var state = State();
        Assert.Null(state.DeploymentOn(Slot.B));
        Assert.Equal((SlotPhase.Failed, "v3"), (state.SlotB.Phase, state.SlotB.Attempt!.Version));
        Assert.Matches(@"^DEPLOY_CMD exit code 7 after [0-9.]+ s$", state.SlotB.Reason);
        Assert.Equal((Slot.A, "v1"), (state.Live!.Value, state.DeploymentOn(Slot.A)!.Version));
        Assert.Equal(routing, RoutingText());
        var (_, outcome) = LastCommand("deploy");
        Assert.Equal(JournalOutcome.Failed, outcome.Outcome);
        AssertCode(ExitCode.Refused, await Apply()); // nothing validated is left on b
    }

    [Fact]
    public async Task A_slot_is_deploying_while_DEPLOY_CMD_runs_then_deployed()
    {
        var go = Home.Path_("go");
        WriteSite($"DEPLOY_CMD=touch started; while [ ! -e {go} ]; do sleep 0.05; done\n");

        var deploy = Deploy("v1", clock: TimeProvider.System);
        await Poll.UntilAsync(() => File.Exists(Home.Path_("started")), "DEPLOY_CMD to start");
        var during = State();
        File.WriteAllText(go, "");
        await Done(deploy);

        Assert.Equal((SlotPhase.Deploying, "v1"), (during.SlotA.Phase, during.SlotA.Attempt!.Version));
        Assert.Null(during.Candidate);
        Assert.Equal(SlotLife.Deployed(State().Candidate!), State().SlotA);
        Assert.Equal(during.SlotA.Attempt.DeploymentId, State().Candidate!.Id);
    }

    [Fact]
    public async Task Status_and_the_cockpit_show_a_failed_deploy_with_its_reason()
    {
        await LiveOnAWithCandidateOnB();
        WriteSite("DEPLOY_CMD=exit 7\n");
        AssertCode(ExitCode.Failed, await Deploy("v3"));

        var (global, _) = ConfigLoader.LoadGlobal(HomeDir);
        using var http = new HttpClient();
        var status = Assert.Single(await new StatusReader(HomeDir, global, http).ReadAsync([SiteName], StatusProbes.None, CancellationToken.None));
        var reason = State().SlotB.Reason;
        Assert.Matches(@"^DEPLOY_CMD exit code 7 after [0-9.]+ s$", reason);
        Assert.Equal((SlotCondition.DeployFailed, null, "v3", reason), (status.Candidate.Phase, status.Candidate.Version, status.Candidate.AttemptedVersion, status.Candidate.DeployFailure));
        Assert.Equal($"deploy failed: {reason}", status.Candidate.Shown);
        Assert.Equal(SlotCondition.Deployed, status.Live!.Phase); // the last validation judged v2, which b no longer holds
        var json = BlueGreen.Core.Json.Serialize(status.Candidate, BlueGreen.Core.Json.Options);
        Assert.Contains("\"phase\":\"deploy_failed\"", json);

        await using var cockpit = await CockpitHost.StartAsync(new CockpitOptions(HomeDir, global) { Listen = "127.0.0.1:0" }, NullLoggerFactory.Instance, CancellationToken.None);
        using var client = new HttpClient { BaseAddress = cockpit.Url };
        Assert.Contains($"deploy failed: {reason}", await client.GetStringAsync("/"));
        Assert.Contains($"deploy failed: {reason}", await client.GetStringAsync($"/sites/{SiteName}"));
    }

    [Fact]
    public async Task A_signal_while_DEPLOY_CMD_runs_ends_its_process_group_and_fails_the_deploy()
    {
        WriteSite("DEPLOY_CMD=echo $$ > deploy.pgid; exec sleep 300\n");
        var pgidFile = Home.Path_("deploy.pgid");
        using var signal = new CancellationTokenSource();
        Task? canceller = null;
        Reporter.OnStep = step =>
        {
            if (step.StartsWith("running DEPLOY_CMD", StringComparison.Ordinal))
            {
                canceller = Task.Run(async () =>
                {
                    await Poll.UntilAsync(() => File.Exists(pgidFile) && File.ReadAllText(pgidFile).EndsWith('\n'), "DEPLOY_CMD to start");
                    signal.Cancel();
                });
            }
        };

        // Real time: the command's kill grace runs on the clock.
        var result = await Deploy("v1", signal.Token, clock: TimeProvider.System);
        await canceller!;

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("DEPLOY_CMD was stopped by a signal", result.Message);
        var pgid = int.Parse(File.ReadAllText(pgidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(ProcessGroup.HasRunningMembers(pgid), $"process group {pgid} is still running");
        Assert.Equal((SlotPhase.Failed, "DEPLOY_CMD was stopped by a signal"), (State().SlotA.Phase, State().SlotA.Reason));
        Assert.Equal(JournalOutcome.Failed, LastCommand("deploy").Outcome.Outcome);
    }

    [Fact]
    public async Task A_signal_before_the_intent_is_acted_on_changes_nothing_and_closes_the_intent()
    {
        await LiveOnBWithRollbackToA();
        WriteSite(RecordingDeploy);
        var stateBefore = File.ReadAllText(Home.StateFile(SiteName));
        using var signal = new CancellationTokenSource();
        // Deploying over the rollback target warns first: the signal arrives during that warning.
        Reporter.OnWarn = _ => signal.Cancel();

        var result = await Deploy("v3", signal.Token);

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("interrupted by a signal before anything ran; nothing was changed", result.Message);
        Assert.Equal(stateBefore, File.ReadAllText(Home.StateFile(SiteName)));
        Assert.False(File.Exists(Home.Path_("deployed-a")), "DEPLOY_CMD must not run");
        Assert.Equal(JournalOutcome.Failed, LastCommand("deploy").Outcome.Outcome);
    }

    [Fact]
    public async Task Deploying_over_the_rollback_target_warns_and_ends_the_rollback_option()
    {
        await LiveOnBWithRollbackToA();

        await Done(Deploy("v3"));

        Assert.Contains(Reporter.Warnings, w => w.Contains("slot a is the rollback target (v1)", StringComparison.Ordinal));
        Assert.Null(State().RollbackTarget);
        Assert.Equal("v3", State().DeploymentOn(Slot.A)!.Version);
        AssertCode(ExitCode.Refused, await Rollback());
    }

    [Fact]
    public async Task A_state_that_cannot_record_the_cleared_slot_stops_the_deploy_before_DEPLOY_CMD_runs()
    {
        await LiveOnBWithRollbackToA();
        WriteSite(RecordingDeploy);
        // After the state was read, before it is written (once: the drain warning that follows must not repeat it).
        Reporter.OnWarn = w =>
        {
            if (w.Contains("is the rollback target", StringComparison.Ordinal))
            {
                ReplaceStateFileWithFolder();
            }
        };

        var result = await Deploy("v3");

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("could not record that slot a is being deployed", result.Message);
        Assert.Contains("nothing ran", result.Message);
        Assert.False(File.Exists(Home.Path_("deployed-a")), "DEPLOY_CMD must not run");
        Assert.Equal(Slot.B, RoutedSlot());
        Assert.Equal(JournalOutcome.Failed, LastCommand("deploy").Outcome.Outcome);
    }

    [Fact]
    public async Task A_state_that_cannot_record_the_new_deployment_fails_the_deploy()
    {
        WriteSite(RecordingDeploy);
        Reporter.OnStep = step =>
        {
            if (step.StartsWith("running DEPLOY_CMD", StringComparison.Ordinal))
            {
                ReplaceStateFileWithFolder();
            }
        };

        var result = await Deploy("v1");

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("v1 was installed but could not be recorded", result.Message);
        Assert.Equal("v1", DeployedOn(Slot.A));
        Assert.Equal(JournalOutcome.Failed, LastCommand("deploy").Outcome.Outcome);
    }

    [Fact]
    public async Task The_preview_route_follows_the_candidate_and_production_stays()
    {
        WriteSite("PREVIEW_RULE=Host(`preview.shop.example.com`)\n");
        await ReadyCandidate("v1");
        await Done(Apply());

        await Done(Deploy("v2"));

        Assert.Equal(Slot.A, RoutedSlot());
        Assert.Contains("shop-preview", RoutingText());
        Assert.Contains(Reporter.Steps, s => s == "preview route shop-preview now reaches slot b");
        Assert.Empty(RoutingSchema.Validate(RoutingText()!));
    }

    [Fact]
    public async Task A_preview_route_that_cannot_be_written_is_a_warning_and_production_routing_is_untouched()
    {
        WriteSite("PREVIEW_RULE=Host(`preview.shop.example.com`)\n");
        await ReadyCandidate("v1");
        await Done(Apply());
        var routing = RoutingText();
        Directory.Delete(Home.Path_("var", "routes", ".bluegreen-tmp"), recursive: true);
        File.WriteAllText(Home.Path_("var", "routes", ".bluegreen-tmp"), "");

        await Done(Deploy("v2"));

        Assert.Contains(Reporter.Warnings, w => w.StartsWith("the preview route was not updated", StringComparison.Ordinal));
        Assert.Equal(routing, RoutingText());
        Assert.Equal("v2", State().DeploymentOn(Slot.B)!.Version);
        Assert.Equal(JournalOutcome.Succeeded, LastCommand("deploy").Outcome.Outcome);
    }

    [Fact]
    public async Task A_dry_run_runs_nothing_and_records_only_a_dry_run_line()
    {
        WriteSite(RecordingDeploy);

        var result = await Deploy("v1", dryRun: true);

        AssertCode(ExitCode.Done, result);
        Assert.Contains("would go to slot a", result.Message);
        Assert.False(File.Exists(Home.Path_("deployed-a")));
        Assert.False(File.Exists(Home.StateFile(SiteName)));
        Assert.Equal(JournalOutcome.DryRun, Assert.Single(Journal()).Outcome);
    }

    [Fact]
    public async Task An_interrupted_deploy_found_in_the_journal_is_resolved_first_and_its_slot_holds_no_known_deployment()
    {
        await ReadyCandidate("v1");
        var seq = JournalStartedWithoutOutcome("deploy", null, new("a", "v2"));

        var result = await Validate();

        // Recovery cleared slot a (DEPLOY_CMD may have run part-way), so there is nothing to validate.
        AssertCode(ExitCode.Refused, result);
        Assert.Contains("nothing to validate", result.Message);
        var resolved = Assert.Single(Journal(), l => l.Outcome == JournalOutcome.Interrupted);
        Assert.Equal((seq, "deploy"), (resolved.Ref, resolved.Action));
        Assert.Contains("holds no known deployment", resolved.Message);
        var slotA = State().SlotA;
        Assert.Equal((SlotPhase.Interrupted, "v2", "ghost@test-host", null), (slotA.Phase, slotA.Attempt!.Version, slotA.Attempt.Actor, slotA.Attempt.DeploymentId));
        Assert.Contains(Reporter.Warnings, w => w.StartsWith("recovered: deploy #" + seq, StringComparison.Ordinal));
    }
}
