using BlueGreen.Core;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Infrastructure.State;
using BlueGreen.Operations.Common;
using BlueGreen.Operations.Tests.Support;

namespace BlueGreen.Operations.Tests;

/// <summary>
/// Recovery before every command, and `recover` (docs/failure-modes.md): an interrupted command is resolved
/// and journaled `interrupted` with the seq of its `started` line; drift blocks every command until `recover`.
/// </summary>
public sealed class RecoverOperationTests : OperationTest
{
    private IEnumerable<(string Name, Func<Task<OperationResult>> Run)> Commands() =>
    [
        ("apply", () => Apply()),
        ("rollback", () => Rollback()),
        ("deploy", () => Deploy("v9")),
        ("validate", () => Validate()),
    ];

    [Fact]
    public async Task Drift_blocks_every_command_with_exit_3_until_recover_adopts_the_routing_file()
    {
        await LiveOnBWithRollbackToA();
        WriteRouting(Slot.A); // someone put slot a back by hand
        var state = File.ReadAllText(Home.StateFile(SiteName));

        foreach (var (name, run) in Commands())
        {
            var result = await run();
            AssertCode(ExitCode.Refused, result);
            Assert.Contains("the routing file sends users to slot a but the state says slot b is live", result.Message);
            Assert.Contains("./run.sh recover shop", result.Hint);
            Assert.Equal((name, JournalOutcome.Refused), (Journal()[^1].Action, Journal()[^1].Outcome));
        }

        Assert.Equal(state, File.ReadAllText(Home.StateFile(SiteName)));
        Assert.Equal(Slot.A, RoutedSlot());

        var recover = await Recover();

        AssertCode(ExitCode.Done, recover);
        Assert.Contains("adopted what the routing file serves: slot a is live (the state said slot b)", recover.Message);
        Assert.Equal((Slot.A, Slot.B), (State().Live, State().RollbackTarget));
        Assert.Equal(Slot.A, RoutedSlot());
        Assert.Equal(JournalOutcome.Succeeded, LastCommand("recover").Outcome.Outcome);

        // Unblocked, and deploy goes to the slot users are not on.
        await Done(Deploy("v3"));
        Assert.Equal("b", LastCommand("deploy").Started.ToSlot);
    }

    [Fact]
    public async Task A_missing_routing_file_under_a_live_state_is_drift()
    {
        await ReadyCandidate("v1");
        await Done(Apply());
        File.Delete(RoutingFile);

        var result = await Deploy("v2");

        AssertCode(ExitCode.Refused, result);
        Assert.Contains("the state says slot a is live but there is no routing file", result.Message);
        await Done(Recover());
        Assert.Null(State().Live);
    }

    [Fact]
    public async Task A_routing_file_that_names_no_single_slot_blocks_everything_and_recover_refuses_to_guess()
    {
        await LiveOnAWithCandidateOnB();
        File.WriteAllText(RoutingFile, "http: [ this is not a routing file");

        foreach (var (_, run) in Commands())
        {
            var result = await run();
            AssertCode(ExitCode.Refused, result);
            Assert.Contains("the routing file cannot tell which slot users are on", result.Message);
        }

        var recover = await Recover();
        AssertCode(ExitCode.Refused, recover);
        Assert.Contains("cannot adopt the routing file", recover.Message);
        Assert.Equal(Slot.A, State().Live);
    }

    [Fact]
    public async Task Recover_with_nothing_to_adopt_changes_nothing()
    {
        await LiveOnAWithCandidateOnB();
        // The journal's site index is derived (docs/journal.md): recovery's look-up may bring it up to date.
        var before = Home.SnapshotVar("var/locks", "var/journal/index");

        var result = await Recover();

        AssertCode(ExitCode.Done, result);
        Assert.Contains("nothing to adopt", result.Message);
        Assert.Equal(before, Home.SnapshotVar("var/locks", "var/journal/index"));
    }

    [Fact]
    public async Task A_dry_run_recover_records_only_a_dry_run_line()
    {
        await LiveOnAWithCandidateOnB();
        WriteRouting(Slot.B);
        var state = File.ReadAllText(Home.StateFile(SiteName));

        var result = await Recover(dryRun: true);

        AssertCode(ExitCode.Done, result);
        Assert.StartsWith("dry run: recover shop would record: adopted", result.Message);
        Assert.Equal(state, File.ReadAllText(Home.StateFile(SiteName)));
        Assert.Equal(JournalOutcome.DryRun, Journal()[^1].Outcome);
    }

    [Fact]
    public async Task A_state_that_cannot_be_written_fails_recover_and_journals_failed()
    {
        await LiveOnAWithCandidateOnB();
        WriteRouting(Slot.B);
        // An interrupted validate makes recovery warn after it read the state: the state file breaks then.
        JournalStartedWithoutOutcome("validate", null, new("b", "v2"));
        Reporter.OnWarn = warning =>
        {
            if (warning.StartsWith("recovered:", StringComparison.Ordinal))
            {
                ReplaceStateFileWithFolder();
            }
        };

        var result = await Recover();

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("could not write the state", result.Message);
        var (_, outcome) = LastCommand("recover");
        Assert.Equal(JournalOutcome.Failed, outcome.Outcome);
        Assert.Contains("nothing was changed", outcome.Message);
        Assert.Equal(Slot.B, RoutedSlot());
    }

    [Fact]
    public async Task A_slot_left_deploying_by_a_deploy_whose_end_went_unrecorded_is_marked_interrupted_by_the_next_command()
    {
        await LiveOnAWithCandidateOnB();
        // A deploy journaled its end (`failed`) but could not write it to the state (disk full, lost lock): no line is
        // open, yet the state says deploying. Under the lock no deploy runs, so the next command ends it.
        var store = new StateStore(HomeDir, Clock);
        store.Write(store.Read(SiteName).WithDeployBegun(Slot.B, new DeployAttempt("d-lost", "v3", Clock.GetUtcNow(), "tester")), Clock.GetUtcNow());
        const string Said = "the deploy of v3 on slot b ended without recording its end: slot b holds no known deployment; deploy again";

        await Done(Recover(dryRun: true));
        Assert.Contains($"recovery would record: {Said}", Reporter.Warnings);
        Assert.Equal(SlotPhase.Deploying, State().SlotB.Phase);

        await Done(Recover());

        Assert.Equal((SlotPhase.Interrupted, "v3"), (State().SlotB.Phase, State().SlotB.Attempt!.Version));
        Assert.Equal(Slot.A, State().Live);
        Assert.Contains($"recovered: {Said}", Reporter.Warnings);
        Assert.Contains(Journal(), l => l is { Action: "deploy", Outcome: JournalOutcome.Interrupted } && l.Message == $"recovered: {Said}");
        // Recorded once: the next command finds nothing left to end.
        var before = Journal().Count;
        await Done(Recover());
        Assert.DoesNotContain(JournalSince(before), l => l.Outcome == JournalOutcome.Interrupted);
    }

    [Fact]
    public async Task An_apply_interrupted_after_the_routing_changed_is_completed_by_the_next_command_and_journaled_interrupted()
    {
        await LiveOnAWithCandidateOnB();
        var seq = JournalStartedWithoutOutcome("apply", new("a", "v1"), new("b", "v2"));
        WriteRouting(Slot.B); // the routing file was renamed into place, then the process died

        await Done(Deploy("v3"));

        var resolved = Assert.Single(Journal(), l => l.Outcome == JournalOutcome.Interrupted);
        Assert.Equal((seq, "apply"), (resolved.Ref, resolved.Action));
        Assert.Contains("interrupted after the routing changed: slot b (v2) is live", resolved.Message);
        Assert.Contains(Reporter.Warnings, w => w.StartsWith($"recovered: apply #{seq}", StringComparison.Ordinal));
        Assert.Equal(Slot.B, State().Live);
        Assert.Equal("v2", State().DeploymentOn(Slot.B)!.Version);
        // The deploy that followed went to the slot users left, never to b.
        Assert.Equal(("a", "v3"), (LastCommand("deploy").Started.ToSlot, LastCommand("deploy").Started.ToVersion));
        Assert.True(resolved.Seq < LastCommand("deploy").Started.Seq);
    }

    [Fact]
    public async Task An_apply_interrupted_in_the_previous_journal_segment_is_found_and_closed_in_the_new_one()
    {
        WriteGlobal("JOURNAL_SEGMENT_MB=1");
        await LiveOnAWithCandidateOnB();
        var seq = JournalStartedWithoutOutcome("apply", new("a", "v1"), new("b", "v2"));
        // Other sites' lines fill the segment past 1 MiB: the `started` line is no longer in the last segment.
        var journal = new JournalFile(HomeDir, Clock, 1024 * 1024);
        var filler = Enumerable.Range(1, 5000)
            .Select(i => new JournalEntry { Site = $"other{i % 7}", Action = "deploy", Outcome = JournalOutcome.Succeeded, Actor = "ops@host", Message = $"filler {i}" })
            .ToList();
        journal.Append(filler);
        Assert.True(journal.Segments.Last() >= 2, "5000 lines make more than 1 MiB");
        Assert.DoesNotContain(File.ReadLines(journal.Segments.PathOf(journal.Segments.Last())), l => l.Contains("\"seq\":" + seq + ",", StringComparison.Ordinal));
        WriteRouting(Slot.B); // the routing file was renamed into place, then the process died

        await Done(Deploy("v3"));

        var resolved = Assert.Single(Journal(), l => l.Outcome == JournalOutcome.Interrupted);
        Assert.Equal((seq, "apply"), (resolved.Ref, resolved.Action));
        Assert.Equal(Slot.B, State().Live);
        Assert.Null(journal.FindInterrupted(SiteName));
        Assert.Null(journal.Verify());
    }

    [Fact]
    public async Task An_apply_interrupted_before_the_routing_changed_is_journaled_interrupted_and_changes_nothing()
    {
        await LiveOnAWithCandidateOnB();
        var seq = JournalStartedWithoutOutcome("apply", new("a", "v1"), new("b", "v2"));
        var state = File.ReadAllText(Home.StateFile(SiteName));

        AssertCode(ExitCode.Refused, await Rollback()); // any command: recovery runs first

        var resolved = Assert.Single(Journal(), l => l.Outcome == JournalOutcome.Interrupted);
        Assert.Equal(seq, resolved.Ref);
        Assert.Contains("interrupted before the routing changed: slot a is still live; nothing changed", resolved.Message);
        Assert.Equal(state, File.ReadAllText(Home.StateFile(SiteName)));

        // Resolved once: the apply now runs normally.
        await Done(Apply());
        Assert.Single(Journal(), l => l.Outcome == JournalOutcome.Interrupted);
    }

    [Fact]
    public async Task An_interrupted_switch_whose_routing_serves_neither_side_blocks_until_recover()
    {
        await LiveOnBWithRollbackToA();
        // A rollback from b to a died; meanwhile the routing file was set to serve nothing at all.
        var seq = JournalStartedWithoutOutcome("rollback", new("b", "v2"), new("a", "v1"));
        File.Delete(RoutingFile);

        var result = await Deploy("v3");

        AssertCode(ExitCode.Refused, result);
        Assert.Contains($"rollback #{seq} was interrupted", result.Message);
        Assert.DoesNotContain(Journal(), l => l.Outcome == JournalOutcome.Interrupted);

        // Recover adopts what the routing file serves, and closes the interrupted rollback's `started` line.
        await Done(Recover());
        Assert.Null(State().Live);
        // The blocked rollback is closed first, then recover's own intent and outcome.
        var journal = Journal();
        Assert.Equal((JournalOutcome.Interrupted, (long?)seq), (journal[^3].Outcome, journal[^3].Ref));
        Assert.StartsWith($"closed by recover: rollback #{seq} was interrupted", journal[^3].Message);
        Assert.Equal((JournalOutcome.Succeeded, (long?)journal[^2].Seq), (journal[^1].Outcome, journal[^1].Ref));
        await Done(Deploy("v3"));
    }

    [Fact]
    public async Task A_dry_run_only_says_what_recovery_would_record()
    {
        await LiveOnAWithCandidateOnB();
        JournalStartedWithoutOutcome("apply", new("a", "v1"), new("b", "v2"));
        WriteRouting(Slot.B);
        var state = File.ReadAllText(Home.StateFile(SiteName));

        await Deploy("v3", dryRun: true);

        Assert.Contains(Reporter.Warnings, w => w.StartsWith("recovery would record:", StringComparison.Ordinal));
        Assert.DoesNotContain(Journal(), l => l.Outcome == JournalOutcome.Interrupted);
        Assert.Equal(state, File.ReadAllText(Home.StateFile(SiteName)));
    }
}
