using BlueGreen.Core.Slots;
using BlueGreen.Core.State;

namespace BlueGreen.Core.Switching;

/// <summary>A switch the rules allow: which slot becomes live, and the versions on each side.</summary>
public sealed record SwitchPlan(Slot NewLive, SlotVersion? From, SlotVersion To);

/// <summary>Either a plan, or a refusal with the reason and what the operator can do about it.</summary>
public sealed record SwitchDecision(SwitchPlan? Plan, string? Refusal, string? Hint)
{
    public bool Allowed => Plan is not null;

    public static SwitchDecision Allow(SwitchPlan plan) => new(plan, null, null);

    public static SwitchDecision Refuse(string reason, string hint) => new(null, reason, hint);
}

/// <summary>
/// The safety rules of a switch (docs/reference.md, "apply, precisely" step 2 and "rollback, precisely"). Pure: the
/// health check "right now" is done by the caller, which refuses on its own when it fails.
/// </summary>
public static class SwitchPolicy
{
    public static SwitchDecision DecideApply(SiteState state, DateTimeOffset now, TimeSpan validationMaxAge)
    {
        var site = state.Site;
        var slot = state.CandidateSlot;
        var candidate = state.Candidate;
        if (candidate is null)
        {
            return SwitchDecision.Refuse(
                $"no deployment on the candidate slot {slot.Name()}",
                $"run ./run.sh deploy {site} --version VERSION");
        }

        var validation = state.CandidateValidation;
        if (validation is null)
        {
            return SwitchDecision.Refuse(
                $"candidate {candidate.Version} on slot {slot.Name()} is not validated",
                $"run ./run.sh validate {site}");
        }

        if (!validation.Passed)
        {
            var gate = validation.FailedGate is { } g ? $" (gate {g} failed: {validation.Reason})" : "";
            return SwitchDecision.Refuse(
                $"candidate {candidate.Version} on slot {slot.Name()} failed its validation{gate}",
                $"fix the candidate, then run ./run.sh validate {site}");
        }

        var age = now - validation.At;
        if (age > validationMaxAge)
        {
            return SwitchDecision.Refuse(
                $"the validation of {candidate.Version} is {FormatAge(age)} old, older than VALIDATION_MAX_AGE ({FormatAge(validationMaxAge)})",
                $"run ./run.sh validate {site} again");
        }

        var from = state.Live is { } live ? SlotVersion.Of(live, state.DeploymentOn(live)) : null;
        return SwitchDecision.Allow(new SwitchPlan(slot, from, SlotVersion.Of(slot, candidate)));
    }

    public static SwitchDecision DecideRollback(SiteState state)
    {
        var site = state.Site;
        if (state.Live is not { } live || state.RollbackTarget is not { } target)
        {
            return SwitchDecision.Refuse(
                "there is nothing to roll back to: no switch since the last rollback or deployment over the previous slot",
                $"see ./run.sh journal {site}");
        }

        var deployment = state.DeploymentOn(target);
        if (deployment is null)
        {
            return SwitchDecision.Refuse(
                $"the previous slot {target.Name()} holds no deployment",
                $"see ./run.sh status {site}");
        }

        return SwitchDecision.Allow(new SwitchPlan(target, SlotVersion.Of(live, state.DeploymentOn(live)), SlotVersion.Of(target, deployment)));
    }

    /// <summary>The state once a switch is done: roles swap, the old live slot becomes the rollback target.</summary>
    public static SiteState AfterApply(SiteState state, SwitchPlan plan, SwitchRecord record) =>
        state with { Live = plan.NewLive, RollbackTarget = state.Live, LastSwitch = record };

    /// <summary>After a rollback there is nothing left to roll back to: a second rollback must not flip back.</summary>
    public static SiteState AfterRollback(SiteState state, SwitchPlan plan, SwitchRecord record) =>
        state with { Live = plan.NewLive, RollbackTarget = null, LastSwitch = record };

    /// <summary>The state once a deployment landed on the candidate slot. Deploying over the rollback target ends the rollback option.</summary>
    public static SiteState AfterDeploy(SiteState state, Deployment deployment)
    {
        var slot = state.CandidateSlot;
        var next = state.WithDeployment(slot, deployment);
        return state.RollbackTarget == slot ? next with { RollbackTarget = null } : next;
    }

    public static string FormatAge(TimeSpan age) => age.TotalSeconds switch
    {
        < 1 => $"{age.TotalMilliseconds:0}ms",
        < 120 => $"{age.TotalSeconds:0}s",
        < 7200 => $"{age.TotalMinutes:0}m",
        < 172800 => $"{age.TotalHours:0}h",
        _ => $"{age.TotalDays:0}d",
    };
}
