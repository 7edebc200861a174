using BlueGreen.Core.Journal;
using BlueGreen.Core.Recovery;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Core.Switching;
using BlueGreen.Core.Tests.Routing;
using BlueGreen.Testing;

namespace BlueGreen.Core.Tests.Switching;

/// <summary>
/// Stepwise weights (`apply --weight P`, issue 14 item 3) in the pure core: the plan, the state after each step,
/// the routing it renders (weights, sticky cookie), and what recovery makes of a split.
/// </summary>
public sealed class SplitTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Deployment V1 = new("d1", "v1", Now.AddHours(-3), "ops@host");
    private static readonly Deployment V2 = new("d2", "v2", Now.AddHours(-2), "ops@host");

    /// <summary>Live a (v1), v2 on b validated; <paramref name="weight"/>: a split already made.</summary>
    private static SiteState LiveA(int? weight = null) => new()
    {
        Site = "shop",
        Live = Slot.A,
        CandidateWeight = weight,
        SlotA = SlotLife.Deployed(V1),
        SlotB = SlotLife.Deployed(V2),
        Validation = new ValidationSummary("d2", true, Now.AddMinutes(-5), null, null, "x.json"),
    };

    private static SwitchRecord Record(string action) => new(action, Now, "ops@host", "cli", new SlotVersion("a", "v1"), new SlotVersion("b", "v2"));

    [Theory]
    [InlineData("1", 1)]
    [InlineData("50", 50)]
    [InlineData("99", 99)]
    public void A_weight_from_1_to_99_is_accepted(string text, int expected)
    {
        Assert.Null(SwitchPolicy.CheckWeight(text, out var weight));
        Assert.Equal(expected, weight);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100")]
    [InlineData("-5")]
    [InlineData("10.5")]
    [InlineData("ten")]
    [InlineData("")]
    [InlineData(" 10")]
    public void Any_other_weight_is_one_line_naming_the_option(string text)
    {
        var error = SwitchPolicy.CheckWeight(text, out _);

        Assert.NotNull(error);
        Assert.StartsWith($"--weight: '{text}' is not a whole number from 1 to 99", error);
        Assert.DoesNotContain('\n', error);
    }

    [Theory]
    [InlineData(null, 10)]
    [InlineData(10, 50)]
    [InlineData(50, 50)]
    public void A_step_is_validated_like_apply_and_keeps_the_live_slot(int? before, int weight)
    {
        var decision = SwitchPolicy.DecideApply(LiveA(before), Now, TimeSpan.FromHours(1), weight);

        var plan = Assert.IsType<SwitchDecision.Allowed>(decision).Plan;
        Assert.Equal(new SwitchPlan(Slot.B, new SlotVersion("a", "v1"), new SlotVersion("b", "v2"), weight), plan);
        Assert.Equal(Slot.A, plan.LiveAfter);
        Assert.Equal(new SlotWeights(100 - weight, weight), plan.Weights);
        var after = SwitchPolicy.AfterApply(LiveA(before), plan, Record("apply"));
        Assert.Equal(LiveA(weight) with { LastSwitch = Record("apply") }, after);
    }

    [Fact]
    public void A_step_is_refused_like_apply_when_the_validation_is_too_old()
    {
        var decision = SwitchPolicy.DecideApply(LiveA(10), Now.AddHours(2), TimeSpan.FromHours(1), 50);

        Assert.IsType<SwitchDecision.Refused>(decision);
        Assert.Contains("older than VALIDATION_MAX_AGE", ((SwitchDecision.Refused)decision).Reason);
    }

    [Fact]
    public void A_step_is_refused_before_the_first_switch_there_is_no_live_slot_to_share_with()
    {
        var state = LiveA() with { Live = null, Validation = new ValidationSummary("d1", true, Now, null, null, "x.json") };

        var decision = SwitchPolicy.DecideApply(state, Now, TimeSpan.FromHours(1), 10);

        Assert.Equal("no slot is live yet: a split needs a live slot to share the traffic with", ((SwitchDecision.Refused)decision).Reason);
    }

    [Fact]
    public void Apply_without_a_weight_completes_the_switch_from_a_split()
    {
        var plan = Assert.IsType<SwitchDecision.Allowed>(SwitchPolicy.DecideApply(LiveA(50), Now, TimeSpan.FromHours(1))).Plan;

        var after = SwitchPolicy.AfterApply(LiveA(50), plan, Record("apply"));

        Assert.Equal(Slot.B, after.Live);
        Assert.Equal(Slot.A, after.RollbackTarget);
        Assert.Null(after.CandidateWeight);
        Assert.Equal(SlotWeights.AllTo(Slot.B), plan.Weights);
    }

    [Fact]
    public void Rollback_mid_split_returns_everything_to_the_slot_live_before_the_first_step()
    {
        var decision = SwitchPolicy.DecideRollback(LiveA(50));

        var plan = Assert.IsType<SwitchDecision.Allowed>(decision).Plan;
        Assert.Equal(new SwitchPlan(Slot.A, new SlotVersion("b", "v2"), new SlotVersion("a", "v1")), plan);
        Assert.Equal(SlotWeights.AllTo(Slot.A), plan.Weights);
        var after = SwitchPolicy.AfterRollback(LiveA(50) with { RollbackTarget = null }, plan, Record("rollback"));
        Assert.Equal(LiveA() with { LastSwitch = Record("rollback") }, after);
    }

    [Fact]
    public void After_a_rollback_mid_split_the_candidate_carried_users_so_a_deploy_onto_it_waits_for_its_drain()
    {
        var plan = Assert.IsType<SwitchDecision.Allowed>(SwitchPolicy.DecideRollback(LiveA(50))).Plan;
        var record = new SwitchRecord("rollback", Now, "ops@host", "cli", plan.From, plan.To);

        var after = SwitchPolicy.AfterRollback(LiveA(50), plan, record);

        Assert.Equal(Slot.B, after.CandidateSlot);
        Assert.True(BlueGreen.Core.Draining.DrainRules.MayHoldTraffic(after, Slot.B));
    }

    public static TheoryData<Slot, int, bool, int, int, bool> Renderings() => new()
    {
        { Slot.A, 10, false, 90, 10, false },
        { Slot.A, 50, true, 50, 50, true },
        { Slot.B, 10, true, 10, 90, true },
        { Slot.B, 99, false, 99, 1, false },
    };

    [Theory]
    [MemberData(nameof(Renderings))]
    public void A_split_renders_the_weights_and_with_STICKY_COOKIE_the_sticky_cookie(Slot live, int weight, bool sticky, int a, int b, bool hasCookie)
    {
        var site = RoutingPlannerTests.Site() with { StickyCookie = sticky ? "bg_slot" : null };

        var config = RoutingPlanner.Build(site, live, live.Other(), weight);

        var weighted = config.Http!.Services!["shop"].Weighted!;
        Assert.Equal([("shop-a", a), ("shop-b", b)], weighted.Services.Select(s => (s.Name, s.Weight)));
        Assert.Equal(hasCookie ? "bg_slot" : null, weighted.Sticky?.Cookie?.Name);
        Assert.Equal(new SlotWeights(a, b), RoutingPlanner.WeightsIn(config, "shop"));
        Assert.Null(RoutingPlanner.LiveSlotIn(config, "shop"));
        var yaml = RoutingPlanner.Render(site, live, live.Other(), "split", weight);
        Assert.Empty(RoutingSchema.Validate(yaml));
        var (read, error) = RoutingFileFormat.Parse(yaml);
        Assert.Null(error);
        Assert.Equal(yaml, RoutingFileFormat.Serialize(read!, ["BlueGreen Orchestrator routing for site shop: written by ./run.sh, do not edit by hand.", "split"]));
        var (fromKv, kvError) = RoutingKv.Parse(RoutingKv.Pairs(config, "traefik"), "traefik");
        Assert.Null(kvError);
        Assert.Equal(RoutingFileFormat.Serialize(config, []), RoutingFileFormat.Serialize(fromKv!, []));
    }

    [Fact]
    public void Outside_a_split_there_is_no_sticky_cookie_even_with_STICKY_COOKIE()
    {
        var site = RoutingPlannerTests.Site() with { StickyCookie = "bg_slot" };

        Assert.Null(RoutingPlanner.Build(site, Slot.A, Slot.B).Http!.Services!["shop"].Weighted!.Sticky);
        Assert.Contains(RoutingKv.Pairs(RoutingPlanner.Build(site, Slot.A, Slot.B, 10), "traefik"), p => p.Key == "traefik/http/services/shop/weighted/sticky/cookie/name" && p.Value == "bg_slot");
    }

    [Fact]
    public void The_routing_truth_of_a_split_matches_only_the_state_with_that_split()
    {
        var truth = RoutingTruth.Of(RoutingPlanner.Build(RoutingPlannerTests.Site(), Slot.A, Slot.B, 10), "shop");

        Assert.True(truth.Known);
        Assert.True(truth.IsSplit);
        Assert.Null(truth.Live);
        Assert.Equal("a split: slot a 90 %, slot b 10 %", truth.Describe());
        Assert.True(truth.Matches(LiveA(10)));
        Assert.False(truth.Matches(LiveA(50)));
        Assert.False(truth.Matches(LiveA()));
        Assert.False(truth.Matches(LiveA(10) with { Live = Slot.B }));
        Assert.Null(RecoveryPolicy.Drift(LiveA(10), truth));
        Assert.Equal("the routing file sends users to a split: slot a 90 %, slot b 10 % but the state says slot a is live", RecoveryPolicy.Drift(LiveA(), truth));
        Assert.Equal("the routing file sends users to slot a but the state says slot a is live with 10 % to slot b", RecoveryPolicy.Drift(LiveA(10), RoutingTruth.Serving(Slot.A)));
    }

    private static InterruptedCommand Interrupted(string action, string from, string to) =>
        new(41, action, Now, "ops@host", "cli", new SlotVersion(from, from == "a" ? "v1" : "v2"), new SlotVersion(to, to == "a" ? "v1" : "v2"));

    private static RoutingTruth Split(int candidate) => RoutingTruth.Serving(SlotWeights.Split(Slot.A, candidate));

    public static TheoryData<string, SiteState, InterruptedCommand, RoutingTruth, int?, Slot?, string?, string?> Interruptions() => new()
    {
        // A step that wrote its split but did not record it: the split is adopted, a stays live.
        { "step written", LiveA(), Interrupted(JournalAction.Apply, "a", "b"), Split(10), 10, Slot.A, "apply #41 was interrupted after the routing changed: a split: slot a 90 %, slot b 10 %", null },
        { "second step written", LiveA(10), Interrupted(JournalAction.Apply, "a", "b"), Split(50), 50, Slot.A, "apply #41 was interrupted after the routing changed: a split: slot a 50 %, slot b 50 %", null },
        { "step not written", LiveA(10), Interrupted(JournalAction.Apply, "a", "b"), Split(10), 10, Slot.A, "apply #41 was interrupted; the routing file and the state agree: a split: slot a 90 %, slot b 10 %", null },
        { "completing apply written", LiveA(50), Interrupted(JournalAction.Apply, "a", "b"), RoutingTruth.Serving(Slot.B), null, Slot.B, "apply #41 was interrupted after the routing changed: slot b (v2) is live", null },
        { "rollback mid-split written", LiveA(50), Interrupted(JournalAction.Rollback, "b", "a"), RoutingTruth.Serving(Slot.A), null, Slot.A, "rollback #41 was interrupted after the routing changed: slot a (v1) has all traffic again", null },
        { "rollback mid-split not written", LiveA(50), Interrupted(JournalAction.Rollback, "b", "a"), Split(50), 50, Slot.A, "rollback #41 was interrupted; the routing file and the state agree: a split: slot a 50 %, slot b 50 %", null },
        { "a split the command does not explain", LiveA(), Interrupted(JournalAction.Rollback, "b", "a"), Split(30), null, Slot.A, null, "rollback #41 was interrupted; the routing file serves a split: slot a 70 %, slot b 30 %, which is not where this switch goes from the state (slot a is live)" },
    };

    [Theory]
    [MemberData(nameof(Interruptions))]
    public void Recovery_of_an_interrupted_switch_understands_a_split(string variant, SiteState state, InterruptedCommand command, RoutingTruth routing, int? weight, Slot? live, string? message, string? blocked)
    {
        var decision = RecoveryPolicy.Decide(state, routing, command);

        Assert.True(blocked == decision.Blocked, $"{variant}: {decision.Blocked}");
        Assert.True(message == decision.ResolutionMessage, $"{variant}: {decision.ResolutionMessage}");
        Assert.Equal(weight, decision.State.CandidateWeight);
        Assert.Equal(live, decision.State.Live);
    }

    [Fact]
    public void Recover_adopts_a_split_as_a_step_from_the_states_live_slot()
    {
        var (state, message) = RecoveryPolicy.Adopt(LiveA(), Split(20));

        Assert.Equal(LiveA(20), state);
        Assert.Equal("adopted what the routing file serves: a split: slot a 80 %, slot b 20 %, slot a live until the switch completes (the state said slot a)", message);
        Assert.Null(RecoveryPolicy.Adopt(LiveA() with { Live = null }, Split(20)).State);
        Assert.Null(RecoveryPolicy.Adopt(LiveA(), RoutingTruth.Serving(new SlotWeights(3, 1))).State);
    }

    [Fact]
    public void A_state_file_of_format_1_reads_as_no_split()
    {
        Assert.Equal(3, SiteState.CurrentFormat);
        var state = System.Text.Json.JsonSerializer.Deserialize<SiteState>("""{"format":1,"site":"shop","live":"a"}""", Json.Options);

        Assert.Null(state!.CandidateWeight);
    }
}
