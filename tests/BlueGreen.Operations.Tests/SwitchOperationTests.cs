using BlueGreen.Core;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Slots;
using BlueGreen.Infrastructure.Locking;
using BlueGreen.Operations.Tests.Support;
using BlueGreen.Testing;

namespace BlueGreen.Operations.Tests;

/// <summary>
/// apply and rollback in-process (docs/failure-modes.md): every refusal, the one compensation path (the
/// previous routing file goes back) and the answers to a signal before and after the routing changed.
/// </summary>
public sealed class SwitchOperationTests : OperationTest
{
    [Fact]
    public async Task Apply_refuses_when_the_candidate_slot_holds_no_deployment()
    {
        var result = await Apply();

        AssertCode(ExitCode.Refused, result);
        Assert.Contains("no deployment on the candidate slot a", result.Message);
        var line = Assert.Single(Journal());
        Assert.Equal(("apply", JournalOutcome.Refused), (line.Action, line.Outcome));
        Assert.Null(RoutingText());
        Assert.False(File.Exists(Home.StateFile(SiteName)));
    }

    [Fact]
    public async Task Apply_refuses_a_candidate_that_was_not_validated()
    {
        await Done(Deploy("v1"));

        var result = await Apply();

        AssertCode(ExitCode.Refused, result);
        Assert.Contains("candidate v1 on slot a is not validated", result.Message);
        Assert.Equal(JournalOutcome.Refused, Journal()[^1].Outcome);
        Assert.DoesNotContain(Journal(), l => l.Action == "apply" && l.Outcome == JournalOutcome.Started);
        Assert.Null(State().Live);
    }

    [Fact]
    public async Task Apply_refuses_a_validation_older_than_VALIDATION_MAX_AGE_by_the_injected_clock()
    {
        WriteGlobal("VALIDATION_MAX_AGE=60\n");
        await ReadyCandidate("v1");

        Clock.Advance(TimeSpan.FromSeconds(61));
        var stale = await Apply();

        AssertCode(ExitCode.Refused, stale);
        Assert.Contains("older than VALIDATION_MAX_AGE", stale.Message);
        Assert.Null(RoutingText());

        // The same candidate, validated again at the clock's new time, is young enough.
        await Done(Validate());
        Clock.Advance(TimeSpan.FromSeconds(59));
        await Done(Apply());
        Assert.Equal(Slot.A, State().Live);
    }

    [Fact]
    public async Task Apply_refuses_a_candidate_whose_validation_failed()
    {
        await Done(Deploy("v1"));
        A.HealthStatus = 500;
        AssertCode(ExitCode.Failed, await Validate());
        A.HealthStatus = 200; // healthy now: the failed verdict still stands until validate runs again

        var result = await Apply();

        AssertCode(ExitCode.Refused, result);
        Assert.Contains("failed its validation (gate http failed", result.Message);
        Assert.Null(RoutingText());
    }

    [Fact]
    public async Task Apply_refuses_when_the_candidate_fails_its_health_check_right_now()
    {
        await ReadyCandidate("v1");
        A.HealthStatus = 503;

        var result = await Apply();

        AssertCode(ExitCode.Refused, result);
        Assert.Contains("the candidate a (v1) fails its health check right now", result.Message);
        Assert.Contains("503", result.Message);
        Assert.Equal(("apply", JournalOutcome.Refused), (Journal()[^1].Action, Journal()[^1].Outcome));
        Assert.Null(RoutingText());
        Assert.Null(State().Live);
    }

    [Fact]
    public async Task Apply_is_refused_and_changes_nothing_when_not_confirmed()
    {
        await ReadyCandidate("v1");
        Reporter.Answer = false;
        var before = Home.SnapshotVar("var/journal", "var/state/journal-head.json", "var/locks");

        var result = await Apply();

        AssertCode(ExitCode.Refused, result);
        Assert.Contains("not confirmed", result.Message);
        Assert.Single(Reporter.Questions);
        Assert.Equal(JournalOutcome.Refused, Journal()[^1].Outcome);
        Assert.Equal(before, Home.SnapshotVar("var/journal", "var/state/journal-head.json", "var/locks"));
    }

    [Fact]
    public async Task A_dry_run_journals_dry_run_and_changes_nothing_else()
    {
        await ReadyCandidate("v1");
        var before = Home.SnapshotVar("var/journal", "var/state/journal-head.json", "var/locks");

        var result = await Apply(dryRun: true);

        AssertCode(ExitCode.Done, result);
        Assert.Contains("dry run", result.Message);
        Assert.Empty(Reporter.Questions);
        Assert.Equal(JournalOutcome.DryRun, Journal()[^1].Outcome);
        Assert.Equal(before, Home.SnapshotVar("var/journal", "var/state/journal-head.json", "var/locks"));
    }

    [Fact]
    public async Task Apply_switches_verifies_records_and_journals_started_then_succeeded()
    {
        await LiveOnAWithCandidateOnB();

        var result = await Apply();

        AssertCode(ExitCode.Done, result);
        Assert.Equal(Slot.B, RoutedSlot());
        var state = State();
        Assert.Equal((Slot.B, Slot.A), (state.Live, state.RollbackTarget));
        Assert.Equal(Clock.GetUtcNow(), state.LastSwitch!.At);
        var (started, outcome) = LastCommand("apply");
        Assert.Equal(("a", "b", "v2"), (started.FromSlot, started.ToSlot, started.ToVersion));
        Assert.Equal(JournalOutcome.Succeeded, outcome.Outcome);
        Assert.Contains(Reporter.Steps, s => s.StartsWith("the router serves the new routing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rollback_refuses_when_there_is_nothing_to_roll_back_to()
    {
        var fresh = await Rollback();
        AssertCode(ExitCode.Refused, fresh);
        Assert.Contains("there is nothing to roll back to", fresh.Message);

        // After the first apply there is no previous slot either.
        await ReadyCandidate("v1");
        await Done(Apply());
        AssertCode(ExitCode.Refused, await Rollback());
        Assert.Equal(Slot.A, RoutedSlot());
    }

    [Fact]
    public async Task A_second_rollback_does_not_flip_back()
    {
        await LiveOnBWithRollbackToA();
        await Done(Rollback());
        Assert.Equal(Slot.A, RoutedSlot());

        var again = await Rollback();

        AssertCode(ExitCode.Refused, again);
        Assert.Contains("nothing to roll back to", again.Message);
        Assert.Equal(Slot.A, RoutedSlot());
        Assert.Equal(Slot.A, State().Live);
    }

    [Fact]
    public async Task Rollback_refuses_an_unhealthy_previous_slot_unless_forced()
    {
        await LiveOnBWithRollbackToA();
        A.HealthStatus = 500;

        var refused = await Rollback();
        AssertCode(ExitCode.Refused, refused);
        Assert.Contains("the previous slot a (v1) fails its health check", refused.Message);
        Assert.Equal(Slot.B, RoutedSlot());

        var forced = await Rollback(force: true);
        AssertCode(ExitCode.Done, forced);
        Assert.Contains(Reporter.Warnings, w => w.Contains("going on because of --force", StringComparison.Ordinal));
        Assert.Equal(Slot.A, RoutedSlot());
        Assert.Equal((Slot.A, (Slot?)null), (State().Live, State().RollbackTarget));
        Assert.Contains("(--force)", LastCommand("rollback").Started.Message);
    }

    [Fact]
    public async Task A_step_the_router_never_shows_puts_the_previous_split_back_and_says_users_are_served_that_split()
    {
        await LiveOnAWithCandidateOnB();
        await Done(Apply(weight: 10));
        var split = RoutingText();
        Api.Frozen = true;

        // Real time: the verification deadline (SWITCH_VERIFY_TIMEOUT=300ms) must pass.
        var result = await Apply(clock: TimeProvider.System, weight: 50);

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("the previous routing file was put back (slot a (v1) is live with 10 % of new requests to slot b (v2))", result.Message);
        Assert.Equal(split, RoutingText());
        Assert.Equal((Slot.A, (int?)10), (State().Live, State().CandidateWeight));
    }

    [Fact]
    public async Task A_router_that_never_shows_the_new_routing_gets_the_previous_routing_file_back()
    {
        await LiveOnAWithCandidateOnB();
        var before = RoutingText();
        Api.Frozen = true;

        // Real time: the verification deadline (SWITCH_VERIFY_TIMEOUT=300ms) must pass.
        var result = await Apply(clock: TimeProvider.System);

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("the router did not show the new routing within", result.Message);
        Assert.Contains("the previous routing file was put back (slot a (v1) is live)", result.Message);
        Assert.Equal(before, RoutingText());
        Assert.Equal((Slot.A, (Slot?)null), (State().Live, State().RollbackTarget));
        var (_, outcome) = LastCommand("apply");
        Assert.Equal(JournalOutcome.Failed, outcome.Outcome);
    }

    [Fact]
    public async Task A_router_api_that_refuses_connections_ends_the_verification_early_and_the_routing_is_put_back()
    {
        await LiveOnAWithCandidateOnB();
        var before = RoutingText();
        // A port nothing listens on: bound, then released.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        Home.WriteGlobal($"ROUTER_API=http://127.0.0.1:{port}\nSWITCH_VERIFY_TIMEOUT=10m\n");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = await Apply(clock: TimeProvider.System);

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("connection refused 3 times in a row", result.Message);
        Assert.DoesNotContain("within", result.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"took {clock.Elapsed} (the timeout is 10 minutes)");
        Assert.Equal(before, RoutingText());
        Assert.Equal(Slot.A, State().Live);
    }

    [Fact]
    public async Task A_first_switch_that_cannot_be_verified_leaves_no_routing_file()
    {
        await ReadyCandidate("v1");
        Assert.Null(RoutingText());
        Api.Frozen = true;

        var result = await Apply(clock: TimeProvider.System);

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("(no slot is live)", result.Message);
        Assert.Null(RoutingText());
        Assert.Null(State().Live);
        Assert.Equal(JournalOutcome.Failed, LastCommand("apply").Outcome.Outcome);
    }

    [Fact]
    public async Task A_state_that_cannot_be_recorded_after_the_routing_changed_gets_the_previous_routing_file_back()
    {
        await LiveOnAWithCandidateOnB();
        var before = RoutingText();
        Reporter.OnStep = step =>
        {
            if (step.StartsWith("wrote ", StringComparison.Ordinal))
            {
                ReplaceStateFileWithFolder();
            }
        };

        var result = await Apply();

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("could not record the new state", result.Message);
        Assert.Contains("the previous routing file was put back", result.Message);
        Assert.Equal(before, RoutingText());
        var (_, outcome) = LastCommand("apply");
        Assert.Equal(JournalOutcome.Failed, outcome.Outcome);
    }

    [Fact]
    public async Task A_routing_file_that_cannot_be_written_fails_the_switch_and_changes_nothing()
    {
        await LiveOnAWithCandidateOnB();
        var before = RoutingText();
        var stateBefore = File.ReadAllText(Home.StateFile(SiteName));
        // The writer's temp folder is a file: the new routing file cannot even be staged.
        Directory.Delete(Home.Path_("var", "routes", ".bluegreen-tmp"), recursive: true);
        File.WriteAllText(Home.Path_("var", "routes", ".bluegreen-tmp"), "");

        var result = await Apply();

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("the routing was not changed", result.Message);
        Assert.Equal(before, RoutingText());
        Assert.Equal(stateBefore, File.ReadAllText(Home.StateFile(SiteName)));
        Assert.Equal(JournalOutcome.Failed, LastCommand("apply").Outcome.Outcome);
    }

    [Fact]
    public async Task A_signal_before_the_command_begins_changes_nothing_and_journals_nothing()
    {
        await LiveOnAWithCandidateOnB();
        // The journal's site index is derived (docs/journal.md): recovery's look-up may bring it up to date.
        var before = Home.SnapshotVar("var/journal/index");
        using var signal = new CancellationTokenSource();
        signal.Cancel();

        var result = await Apply(signal.Token);

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("interrupted by a signal before it began; nothing was changed", result.Message);
        Assert.Equal(before, Home.SnapshotVar("var/journal/index"));
    }

    [Fact]
    public async Task A_signal_before_the_intent_closes_the_intent_as_failed_and_leaves_the_routing_alone()
    {
        await LiveOnAWithCandidateOnB();
        var before = RoutingText();
        using var signal = new CancellationTokenSource();
        Reporter.OnConfirm = signal.Cancel; // SIGTERM while the operator is being asked

        var result = await Apply(signal.Token);

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("interrupted by a signal before the routing changed; nothing was changed", result.Message);
        Assert.Equal(before, RoutingText());
        Assert.Equal(Slot.A, State().Live);
        Assert.Equal(JournalOutcome.Failed, LastCommand("apply").Outcome.Outcome);
    }

    [Fact]
    public async Task A_signal_after_the_routing_write_completes_the_switch_and_journals_interrupted()
    {
        await LiveOnAWithCandidateOnB();
        using var signal = new CancellationTokenSource();
        Reporter.OnStep = step =>
        {
            if (step.StartsWith("wrote ", StringComparison.Ordinal))
            {
                signal.Cancel();
            }
        };

        var result = await Apply(signal.Token);

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("interrupted by a signal after the routing changed: slot b (v2) is live and recorded", result.Message);
        Assert.Equal(Slot.B, RoutedSlot());
        Assert.Equal((Slot.B, Slot.A), (State().Live, State().RollbackTarget));
        Assert.Equal(JournalOutcome.Interrupted, LastCommand("apply").Outcome.Outcome);
    }

    [Fact]
    public async Task A_signal_while_waiting_for_the_router_completes_the_switch_instead_of_waiting_for_the_deadline()
    {
        WriteGlobal(verifyTimeout: "60");
        await LiveOnAWithCandidateOnB();
        Api.Frozen = true;
        using var signal = new CancellationTokenSource();
        Reporter.OnStep = step =>
        {
            if (step.StartsWith("wrote ", StringComparison.Ordinal))
            {
                // Verification starts right after this step and, the router frozen, would wait 60 s.
                signal.CancelAfter(TimeSpan.FromMilliseconds(100));
            }
        };
        // A clock that never moves: the 60 s verification cannot time out, so only the signal can end the wait (the
        // deadline below only keeps a broken build from hanging the suite).
        var result = await Apply(signal.Token, clock: new TimerWatchingClock(Clock.GetUtcNow())).WaitAsync(TimeSpan.FromSeconds(60));

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("slot b (v2) is live and recorded", result.Message);
        Assert.Equal(Slot.B, RoutedSlot());
        Assert.Equal(Slot.B, State().Live);
        Assert.Equal(JournalOutcome.Interrupted, LastCommand("apply").Outcome.Outcome);
    }

    [Fact]
    public async Task When_putting_the_previous_routing_file_back_fails_too_the_operator_is_told_what_users_are_served()
    {
        await LiveOnAWithCandidateOnB();
        Api.Frozen = true;
        var temp = Home.Path_("var", "routes", ".bluegreen-tmp");
        Reporter.OnStep = step =>
        {
            if (step.StartsWith("wrote ", StringComparison.Ordinal))
            {
                // The writer's temp folder becomes a file: the restore cannot stage the previous file.
                Directory.Delete(temp, recursive: true);
                File.WriteAllText(temp, "");
            }
        };

        var result = await Apply(clock: TimeProvider.System);

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("putting the previous routing file back failed too", result.Message);
        Assert.Contains("failed too", result.Message);
        Assert.Contains("slot b (v2) is live", result.Message);
        Assert.Equal(Slot.B, RoutedSlot());
        Assert.Equal(Slot.A, State().Live);
        // No outcome line: the intent stays open for the next command's recovery, which records what is served.
        var started = Journal()[^1];
        Assert.Equal(("apply", JournalOutcome.Started), (started.Action, started.Outcome));

        File.Delete(temp);
        Api.Frozen = false;
        await Done(Deploy("v3"));
        Assert.Equal(Slot.B, State().Live);
        var closing = Journal().Single(l => l.Ref == started.Seq);
        Assert.Equal(JournalOutcome.Interrupted, closing.Outcome);
        Assert.Contains("was interrupted after the routing changed: slot b (v2) is live", closing.Message);
        Assert.Equal("a", Journal()[^1].ToSlot);
    }

    [Fact]
    public async Task An_outcome_the_journal_cannot_record_after_the_switch_is_reported_and_recorded_by_the_next_command()
    {
        await LiveOnAWithCandidateOnB();
        var head = HomeDir.JournalHeadFile;
        string? savedHead = null;
        Reporter.OnStep = step =>
        {
            if (step.StartsWith("wrote ", StringComparison.Ordinal))
            {
                savedHead = File.ReadAllText(head);
                File.Delete(head);
                Directory.CreateDirectory(head); // every append fails from here on
            }
        };

        var result = await Apply();

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("slot b (v2) is live (routing file and state), but the journal could not record the outcome", result.Message);
        Assert.Equal(Slot.B, RoutedSlot());
        Assert.Equal(Slot.B, State().Live);
        var open = Journal()[^1];
        Assert.Equal(("apply", JournalOutcome.Started), (open.Action, open.Outcome));

        // The disk is repaired: the next command's recovery closes the open line.
        Directory.Delete(head);
        File.WriteAllText(head, savedHead);
        await Done(Deploy("v3"));
        var resolved = Assert.Single(Journal(), l => l.Outcome == JournalOutcome.Interrupted);
        Assert.Equal(open.Seq, resolved.Ref);
        Assert.Contains("interrupted after its state was recorded: slot b (v2) is live", resolved.Message);
    }

    [Fact]
    public async Task On_a_terminal_the_plan_is_asked_about_without_holding_a_lock_then_applied()
    {
        await ReadyCandidate("v1");
        Reporter.AsksPerson = true;
        var locksFreeWhileAsking = false;
        Reporter.OnConfirm = () =>
        {
            // A colleague's command could take both locks while the operator reads the plan.
            var files = new FileLock(HomeDir.LocksDir);
            using var sw = files.Acquire(FileLock.SwitchLock, LockHolder.Current("colleague", Clock.GetUtcNow()));
            using var site = files.Acquire(FileLock.SiteLock(SiteName), LockHolder.Current("colleague", Clock.GetUtcNow()));
            locksFreeWhileAsking = true;
        };

        await Done(Apply());

        Assert.True(locksFreeWhileAsking);
        Assert.Single(Reporter.Questions);
        Assert.Single(Reporter.DiffTitles); // shown once, before the question
        Assert.Contains(Reporter.Steps, s => s.StartsWith("plan ", StringComparison.Ordinal));
        Assert.Equal(Slot.A, State().Live);
    }

    [Fact]
    public async Task On_a_terminal_a_plan_that_changed_while_the_operator_read_it_is_refused_after_yes()
    {
        await ReadyCandidate("v1");
        Reporter.AsksPerson = true;
        Reporter.OnConfirm = () => WriteSite("ENTRYPOINTS=websecure\n"); // the routing an apply would write changes

        var result = await Apply();

        AssertCode(ExitCode.Refused, result);
        Assert.Contains("the routing it would write is now", result.Message);
        Assert.Single(Reporter.Questions); // not asked again under the lock
        Assert.Null(State().Live);
        Assert.Equal(("apply", JournalOutcome.Refused), (Journal()[^1].Action, Journal()[^1].Outcome));
        Assert.DoesNotContain(Journal(), l => l.Action == "apply" && l.Outcome == JournalOutcome.Started);
    }

    [Fact]
    public async Task On_a_terminal_a_switch_the_rules_refuse_asks_nothing()
    {
        await Done(Deploy("v1"));
        Reporter.AsksPerson = true;

        var result = await Apply();

        AssertCode(ExitCode.Refused, result);
        Assert.Contains("not validated", result.Message);
        Assert.Empty(Reporter.Questions);
    }
}
