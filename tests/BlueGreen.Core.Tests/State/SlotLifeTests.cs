using BlueGreen.Core.Slots;
using BlueGreen.Core.State;

namespace BlueGreen.Core.Tests.State;

/// <summary>A slot's life: every transition of <see cref="SiteState"/>, from every phase, and what status derives from it.</summary>
public sealed class SlotLifeTests
{
    private static readonly DateTimeOffset At = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Deployment Old = new("d1", "v1", At.AddHours(-1), "ops@host");
    private static readonly Deployment New = new("d2", "v2", At, "ops@host");
    private static readonly DeployAttempt Attempt = new("d2", "v2", At, "ops@host");
    private static readonly DeployAttempt Earlier = new("d0", "v0", At.AddHours(-2), "ops@host");

    public static TheoryData<SlotPhase> Phases => new(Enum.GetValues<SlotPhase>());

    /// <summary>Slot b in <paramref name="phase"/> and the rollback target, slot a live.</summary>
    private static SiteState On(SlotPhase phase) => new SiteState { Site = "shop", Live = Slot.A, RollbackTarget = Slot.B, SlotA = SlotLife.Deployed(Old) } with
    {
        SlotB = phase switch
        {
            SlotPhase.Empty => SlotLife.Empty,
            SlotPhase.Deploying => SlotLife.Deploying(Earlier),
            SlotPhase.Deployed => SlotLife.Deployed(Old with { Id = "d0" }),
            SlotPhase.Failed => SlotLife.Failed(Earlier, "DEPLOY_CMD exited with code 1"),
            _ => SlotLife.Interrupted(Earlier),
        },
    };

    [Theory]
    [MemberData(nameof(Phases))]
    public void A_deploy_may_begin_from_every_phase_and_the_slot_is_no_rollback_target_any_more(SlotPhase from)
    {
        var next = On(from).WithDeployBegun(Slot.B, Attempt);

        Assert.Equal(new SlotLife { Phase = SlotPhase.Deploying, Attempt = Attempt }, next.SlotB);
        Assert.Null(next.DeploymentOn(Slot.B));
        Assert.Null(next.Candidate);
        Assert.Null(next.RollbackTarget);
        Assert.Equal(SlotLife.Deployed(Old), next.SlotA);
    }

    [Fact]
    public void A_deploy_that_began_succeeds_into_a_deployed_slot_that_is_the_candidate()
    {
        var next = On(SlotPhase.Deployed).WithDeployBegun(Slot.B, Attempt).WithDeploySucceeded(Slot.B, New);

        Assert.Equal(SlotLife.Deployed(New), next.SlotB);
        Assert.Equal(New, next.Candidate);
        Assert.Null(next.RollbackTarget);
    }

    [Fact]
    public void A_deploy_that_began_fails_with_its_reason_and_keeps_its_attempt()
    {
        var next = On(SlotPhase.Empty).WithDeployBegun(Slot.B, Attempt).WithDeployFailed(Slot.B, "DEPLOY_CMD exited with code 2");

        Assert.Equal(new SlotLife { Phase = SlotPhase.Failed, Attempt = Attempt, Reason = "DEPLOY_CMD exited with code 2" }, next.SlotB);
        Assert.Null(next.Candidate);
    }

    [Theory]
    [InlineData(SlotPhase.Empty)]
    [InlineData(SlotPhase.Deployed)]
    [InlineData(SlotPhase.Failed)]
    [InlineData(SlotPhase.Interrupted)]
    public void Only_a_deploy_that_began_can_succeed_or_fail(SlotPhase from)
    {
        var state = On(from);

        Assert.Throws<InvalidOperationException>(() => state.WithDeploySucceeded(Slot.B, New));
        Assert.Throws<InvalidOperationException>(() => state.WithDeployFailed(Slot.B, "why"));
    }

    [Fact]
    public void A_deploy_succeeds_only_with_the_deployment_that_began()
    {
        var state = On(SlotPhase.Empty).WithDeployBegun(Slot.B, Attempt);

        Assert.Throws<InvalidOperationException>(() => state.WithDeploySucceeded(Slot.B, New with { Id = "d9" }));
    }

    [Theory]
    [MemberData(nameof(Phases))]
    public void Recovery_marks_an_interrupted_deploy_from_every_phase(SlotPhase from)
    {
        var next = On(from).WithDeployInterrupted(Slot.B, Attempt);

        Assert.Equal(new SlotLife { Phase = SlotPhase.Interrupted, Attempt = Attempt }, next.SlotB);
        Assert.Null(next.DeploymentOn(Slot.B));
        Assert.Null(next.RollbackTarget);
    }

    [Fact]
    public void A_transition_on_a_slot_that_is_not_the_rollback_target_keeps_the_rollback_target()
    {
        var state = On(SlotPhase.Deployed) with { Live = Slot.B, RollbackTarget = Slot.A, SlotB = SlotLife.Deployed(New) };

        var next = state.WithDeployBegun(Slot.B, Attempt);

        Assert.Equal(Slot.A, next.RollbackTarget);
    }

    [Theory]
    [InlineData(SlotPhase.Empty, null, SlotCondition.Empty)]
    [InlineData(SlotPhase.Deploying, null, SlotCondition.Deploying)]
    [InlineData(SlotPhase.Failed, null, SlotCondition.DeployFailed)]
    [InlineData(SlotPhase.Interrupted, null, SlotCondition.Interrupted)]
    [InlineData(SlotPhase.Deployed, null, SlotCondition.Deployed)]
    [InlineData(SlotPhase.Deployed, true, SlotCondition.Validated)]
    [InlineData(SlotPhase.Deployed, false, SlotCondition.ValidationFailed)]
    public void Status_derives_a_deployed_slots_verdict_from_the_validation_bound_to_its_deployment(SlotPhase phase, bool? passed, SlotCondition expected)
    {
        var state = On(phase) with
        {
            Validation = passed is { } p ? new ValidationSummary("d0", p, At, p ? null : "logs", null, "report.json") : null,
        };

        Assert.Equal(expected, state.ConditionOf(Slot.B));
    }

    [Fact]
    public void A_validation_of_another_deployment_says_nothing_of_a_slot()
    {
        var state = On(SlotPhase.Deployed) with { Validation = new ValidationSummary("d1", true, At, null, null, "report.json") };

        Assert.Equal(SlotCondition.Deployed, state.ConditionOf(Slot.B));
        Assert.Equal(SlotCondition.Validated, state.ConditionOf(Slot.A));
    }

    public static TheoryData<SlotLife, string?> Lives => new()
    {
        { SlotLife.Empty, null },
        { SlotLife.Deployed(Old), null },
        { SlotLife.Deploying(Attempt), null },
        { SlotLife.Failed(Attempt, "boom"), null },
        { SlotLife.Interrupted(Attempt), null },
        { new SlotLife { Phase = SlotPhase.Deployed }, "a deployed slot names no deployment" },
        { new SlotLife { Deployment = Old }, "an empty slot holds a deployment or an attempt" },
        { new SlotLife { Phase = SlotPhase.Deploying }, "a slot in phase deploying must name its attempt and no deployment" },
        { new SlotLife { Phase = SlotPhase.Interrupted, Attempt = Attempt, Deployment = Old }, "a slot in phase interrupted must name its attempt and no deployment" },
        { new SlotLife { Phase = SlotPhase.Failed, Attempt = Attempt }, "a failed slot names no reason" },
    };

    [Theory]
    [MemberData(nameof(Lives))]
    public void A_slot_life_read_from_a_file_is_checked_against_its_phase(SlotLife life, string? problem) =>
        Assert.Equal(problem, life.Problem);
}
