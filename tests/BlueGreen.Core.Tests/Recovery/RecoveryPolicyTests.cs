using BlueGreen.Core.Journal;
using BlueGreen.Core.Recovery;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;

namespace BlueGreen.Core.Tests.Recovery;

/// <summary>
/// RecoveryPolicy (docs/failure-modes.md): every branch of Decide, Drift and Adopt, with exact states and
/// sentences. "Started" is the time on the interrupted command's `started` line.
/// </summary>
public sealed class RecoveryPolicyTests
{
    private static readonly DateTimeOffset Started = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly Deployment V1 = new("d1", "v1", Started.AddHours(-3), "ops@host");
    private static readonly Deployment V2 = new("d2", "v2", Started.AddHours(-2), "ops@host");

    private static readonly SlotVersion A1 = new("a", "v1");
    private static readonly SlotVersion B2 = new("b", "v2");

    private const string Problem = "var/routes/shop.yml: Permission denied";

    /// <summary>Live a (v1), v2 on b, validated: what an apply a → b starts from.</summary>
    private static SiteState LiveA() => new()
    {
        Site = "shop",
        Revision = 7,
        Live = Slot.A,
        SlotA = SlotLife.Deployed(V1),
        SlotB = SlotLife.Deployed(V2),
        Validation = new ValidationSummary("d2", true, Started.AddMinutes(-5), null, null, "var/log/validation/x.json"),
    };

    /// <summary>Live b (v2) after an apply from a (v1): what a rollback b → a starts from.</summary>
    private static SiteState LiveB() => new()
    {
        Site = "shop",
        Revision = 9,
        Live = Slot.B,
        RollbackTarget = Slot.A,
        SlotA = SlotLife.Deployed(V1),
        SlotB = SlotLife.Deployed(V2),
    };

    private static InterruptedCommand Apply(SlotVersion? from = null, SlotVersion? to = null) =>
        new(41, JournalAction.Apply, Started, "ops@host", "cli", from ?? A1, to ?? B2);

    private static InterruptedCommand Rollback() => new(41, JournalAction.Rollback, Started, "ops@host", "cockpit", B2, A1);

    private static InterruptedCommand Deploy(string slot = "b", string version = "v3") =>
        new(42, JournalAction.Deploy, Started, "ops@host", "cli", null, new SlotVersion(slot, version));

    /// <summary>What recovery records of the interrupted deploy when the state holds no attempt of its own: the journal's line.</summary>
    private static readonly DeployAttempt Journaled = new(null, "v3", Started, "ops@host");

    private static InterruptedCommand Validate() => new(43, JournalAction.Validate, Started, "ops@host", "cli", null, B2);

    private static RoutingTruth Serves(Slot slot) => RoutingTruth.Serving(slot);

    private static void AssertResolved(RecoveryDecision decision, InterruptedCommand interrupted, string message)
    {
        Assert.Same(interrupted, decision.Resolved);
        Assert.Equal(message, decision.ResolutionMessage);
        Assert.Null(decision.Blocked);
        Assert.False(decision.IsClean);
    }

    private static void AssertBlocked(RecoveryDecision decision, SiteState state, string blocked)
    {
        Assert.Equal(blocked, decision.Blocked);
        Assert.Null(decision.Resolved);
        Assert.Null(decision.ResolutionMessage);
        Assert.Same(state, decision.State);
        Assert.False(decision.StateChanged);
        Assert.False(decision.IsClean);
    }

    // ---- apply and rollback ----

    [Fact]
    public void Apply_interrupted_after_the_routing_changed_switches_the_state_and_sets_the_rollback_target()
    {
        var state = LiveA() with { RollbackTarget = Slot.B };
        var interrupted = Apply();

        var decision = RecoveryPolicy.Decide(state, Serves(Slot.B), interrupted);

        AssertResolved(decision, interrupted, "apply #41 was interrupted after the routing changed: slot b (v2) is live");
        Assert.True(decision.StateChanged);
        Assert.Equal(
            state with
            {
                Live = Slot.B,
                RollbackTarget = Slot.A,
                LastSwitch = new SwitchRecord(JournalAction.Apply, Started, "ops@host", "cli", A1, B2),
            },
            decision.State);
    }

    [Fact]
    public void Rollback_interrupted_after_the_routing_changed_switches_the_state_and_clears_the_rollback_target()
    {
        var state = LiveB();
        var interrupted = Rollback();

        var decision = RecoveryPolicy.Decide(state, Serves(Slot.A), interrupted);

        AssertResolved(decision, interrupted, "rollback #41 was interrupted after the routing changed: slot a (v1) is live");
        Assert.True(decision.StateChanged);
        Assert.Equal(
            state with
            {
                Live = Slot.A,
                RollbackTarget = null,
                LastSwitch = new SwitchRecord(JournalAction.Rollback, Started, "ops@host", "cockpit", B2, A1),
            },
            decision.State);
    }

    [Fact]
    public void The_first_apply_interrupted_after_the_routing_changed_leaves_nothing_to_roll_back_to()
    {
        var state = new SiteState { Site = "shop", SlotA = SlotLife.Deployed(V1) };
        var interrupted = Apply(to: A1) with { From = null };

        var decision = RecoveryPolicy.Decide(state, Serves(Slot.A), interrupted);

        AssertResolved(decision, interrupted, "apply #41 was interrupted after the routing changed: slot a (v1) is live");
        Assert.Equal(Slot.A, decision.State.Live);
        Assert.Null(decision.State.RollbackTarget);
    }

    [Theory]
    [InlineData(JournalAction.Apply, "apply #41 was interrupted after its state was recorded: slot b (v2) is live")]
    [InlineData(JournalAction.Rollback, "rollback #41 was interrupted after its state was recorded: slot a (v1) is live")]
    public void A_switch_interrupted_after_its_state_was_recorded_changes_nothing(string action, string message)
    {
        var (state, interrupted, routing) = action == JournalAction.Apply
            ? (LiveB(), Apply(), Serves(Slot.B))
            : (LiveA(), Rollback(), Serves(Slot.A));

        var decision = RecoveryPolicy.Decide(state, routing, interrupted);

        AssertResolved(decision, interrupted, message);
        Assert.Same(state, decision.State);
        Assert.False(decision.StateChanged);
    }

    [Theory]
    [InlineData(JournalAction.Apply, "apply #41 was interrupted before the routing changed: slot a is still live; nothing changed")]
    [InlineData(JournalAction.Rollback, "rollback #41 was interrupted before the routing changed: slot b is still live; nothing changed")]
    public void A_switch_interrupted_before_the_routing_changed_changes_nothing(string action, string message)
    {
        var (state, interrupted, routing) = action == JournalAction.Apply
            ? (LiveA(), Apply(), Serves(Slot.A))
            : (LiveB(), Rollback(), Serves(Slot.B));

        var decision = RecoveryPolicy.Decide(state, routing, interrupted);

        AssertResolved(decision, interrupted, message);
        Assert.Same(state, decision.State);
        Assert.False(decision.StateChanged);
    }

    [Fact]
    public void The_first_apply_interrupted_before_any_routing_file_changes_nothing()
    {
        var state = new SiteState { Site = "shop", SlotA = SlotLife.Deployed(V1) };
        var interrupted = Apply(to: A1) with { From = null };

        var decision = RecoveryPolicy.Decide(state, RoutingTruth.NoFile, interrupted);

        AssertResolved(decision, interrupted, "apply #41 was interrupted before the routing changed: no slot is still live; nothing changed");
        Assert.Same(state, decision.State);
    }

    [Theory]
    [InlineData(JournalAction.Apply, "apply #41 was interrupted; the routing file still serves slot a but the state says slot b")]
    [InlineData(JournalAction.Rollback, "rollback #41 was interrupted; the routing file still serves slot b but the state says slot a")]
    public void A_switch_whose_routing_still_serves_its_source_but_whose_state_names_its_target_is_blocked(string action, string blocked)
    {
        var (state, interrupted, routing) = action == JournalAction.Apply
            ? (LiveB(), Apply(), Serves(Slot.A))
            : (LiveA(), Rollback(), Serves(Slot.B));

        AssertBlocked(RecoveryPolicy.Decide(state, routing, interrupted), state, blocked);
    }

    [Fact]
    public void A_switch_whose_routing_serves_neither_side_is_blocked()
    {
        var state = LiveA();

        AssertBlocked(RecoveryPolicy.Decide(state, RoutingTruth.Serving(null), Apply()), state,
            "apply #41 was interrupted; the routing file serves no slot, neither side of the switch");
        AssertBlocked(RecoveryPolicy.Decide(state, RoutingTruth.NoFile, Apply()), state,
            "apply #41 was interrupted; the routing file serves no slot, neither side of the switch");
    }

    [Fact]
    public void A_switch_whose_routing_serves_its_target_but_whose_state_names_neither_side_is_blocked()
    {
        var state = LiveA() with { Live = null };

        AssertBlocked(RecoveryPolicy.Decide(state, Serves(Slot.B), Apply()), state,
            "apply #41 was interrupted; the routing file serves slot b but the state names no slot, which is neither side of the switch");
    }

    [Theory]
    [InlineData(JournalAction.Apply)]
    [InlineData(JournalAction.Rollback)]
    public void A_switch_with_an_unknown_routing_file_is_blocked(string action)
    {
        var state = LiveA();
        var interrupted = action == JournalAction.Apply ? Apply() : Rollback();

        AssertBlocked(RecoveryPolicy.Decide(state, RoutingTruth.Unknown(Problem), interrupted), state,
            $"{action} #41 was interrupted and the routing file cannot tell which slot users are on: {Problem}");
    }

    [Fact]
    public void A_switch_whose_journal_line_names_no_target_slot_is_blocked()
    {
        var state = LiveA();

        AssertBlocked(RecoveryPolicy.Decide(state, Serves(Slot.A), Apply(to: new SlotVersion("c", "v2"))), state,
            "apply #41 was interrupted and its journal line names no target slot");
    }

    // ---- deploy ----

    [Theory]
    [InlineData(1000)]
    [InlineData(0)]
    public void Deploy_interrupted_after_its_deployment_was_recorded_changes_nothing(int recordedAfterMs)
    {
        var state = LiveA() with { SlotB = SlotLife.Deployed(new Deployment("d3", "v3", Started.AddMilliseconds(recordedAfterMs), "ops@host")) };
        var interrupted = Deploy();

        var decision = RecoveryPolicy.Decide(state, Serves(Slot.A), interrupted);

        AssertResolved(decision, interrupted, "deploy #42 was interrupted after its state was recorded: v3 is on slot b (deployment d3)");
        Assert.Same(state, decision.State);
        Assert.False(decision.StateChanged);
    }

    [Fact]
    public void Deploy_interrupted_before_its_deployment_was_recorded_marks_the_slot_interrupted()
    {
        var state = LiveA();
        var interrupted = Deploy();

        var decision = RecoveryPolicy.Decide(state, Serves(Slot.A), interrupted);

        AssertResolved(decision, interrupted, "deploy #42 of v3 on slot b was interrupted: slot b holds no known deployment; deploy again");
        Assert.True(decision.StateChanged);
        Assert.Equal(state with { SlotB = SlotLife.Interrupted(Journaled) }, decision.State);
        Assert.Null(decision.State.Candidate);
    }

    [Fact]
    public void Deploy_interrupted_while_deploying_keeps_its_own_attempt_and_deployment_id()
    {
        var attempt = new DeployAttempt("d3", "v3", Started.AddSeconds(1), "ops@host");
        var state = LiveA().WithDeployBegun(Slot.B, attempt);
        var interrupted = Deploy();

        var decision = RecoveryPolicy.Decide(state, Serves(Slot.A), interrupted);

        AssertResolved(decision, interrupted, "deploy #42 of v3 on slot b was interrupted: slot b holds no known deployment; deploy again");
        Assert.Equal(SlotLife.Interrupted(attempt), decision.State.SlotB);
        Assert.Equal(SlotCondition.Interrupted, decision.State.ConditionOf(Slot.B));
    }

    [Fact]
    public void Deploy_interrupted_after_its_failure_was_recorded_keeps_the_failure()
    {
        var state = LiveA().WithDeployBegun(Slot.B, new DeployAttempt("d3", "v3", Started.AddSeconds(1), "ops@host")).WithDeployFailed(Slot.B, "DEPLOY_CMD exited with code 1");
        var interrupted = Deploy();

        var decision = RecoveryPolicy.Decide(state, Serves(Slot.A), interrupted);

        AssertResolved(decision, interrupted, "deploy #42 was interrupted after its failure was recorded: slot b holds no valid deployment (DEPLOY_CMD exited with code 1)");
        Assert.Same(state, decision.State);
    }

    [Fact]
    public void Deploy_of_the_same_version_recorded_before_the_interrupted_one_started_is_not_taken_for_it()
    {
        var state = LiveA() with { SlotB = SlotLife.Deployed(new Deployment("d3", "v3", Started.AddTicks(-1), "ops@host")) };
        var interrupted = Deploy();

        var decision = RecoveryPolicy.Decide(state, Serves(Slot.A), interrupted);

        AssertResolved(decision, interrupted, "deploy #42 of v3 on slot b was interrupted: slot b holds no known deployment; deploy again");
        Assert.Equal(state with { SlotB = SlotLife.Interrupted(Journaled) }, decision.State);
    }

    [Fact]
    public void Deploy_interrupted_on_the_rollback_target_clears_the_slot_and_the_rollback_target()
    {
        var state = LiveB();
        var interrupted = Deploy(slot: "a");

        var decision = RecoveryPolicy.Decide(state, Serves(Slot.B), interrupted);

        AssertResolved(decision, interrupted, "deploy #42 of v3 on slot a was interrupted: slot a holds no known deployment; deploy again");
        Assert.True(decision.StateChanged);
        Assert.Equal(state with { SlotA = SlotLife.Interrupted(Journaled), RollbackTarget = null }, decision.State);
    }

    [Fact]
    public void Deploy_interrupted_on_an_already_cleared_rollback_target_still_clears_the_rollback_target()
    {
        var state = LiveB() with { SlotA = SlotLife.Empty };
        var interrupted = Deploy(slot: "a");

        var decision = RecoveryPolicy.Decide(state, Serves(Slot.B), interrupted);

        AssertResolved(decision, interrupted, "deploy #42 of v3 on slot a was interrupted: slot a holds no known deployment; deploy again");
        Assert.True(decision.StateChanged);
        Assert.Equal(state with { SlotA = SlotLife.Interrupted(Journaled), RollbackTarget = null }, decision.State);
    }

    [Fact]
    public void Deploy_interrupted_on_a_slot_already_marked_interrupted_by_it_changes_nothing_but_is_resolved()
    {
        var state = LiveA() with { SlotB = SlotLife.Interrupted(Journaled), RollbackTarget = null };
        var interrupted = Deploy();

        var decision = RecoveryPolicy.Decide(state, Serves(Slot.A), interrupted);

        AssertResolved(decision, interrupted, "deploy #42 of v3 on slot b was interrupted: slot b holds no known deployment; deploy again");
        Assert.Same(state, decision.State);
        Assert.False(decision.StateChanged);
    }

    [Fact]
    public void Deploy_that_names_the_slot_the_state_says_is_live_is_blocked()
    {
        var state = LiveB();

        AssertBlocked(RecoveryPolicy.Decide(state, Serves(Slot.B), Deploy()), state,
            "deploy #42 was interrupted and named slot b, which the state says is live");
    }

    [Fact]
    public void Deploy_whose_journal_line_names_no_slot_is_blocked()
    {
        var state = LiveA();
        var noSlot = Deploy() with { To = null };

        AssertBlocked(RecoveryPolicy.Decide(state, Serves(Slot.A), noSlot), state, "deploy #42 was interrupted and its journal line names no slot");
        AssertBlocked(RecoveryPolicy.Decide(state, Serves(Slot.A), Deploy(slot: "x")), state, "deploy #42 was interrupted and its journal line names no slot");
    }

    // ---- validate and recover ----

    [Theory]
    [InlineData(true, 1000, "passed")]
    [InlineData(false, 0, "failed")]
    public void Validate_interrupted_after_its_verdict_was_recorded_changes_nothing(bool passed, int afterMs, string verdict)
    {
        var state = LiveA() with { Validation = new ValidationSummary("d2", passed, Started.AddMilliseconds(afterMs), null, null, "r.json") };
        var interrupted = Validate();

        var decision = RecoveryPolicy.Decide(state, Serves(Slot.A), interrupted);

        AssertResolved(decision, interrupted, $"validate #43 was interrupted after its verdict was recorded: {verdict}");
        Assert.Same(state, decision.State);
        Assert.False(decision.StateChanged);
    }

    [Fact]
    public void Validate_interrupted_before_its_verdict_keeps_the_earlier_verdict()
    {
        var state = LiveA() with { Validation = new ValidationSummary("d2", true, Started.AddMinutes(-10), null, null, "r.json") };
        var interrupted = Validate();

        var decision = RecoveryPolicy.Decide(state, Serves(Slot.A), interrupted);

        AssertResolved(decision, interrupted, "validate #43 was interrupted before its verdict: the earlier verdict (passed, 2025-06-01T11:50:00Z) stands");
        Assert.Same(state, decision.State);
    }

    [Fact]
    public void Validate_interrupted_with_no_verdict_for_the_candidate_says_so()
    {
        // A verdict on another deployment is no verdict for the candidate.
        var state = LiveA() with { Validation = new ValidationSummary("d1", true, Started.AddMinutes(1), null, null, "r.json") };
        var interrupted = Validate();

        var decision = RecoveryPolicy.Decide(state, Serves(Slot.A), interrupted);

        AssertResolved(decision, interrupted, "validate #43 was interrupted before its verdict: the candidate has no verdict");
        Assert.Same(state, decision.State);
    }

    [Fact]
    public void Recover_interrupted_changes_nothing_and_leaves_drift_to_block()
    {
        var state = LiveA();
        var interrupted = new InterruptedCommand(44, JournalAction.Recover, Started, "ops@host", "cli", null, null);

        var decision = RecoveryPolicy.Decide(state, Serves(Slot.B), interrupted);

        Assert.Same(interrupted, decision.Resolved);
        Assert.Equal("recover #44 was interrupted; it changes no routing, recovery runs again", decision.ResolutionMessage);
        Assert.Same(state, decision.State);
        Assert.Equal("the routing file sends users to slot b but the state says slot a is live", decision.Blocked);
    }

    [Fact]
    public void An_interrupted_command_is_resolved_even_when_drift_then_blocks()
    {
        var state = LiveA();
        var interrupted = Validate();

        var decision = RecoveryPolicy.Decide(state, Serves(Slot.B), interrupted);

        Assert.Same(interrupted, decision.Resolved);
        Assert.Equal("validate #43 was interrupted before its verdict: the earlier verdict (passed, 2025-06-01T11:55:00Z) stands", decision.ResolutionMessage);
        Assert.Equal("the routing file sends users to slot b but the state says slot a is live", decision.Blocked);
    }

    // ---- drift with no interrupted command ----

    public static TheoryData<string, SiteState, RoutingTruth, string> Drifts => new()
    {
        { "routing b, state a", LiveA(), Serves(Slot.B), "the routing file sends users to slot b but the state says slot a is live" },
        { "no routing file, state a", LiveA(), RoutingTruth.NoFile, "the state says slot a is live but there is no routing file" },
        { "routing file unreadable", LiveA(), RoutingTruth.Unknown(Problem), $"the routing file cannot tell which slot users are on: {Problem}" },
        { "state deleted, routing b", SiteState.Empty("shop"), Serves(Slot.B), "the routing file sends users to slot b but the state says no slot is live" },
        { "routing serves no slot, state a", LiveA(), RoutingTruth.Serving(null), "the routing file sends users to no slot but the state says slot a is live" },
        { "etcd: routing b, state a", LiveA(), Serves(Slot.B).InEtcd(), "the routing in etcd sends users to slot b but the state says slot a is live" },
        { "etcd: no keys, state a", LiveA(), RoutingTruth.NoFile.InEtcd(), "the state says slot a is live but there is no routing in etcd" },
    };

    [Theory]
    [MemberData(nameof(Drifts))]
    public void Drift_with_no_interrupted_command_blocks_with_one_sentence(string name, SiteState state, RoutingTruth routing, string sentence)
    {
        Assert.NotEmpty(name);
        Assert.Equal(sentence, RecoveryPolicy.Drift(state, routing));
        AssertBlocked(RecoveryPolicy.Decide(state, routing, null), state, sentence);
    }

    public static TheoryData<string, SiteState, RoutingTruth> Agreements => new()
    {
        { "routing a, state a", LiveA(), Serves(Slot.A) },
        { "new site: no routing file, empty state", SiteState.Empty("shop"), RoutingTruth.NoFile },
        { "routing file without the site's router, empty state", SiteState.Empty("shop"), RoutingTruth.Serving(null) },
    };

    [Theory]
    [MemberData(nameof(Agreements))]
    public void No_drift_and_no_interrupted_command_is_clean(string name, SiteState state, RoutingTruth routing)
    {
        Assert.NotEmpty(name);
        Assert.Null(RecoveryPolicy.Drift(state, routing));
        var decision = RecoveryPolicy.Decide(state, routing, null);
        Assert.True(decision.IsClean);
        Assert.Same(state, decision.State);
        Assert.Null(decision.ResolutionMessage);
    }

    // ---- adopt (`recover SITE`) ----

    [Fact]
    public void Adopt_takes_the_routing_files_slot_and_makes_the_old_live_slot_the_rollback_target()
    {
        var state = LiveA() with { RollbackTarget = Slot.B };

        var (adopted, message) = RecoveryPolicy.Adopt(state, Serves(Slot.B));

        Assert.Equal(state with { Live = Slot.B, RollbackTarget = Slot.A }, adopted);
        Assert.Equal("adopted what the routing file serves: slot b is live (the state said slot a)", message);
        Assert.Null(RecoveryPolicy.Drift(adopted!, Serves(Slot.B)));
    }

    [Fact]
    public void Adopt_sets_no_rollback_target_when_the_old_live_slot_holds_no_deployment()
    {
        var state = LiveA() with { SlotA = SlotLife.Empty };

        var (adopted, message) = RecoveryPolicy.Adopt(state, Serves(Slot.B));

        Assert.Equal(state with { Live = Slot.B, RollbackTarget = null }, adopted);
        Assert.Equal("adopted what the routing file serves: slot b is live (the state said slot a)", message);
    }

    [Fact]
    public void Adopt_after_the_state_was_deleted_takes_the_routing_files_slot()
    {
        var state = SiteState.Empty("shop");

        var (adopted, message) = RecoveryPolicy.Adopt(state, Serves(Slot.B));

        Assert.Equal(state with { Live = Slot.B, RollbackTarget = null }, adopted);
        Assert.Equal("adopted what the routing file serves: slot b is live (the state said no slot)", message);
        Assert.True(RecoveryPolicy.Decide(adopted!, Serves(Slot.B), null).IsClean);
    }

    [Fact]
    public void Adopt_with_no_routing_file_records_that_no_slot_is_live()
    {
        var state = LiveA();

        var (adopted, message) = RecoveryPolicy.Adopt(state, RoutingTruth.NoFile);

        Assert.Equal(state with { Live = null, RollbackTarget = Slot.A }, adopted);
        Assert.Equal("adopted what the routing file serves: no slot is live (the state said slot a)", message);
        Assert.Null(RecoveryPolicy.Drift(adopted!, RoutingTruth.NoFile));
    }

    [Fact]
    public void Adopt_refuses_a_routing_file_that_cannot_tell()
    {
        var (adopted, message) = RecoveryPolicy.Adopt(LiveA(), RoutingTruth.Unknown(Problem));

        Assert.Null(adopted);
        Assert.Equal($"cannot adopt the routing file: {Problem}", message);
    }

    [Fact]
    public void Adopt_changes_nothing_when_the_routing_file_and_the_state_agree()
    {
        var state = LiveB();

        var (adopted, message) = RecoveryPolicy.Adopt(state, Serves(Slot.B));

        Assert.Same(state, adopted);
        Assert.Equal("nothing to adopt: the routing file and the state agree (slot b is live)", message);
    }

    [Fact]
    public void Under_the_lock_a_slot_still_deploying_with_no_deploy_running_is_interrupted()
    {
        var attempt = new DeployAttempt("d3", "v3", Started, "ops@host");
        var stale = LiveA().WithDeployBegun(Slot.B, attempt);

        var (state, message, ended) = RecoveryPolicy.EndStaleDeploys(stale)!.Value;

        Assert.Equal(SlotLife.Interrupted(attempt), state.SlotB);
        Assert.Equal((Slot.A, SlotLife.Deployed(V1)), (state.Live, state.SlotA));
        Assert.Null(state.Candidate);
        Assert.Equal("the deploy of v3 on slot b ended without recording its end: slot b holds no known deployment; deploy again", message);
        Assert.Equal(new SlotVersion("b", "v3"), ended);
    }

    [Fact]
    public void With_no_slot_deploying_there_is_nothing_to_end()
    {
        Assert.Null(RecoveryPolicy.EndStaleDeploys(LiveA()));
        // The state names a deploying slot live (a hand edit): not this rule's to change.
        Assert.Null(RecoveryPolicy.EndStaleDeploys(LiveA().WithDeployBegun(Slot.B, new DeployAttempt("d3", "v3", Started, "ops@host")) with { Live = Slot.B }));
        Assert.Null(RecoveryPolicy.EndStaleDeploys(LiveA().WithDeployBegun(Slot.B, new DeployAttempt("d3", "v3", Started, "ops@host")).WithDeployFailed(Slot.B, "DEPLOY_CMD exited with code 1")));
    }
}
