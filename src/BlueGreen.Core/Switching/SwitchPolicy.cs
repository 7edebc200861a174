using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;

namespace BlueGreen.Core.Switching;

/// <summary>
/// A switch the rules allow: the slot it moves traffic to (<paramref name="NewLive"/>), and the versions on each side.
/// <paramref name="Weight"/> set: a step of a stepwise apply, which gives NewLive (the candidate) this share in percent
/// and leaves the rest, and the live role, to the other slot.
/// </summary>
public sealed record SwitchPlan(Slot NewLive, SlotVersion? From, SlotVersion To, int? Weight = null)
{
    /// <summary>The slot that is live once the plan is carried out: NewLive, or for a step the slot live before it.</summary>
    public Slot LiveAfter => Weight is null ? NewLive : NewLive.Other();

    /// <summary>The production weights once the plan is carried out.</summary>
    public SlotWeights Weights => SlotWeights.Of(LiveAfter, Weight);

    /// <summary>What the plan does, for questions and messages: "make slot b live", "send 10 % to slot b".</summary>
    public string Describe() => Weight is { } p ? $"send {p} % of new requests to slot {To} and {100 - p} % to slot {From}" : $"make slot {To} live";
}

/// <summary>What the switch rules decide: exactly one of a plan to carry out, or a refusal with what to do about it.</summary>
public abstract record SwitchDecision
{
    private SwitchDecision()
    {
    }

    public sealed record Allowed(SwitchPlan Plan) : SwitchDecision;

    /// <param name="Hint">What the operator can do about it (a command to run).</param>
    public sealed record Refused(string Reason, string Hint) : SwitchDecision;
}

/// <summary>
/// The safety rules of a switch (docs/reference.md, "apply, precisely" step 2 and "rollback, precisely"). Pure: the
/// health check "right now" is done by the caller, which refuses on its own when it fails.
/// </summary>
public static class SwitchPolicy
{
    /// <param name="weight">`apply --weight P`: a step giving the candidate P % (1–99); null: the whole switch.</param>
    public static SwitchDecision DecideApply(SiteState state, DateTimeOffset now, TimeSpan validationMaxAge, int? weight = null)
    {
        var site = state.Site;
        var slot = state.CandidateSlot;
        var candidate = state.Candidate;
        if (candidate is null)
        {
            return new SwitchDecision.Refused(
                $"no deployment on the candidate slot {slot.Name()}",
                $"run ./run.sh deploy {site} --version VERSION");
        }

        var validation = state.CandidateValidation;
        if (validation is null)
        {
            return new SwitchDecision.Refused(
                $"candidate {candidate.Version} on slot {slot.Name()} is not validated",
                $"run ./run.sh validate {site}");
        }

        if (!validation.Passed)
        {
            var gate = validation.FailedGate is { } g ? $" (gate {g} failed: {validation.Reason})" : "";
            return new SwitchDecision.Refused(
                $"candidate {candidate.Version} on slot {slot.Name()} failed its validation{gate}",
                $"fix the candidate, then run ./run.sh validate {site}");
        }

        var age = now - validation.At;
        if (age > validationMaxAge)
        {
            return new SwitchDecision.Refused(
                $"the validation of {candidate.Version} is {FormatAge(age)} old, older than VALIDATION_MAX_AGE ({FormatAge(validationMaxAge)})",
                $"run ./run.sh validate {site} again");
        }

        if (weight is not null && state.Live is null)
        {
            return new SwitchDecision.Refused(
                "no slot is live yet: a split needs a live slot to share the traffic with",
                $"the first switch sends all traffic: ./run.sh apply {site}");
        }

        var from = state.Live is { } live ? SlotVersion.Of(live, state.DeploymentOn(live)) : null;
        return new SwitchDecision.Allowed(new SwitchPlan(slot, from, SlotVersion.Of(slot, candidate), weight));
    }

    /// <summary>The one-line error of a bad `--weight`, or null when it is a whole number from 1 to 99.</summary>
    public static string? CheckWeight(string text, out int weight) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out weight) && weight is >= 1 and <= 99
            ? null
            : $"--weight: '{text}' is not a whole number from 1 to 99 (the candidate's share of new requests, in percent)";

    public static SwitchDecision DecideRollback(SiteState state)
    {
        var site = state.Site;
        if (state.CandidateWeight is not null && state.Live is { } blue)
        {
            // Mid-split: all traffic goes back to the slot that was live before the first step.
            var candidate = blue.Other();
            return new SwitchDecision.Allowed(new SwitchPlan(blue, SlotVersion.Of(candidate, state.DeploymentOn(candidate)), SlotVersion.Of(blue, state.DeploymentOn(blue))));
        }

        if (state.Live is not { } live || state.RollbackTarget is not { } target)
        {
            return new SwitchDecision.Refused(
                "there is nothing to roll back to: no switch since the last rollback or deployment over the previous slot",
                $"see ./run.sh journal {site}");
        }

        var deployment = state.DeploymentOn(target);
        if (deployment is null)
        {
            return new SwitchDecision.Refused(
                $"the previous slot {target.Name()} holds no deployment",
                $"see ./run.sh status {site}");
        }

        return new SwitchDecision.Allowed(new SwitchPlan(target, SlotVersion.Of(live, state.DeploymentOn(live)), SlotVersion.Of(target, deployment)));
    }

    /// <summary>
    /// The state once an apply is done: roles swap, the old live slot becomes the rollback target. A step
    /// (<see cref="SwitchPlan.Weight"/>) only records the split: the live slot stays the one before the first step.
    /// </summary>
    public static SiteState AfterApply(SiteState state, SwitchPlan plan, SwitchRecord record) =>
        plan.Weight is { } weight
            ? state with { CandidateWeight = weight, LastSwitch = record }
            : state with { Live = plan.NewLive, RollbackTarget = state.Live, CandidateWeight = null, LastSwitch = record };

    /// <summary>
    /// After a rollback there is nothing left to roll back to: a second rollback must not flip back. A rollback
    /// mid-split puts the site back as it was before the first step (same live slot, same rollback target).
    /// </summary>
    public static SiteState AfterRollback(SiteState state, SwitchPlan plan, SwitchRecord record) =>
        state.CandidateWeight is not null && plan.NewLive == state.Live
            ? state with { CandidateWeight = null, LastSwitch = record }
            : state with { Live = plan.NewLive, RollbackTarget = null, CandidateWeight = null, LastSwitch = record };

    public static string FormatAge(TimeSpan age) => age.TotalSeconds switch
    {
        < 1 => $"{age.TotalMilliseconds:0}ms",
        < 120 => $"{age.TotalSeconds:0}s",
        < 7200 => $"{age.TotalMinutes:0}m",
        < 172800 => $"{age.TotalHours:0}h",
        _ => $"{age.TotalDays:0}d",
    };
}
