using BlueGreen.Core.Journal;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Core.Switching;

namespace BlueGreen.Core.Recovery;

/// <summary>A command whose `started` journal line has no outcome: it died (kill -9, power loss) mid-way.</summary>
public sealed record InterruptedCommand(long Seq, string Action, DateTimeOffset At, string Actor, string Via, SlotVersion? From, SlotVersion? To)
{
    public string Title => $"{Action} #{Seq}";
}

/// <summary>What recovery decided. <see cref="Blocked"/> set: no mutating command may proceed until an operator resolves it.</summary>
public sealed record RecoveryDecision(
    SiteState State,
    bool StateChanged,
    InterruptedCommand? Resolved,
    string? ResolutionMessage,
    string? Blocked)
{
    public bool IsClean => Resolved is null && !StateChanged && Blocked is null;
}

/// <summary>
/// Recovery (docs/failure-modes.md): before any new work, make the state and the journal tell the truth
/// about what the routing file serves. Pure and table-tested. It never changes routing: where the routing
/// file and the state disagree for a reason no journal line explains, it blocks and names the command
/// that resolves it (`recover`).
/// </summary>
public static class RecoveryPolicy
{
    public static RecoveryDecision Decide(SiteState state, RoutingTruth routing, InterruptedCommand? interrupted)
    {
        var next = state;
        string? message = null;
        string? blocked = null;
        if (interrupted is not null)
        {
            (next, message, blocked) = ResolveInterrupted(state, routing, interrupted);
        }

        blocked ??= Drift(next, routing);
        return new RecoveryDecision(next, !ReferenceEquals(next, state), interrupted is not null && message is not null ? interrupted : null, message, blocked);
    }

    /// <summary>
    /// Only for a command holding the site's lock: then no deploy is running on the site, so a slot still recorded
    /// as deploying belongs to a deploy that ended without recording its end (its `failed` write failed too, or it
    /// lost its lock). That slot is interrupted: its content is unknown. <c>Ended</c> is the slot and the version
    /// its deploy meant to put there. Null when no candidate is deploying (a live slot is never touched here: only
    /// drift can make it look deploying, and the drift check speaks for it). Not for readers without the lock
    /// (status, the cockpit): there a deploy may be running.
    /// </summary>
    public static (SiteState State, string Message, SlotVersion Ended)? EndStaleDeploys(SiteState state)
    {
        var slot = state.CandidateSlot;
        if (state.LifeOf(slot) is not { Phase: SlotPhase.Deploying, Attempt: { } attempt })
        {
            return null;
        }

        return (state.WithDeployInterrupted(slot, attempt),
            $"the deploy of {attempt.Version} on slot {slot.Name()} ended without recording its end: slot {slot.Name()} holds no known deployment; deploy again",
            new SlotVersion(slot.Name(), attempt.Version));
    }

    /// <summary>Null when the routing file and the state agree; otherwise what is wrong, in one sentence.</summary>
    public static string? Drift(SiteState state, RoutingTruth routing)
    {
        if (!routing.Known)
        {
            return $"{routing.Named} cannot tell which slot users are on: {routing.Problem}";
        }

        if (routing.Matches(state))
        {
            return null;
        }

        return routing.FileExists
            ? $"{routing.Named} sends users to {routing.Describe()} but the state says {Expected(state)}"
            : $"the state says {Expected(state)} but there is {routing.NoneNamed}";
    }

    /// <summary>
    /// `recover SITE`: the operator's explicit, journaled answer to drift. The state adopts what the routing
    /// file serves; the slot the state thought live becomes the rollback target when it holds a deployment.
    /// A split is adopted as a step from the slot the state calls live: the file alone cannot tell which one that was.
    /// </summary>
    public static (SiteState? State, string Message) Adopt(SiteState state, RoutingTruth routing)
    {
        if (!routing.Known)
        {
            return (null, $"cannot adopt {routing.Named}: {routing.Problem}");
        }

        if (routing.Matches(state))
        {
            return (state, $"nothing to adopt: {routing.Named} and the state agree ({routing.Describe()}{(routing.IsSplit ? "" : " is live")})");
        }

        if (routing.Weights is { IsSplit: true } split)
        {
            if (state.Live is not { } blue)
            {
                return (null, $"cannot adopt {split.Describe()}: the state names no live slot, and a split alone does not tell which slot was live before it");
            }

            if (split.A + split.B != 100)
            {
                return (null, $"cannot adopt {split.Describe()}: its weights ({split.A}, {split.B}) do not add up to 100, as a step of `apply --weight` does");
            }

            return (state with { CandidateWeight = split.Of(blue.Other()) }, $"adopted what {routing.Named} serves: {split.Describe()}, slot {blue.Name()} live until the switch completes (the state said {Said(state)})");
        }

        var old = state.Live;
        var rollback = old is { } o && o != routing.Live && state.DeploymentOn(o) is not null ? old : null;
        var next = state.Live == routing.Live
            ? state with { CandidateWeight = null }
            : state with { Live = routing.Live, RollbackTarget = rollback, CandidateWeight = null };
        return (next, $"adopted what {routing.Named} serves: {routing.Describe()} is live (the state said {Said(state)})");
    }

    /// <summary>The state's live slot: "slot a", "no slot", or with its split "slot a with 10 % to slot b".</summary>
    private static string Said(SiteState state) => state.Live is not { } live ? "no slot"
        : state.CandidateWeight is { } p ? $"slot {live.Name()} with {p} % to slot {live.Other().Name()}"
        : $"slot {live.Name()}";

    /// <summary>What the state says users reach: "slot a is live", "slot a is live with 10 % to slot b", "no slot is live".</summary>
    private static string Expected(SiteState state) => state.Live is not { } live ? "no slot is live"
        : state.CandidateWeight is { } p ? $"slot {live.Name()} is live with {p} % to slot {live.Other().Name()}"
        : $"slot {live.Name()} is live";

    private static (SiteState State, string? Message, string? Blocked) ResolveInterrupted(SiteState state, RoutingTruth routing, InterruptedCommand c)
    {
        switch (c.Action)
        {
            case JournalAction.Apply or JournalAction.Rollback:
                return ResolveSwitch(state, routing, c);
            case JournalAction.Deploy:
                return ResolveDeploy(state, c);
            case JournalAction.Validate:
                return ResolveValidate(state, c);
            default:
                return (state, $"{c.Title} was interrupted; it changes no routing, recovery runs again", null);
        }
    }

    private static (SiteState, string?, string?) ResolveSwitch(SiteState state, RoutingTruth routing, InterruptedCommand c)
    {
        if (!routing.Known)
        {
            return (state, null, $"{c.Title} was interrupted and {routing.Named} cannot tell which slot users are on: {routing.Problem}");
        }

        var to = c.To is { } t ? ParseSlot(t.Slot) : null;
        var from = c.From is { } f ? ParseSlot(f.Slot) : null;
        if (to is null)
        {
            return (state, null, $"{c.Title} was interrupted and its journal line names no target slot");
        }

        var record = new SwitchRecord(c.Action, c.At, c.Actor, c.Via, c.From, c.To!);
        if (routing.Matches(state))
        {
            return routing.Live == to && state.Live == to
                ? (state, $"{c.Title} was interrupted after its state was recorded: slot {c.To} is live", null)
                : routing.IsSplit
                    ? (state, $"{c.Title} was interrupted; {routing.Named} and the state agree: {routing.Describe()}", null)
                    : (state, $"{c.Title} was interrupted before the routing changed: {Describe(routing.Live)} is still live; nothing changed", null);
        }

        if (routing.Weights is { IsSplit: true } split)
        {
            // A step (`apply --weight`) that wrote its split but did not record it: the split is what users get.
            if (c.Action == JournalAction.Apply && from is { } blue && state.Live == blue && to == blue.Other() && split.A + split.B == 100)
            {
                var step = new SwitchPlan(to.Value, c.From, c.To!, split.Of(to.Value));
                return (SwitchPolicy.AfterApply(state, step, record), $"{c.Title} was interrupted after the routing changed: {split.Describe()}", null);
            }

            return (state, null, $"{c.Title} was interrupted; {routing.Named} serves {split.Describe()}, which is not where this switch goes from the state ({Expected(state)})");
        }

        if (routing.Live == to)
        {
            var plan = new SwitchPlan(to.Value, c.From, c.To!);
            if (state.Live == to && state.CandidateWeight is not null && c.Action == JournalAction.Rollback)
            {
                // A rollback mid-split that moved everyone back but did not record it.
                return (SwitchPolicy.AfterRollback(state, plan, record), $"{c.Title} was interrupted after the routing changed: slot {c.To} has all traffic again", null);
            }

            if (state.Live != from)
            {
                return (state, null, $"{c.Title} was interrupted; {routing.Named} serves slot {to.Value.Name()} but the state names {Describe(state.Live)}, which is neither side of the switch");
            }

            var next = c.Action == JournalAction.Apply ? SwitchPolicy.AfterApply(state, plan, record) : SwitchPolicy.AfterRollback(state, plan, record);
            return (next, $"{c.Title} was interrupted after the routing changed: slot {c.To} is live", null);
        }

        if (routing.Live == from)
        {
            return (state, null, $"{c.Title} was interrupted; {routing.Named} still serves {Describe(from)} but the state says {Said(state)}");
        }

        return (state, null, $"{c.Title} was interrupted; {routing.Named} serves {Describe(routing.Live)}, neither side of the switch");
    }

    private static (SiteState, string?, string?) ResolveDeploy(SiteState state, InterruptedCommand c)
    {
        if (c.To is not { } to || ParseSlot(to.Slot) is not { } slot)
        {
            return (state, null, $"{c.Title} was interrupted and its journal line names no slot");
        }

        var deployment = state.DeploymentOn(slot);
        if (deployment is not null && deployment.Version == to.Version && deployment.DeployedAt >= c.At)
        {
            return (state, $"{c.Title} was interrupted after its state was recorded: {to.Version} is on slot {slot.Name()} (deployment {deployment.Id})", null);
        }

        var life = state.LifeOf(slot);
        if (life is { Phase: SlotPhase.Failed, Attempt: { } failed } && failed.Version == to.Version && failed.At >= c.At)
        {
            return (state, $"{c.Title} was interrupted after its failure was recorded: slot {slot.Name()} holds no valid deployment ({life.Reason})", null);
        }

        if (state.Live == slot)
        {
            // Only drift can make a deploy target the live slot; keep the state's word and let the drift check block.
            return (state, null, $"{c.Title} was interrupted and named slot {slot.Name()}, which the state says is live");
        }

        // DEPLOY_CMD may have run part-way: the slot's content is unknown until the next deploy. The deploy's own
        // record of its attempt names its deployment id; without one (it died before writing it), the journal's line.
        var attempt = life is { Phase: SlotPhase.Deploying or SlotPhase.Interrupted, Attempt: { } a } && a.Version == to.Version && a.At >= c.At
            ? a
            : new DeployAttempt(null, to.Version ?? "?", c.At, c.Actor);
        var next = life is { Phase: SlotPhase.Interrupted } && life.Attempt == attempt && state.RollbackTarget != slot
            ? state
            : state.WithDeployInterrupted(slot, attempt);
        return (next, $"{c.Title} of {to.Version} on slot {slot.Name()} was interrupted: slot {slot.Name()} holds no known deployment; deploy again", null);
    }

    private static (SiteState, string?, string?) ResolveValidate(SiteState state, InterruptedCommand c)
    {
        if (state.CandidateValidation is { } v && v.At >= c.At)
        {
            return (state, $"{c.Title} was interrupted after its verdict was recorded: {(v.Passed ? "passed" : "failed")}", null);
        }

        var standing = state.CandidateValidation is { } old ? $"the earlier verdict ({(old.Passed ? "passed" : "failed")}, {old.At:yyyy-MM-ddTHH:mm:ssZ}) stands" : "the candidate has no verdict";
        return (state, $"{c.Title} was interrupted before its verdict: {standing}", null);
    }

    private static string Describe(Slot? slot) => slot is { } s ? $"slot {s.Name()}" : "no slot";

    private static Slot? ParseSlot(string name) => name switch { "a" => Slot.A, "b" => Slot.B, _ => null };
}
