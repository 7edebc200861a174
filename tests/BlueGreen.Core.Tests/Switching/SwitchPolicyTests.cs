using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Core.Switching;

namespace BlueGreen.Core.Tests.Switching;

public sealed class SwitchPolicyTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);

    private static Deployment Dep(string id, string version) => new(id, version, Now.AddHours(-2), "ops@host");

    private static ValidationSummary Passed(string deploymentId, TimeSpan age) =>
        new(deploymentId, true, Now - age, null, null, "var/log/validation/x.json");

    private static SwitchRecord Record(string action) => new(action, Now, "ops@host", "cli", null, new SlotVersion("a", "v1"));

    /// <summary>Never switched; v1 deployed on a and validated.</summary>
    private static SiteState FirstReady() => new()
    {
        Site = "shop",
        SlotA = SlotLife.Deployed(Dep("d1", "v1")),
        Validation = Passed("d1", TimeSpan.FromMinutes(5)),
    };

    /// <summary>Live a (v1), rollback target none, v2 deployed on b and validated.</summary>
    private static SiteState LaterReady() => new()
    {
        Site = "shop",
        Live = Slot.A,
        SlotA = SlotLife.Deployed(Dep("d1", "v1")),
        SlotB = SlotLife.Deployed(Dep("d2", "v2")),
        Validation = Passed("d2", TimeSpan.FromMinutes(5)),
    };

    [Fact]
    public void Apply_is_refused_when_the_candidate_slot_has_no_deployment()
    {
        var decision = SwitchPolicy.DecideApply(SiteState.Empty("shop"), Now, MaxAge);

        Assert.IsType<SwitchDecision.Refused>(decision);
        Assert.Equal("no deployment on the candidate slot a", ((SwitchDecision.Refused)decision).Reason);
        Assert.Contains("deploy shop --version", ((SwitchDecision.Refused)decision).Hint);
    }

    [Fact]
    public void Apply_is_refused_when_the_candidate_is_not_validated()
    {
        var decision = SwitchPolicy.DecideApply(FirstReady() with { Validation = null }, Now, MaxAge);

        Assert.IsType<SwitchDecision.Refused>(decision);
        Assert.Equal("candidate v1 on slot a is not validated", ((SwitchDecision.Refused)decision).Reason);
        Assert.Contains("validate shop", ((SwitchDecision.Refused)decision).Hint);
    }

    [Fact]
    public void Apply_is_refused_when_the_validation_judged_another_deployment()
    {
        var state = LaterReady() with { Validation = Passed("d1", TimeSpan.FromMinutes(1)) };

        var decision = SwitchPolicy.DecideApply(state, Now, MaxAge);

        Assert.IsType<SwitchDecision.Refused>(decision);
        Assert.Equal("candidate v2 on slot b is not validated", ((SwitchDecision.Refused)decision).Reason);
    }

    [Fact]
    public void Apply_is_refused_when_the_validation_failed_and_names_the_gate()
    {
        var state = LaterReady() with { Validation = new ValidationSummary("d2", false, Now.AddMinutes(-1), "http", "HTTP 500 on /health", "r.json") };

        var decision = SwitchPolicy.DecideApply(state, Now, MaxAge);

        Assert.IsType<SwitchDecision.Refused>(decision);
        Assert.Equal("candidate v2 on slot b failed its validation (gate http failed: HTTP 500 on /health)", ((SwitchDecision.Refused)decision).Reason);
    }

    [Theory]
    [InlineData(3601, false)]
    [InlineData(86_400, false)]
    [InlineData(3600, true)]
    [InlineData(0, true)]
    public void Apply_is_refused_when_the_validation_is_older_than_the_maximum_age(int ageSeconds, bool allowed)
    {
        var state = LaterReady() with { Validation = Passed("d2", TimeSpan.FromSeconds(ageSeconds)) };

        var decision = SwitchPolicy.DecideApply(state, Now, MaxAge);

        Assert.Equal(allowed, decision is SwitchDecision.Allowed);
        if (!allowed)
        {
            Assert.Contains("older than VALIDATION_MAX_AGE (60m)", ((SwitchDecision.Refused)decision).Reason);
        }
    }

    [Fact]
    public void The_first_apply_is_allowed_from_nothing_to_slot_a()
    {
        var decision = SwitchPolicy.DecideApply(FirstReady(), Now, MaxAge);

        Assert.Equal(new SwitchPlan(Slot.A, null, new SlotVersion("a", "v1")), Assert.IsType<SwitchDecision.Allowed>(decision).Plan);
    }

    [Fact]
    public void A_later_apply_is_allowed_from_the_live_slot_to_the_candidate()
    {
        var decision = SwitchPolicy.DecideApply(LaterReady(), Now, MaxAge);

        Assert.Equal(new SwitchPlan(Slot.B, new SlotVersion("a", "v1"), new SlotVersion("b", "v2")), Assert.IsType<SwitchDecision.Allowed>(decision).Plan);
    }

    [Fact]
    public void Rollback_is_refused_when_there_is_nothing_to_roll_back_to()
    {
        Assert.IsType<SwitchDecision.Refused>(SwitchPolicy.DecideRollback(SiteState.Empty("shop")));
        var decision = SwitchPolicy.DecideRollback(LaterReady());

        Assert.IsType<SwitchDecision.Refused>(decision);
        Assert.Contains("nothing to roll back to", ((SwitchDecision.Refused)decision).Reason);
        Assert.Contains("journal shop", ((SwitchDecision.Refused)decision).Hint);
    }

    [Fact]
    public void Rollback_is_refused_when_the_previous_slot_holds_no_deployment()
    {
        var state = new SiteState { Site = "shop", Live = Slot.B, RollbackTarget = Slot.A, SlotB = SlotLife.Deployed(Dep("d2", "v2")) };

        var decision = SwitchPolicy.DecideRollback(state);

        Assert.IsType<SwitchDecision.Refused>(decision);
        Assert.Equal("the previous slot a holds no deployment", ((SwitchDecision.Refused)decision).Reason);
    }

    [Fact]
    public void Rollback_is_allowed_back_to_the_previous_slot()
    {
        var state = LaterReady() with { Live = Slot.B, RollbackTarget = Slot.A };

        var decision = SwitchPolicy.DecideRollback(state);

        Assert.Equal(new SwitchPlan(Slot.A, new SlotVersion("b", "v2"), new SlotVersion("a", "v1")), Assert.IsType<SwitchDecision.Allowed>(decision).Plan);
    }

    [Fact]
    public void After_an_apply_the_roles_swap_and_the_old_live_slot_is_the_rollback_target()
    {
        var state = LaterReady();
        var plan = Assert.IsType<SwitchDecision.Allowed>(SwitchPolicy.DecideApply(state, Now, MaxAge)).Plan;

        var next = SwitchPolicy.AfterApply(state, plan, Record("apply"));

        Assert.Equal(Slot.B, next.Live);
        Assert.Equal(Slot.A, next.RollbackTarget);
        Assert.Equal(Slot.A, next.CandidateSlot);
        Assert.Equal("v1", next.Candidate!.Version);
        Assert.Equal("v2", next.LiveDeployment!.Version);
        Assert.Equal(Record("apply"), next.LastSwitch);
        Assert.IsType<SwitchDecision.Allowed>(SwitchPolicy.DecideRollback(next));
    }

    [Fact]
    public void After_the_first_apply_there_is_no_rollback_target()
    {
        var state = FirstReady();

        var next = SwitchPolicy.AfterApply(state, Assert.IsType<SwitchDecision.Allowed>(SwitchPolicy.DecideApply(state, Now, MaxAge)).Plan, Record("apply"));

        Assert.Equal(Slot.A, next.Live);
        Assert.Null(next.RollbackTarget);
        Assert.Equal(Slot.B, next.CandidateSlot);
        Assert.IsType<SwitchDecision.Refused>(SwitchPolicy.DecideRollback(next));
    }

    [Fact]
    public void After_a_rollback_a_second_rollback_is_refused()
    {
        var state = LaterReady() with { Live = Slot.B, RollbackTarget = Slot.A };
        var plan = Assert.IsType<SwitchDecision.Allowed>(SwitchPolicy.DecideRollback(state)).Plan;

        var next = SwitchPolicy.AfterRollback(state, plan, Record("rollback"));

        Assert.Equal(Slot.A, next.Live);
        Assert.Null(next.RollbackTarget);
        Assert.Equal(Record("rollback"), next.LastSwitch);
        Assert.IsType<SwitchDecision.Refused>(SwitchPolicy.DecideRollback(next));
    }

    [Fact]
    public void A_deploy_lands_on_the_candidate_slot_and_never_on_the_live_one()
    {
        var state = LaterReady();

        var next = Deployed(state, Dep("d3", "v3"));

        Assert.Equal("v3", next.DeploymentOn(Slot.B)!.Version);
        Assert.Equal("v1", next.DeploymentOn(Slot.A)!.Version);
        Assert.Equal(Slot.A, next.Live);
        Assert.Null(next.CandidateValidation);
    }

    [Fact]
    public void The_first_deploy_of_a_site_goes_to_slot_a()
    {
        var next = Deployed(SiteState.Empty("shop"), Dep("d1", "v1"));

        Assert.Equal("v1", next.DeploymentOn(Slot.A)!.Version);
        Assert.Equal(SlotLife.Empty, next.SlotB);
    }

    [Fact]
    public void A_deploy_over_the_rollback_target_ends_the_rollback_option()
    {
        var state = LaterReady() with { Live = Slot.B, RollbackTarget = Slot.A };

        var next = Deployed(state, Dep("d3", "v3"));

        Assert.Equal("v3", next.DeploymentOn(Slot.A)!.Version);
        Assert.Null(next.RollbackTarget);
        Assert.IsType<SwitchDecision.Refused>(SwitchPolicy.DecideRollback(next));
    }

    /// <summary>A deploy as the operation makes it: begun on the candidate slot, then succeeded.</summary>
    private static SiteState Deployed(SiteState state, Deployment d) =>
        state.WithDeployBegun(state.CandidateSlot, new DeployAttempt(d.Id, d.Version, d.DeployedAt, d.Actor)).WithDeploySucceeded(state.CandidateSlot, d);

    [Theory]
    [InlineData(0.25, "250ms")]
    [InlineData(59, "59s")]
    [InlineData(3600, "60m")]
    [InlineData(7200, "2h")]
    [InlineData(3 * 86400, "3d")]
    public void An_age_is_formatted_in_a_readable_unit(double seconds, string expected)
    {
        Assert.Equal(expected, SwitchPolicy.FormatAge(TimeSpan.FromSeconds(seconds)));
    }
}
