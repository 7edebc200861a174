using BlueGreen.Core;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Input;
using BlueGreen.Core.Recovery;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Core.Switching;
using BlueGreen.Gates;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Infrastructure.Routing;
using BlueGreen.Infrastructure.State;
using BlueGreen.Operations.Common;
using BlueGreen.Operations.Routing;

namespace BlueGreen.Operations.Switching;

public enum SwitchKind
{
    Apply,
    Rollback,
}

/// <summary>What a switch did or would do, for --json and the cockpit.</summary>
/// <paramref name="Plan"/>: what the plan is bound to (<see cref="PlanId"/>), for --expect.
/// <paramref name="Hooks"/>: the switch hooks configured, in the order they run (in a dry run: would run).
/// <paramref name="Weight"/>: for a step (`apply --weight`), the share of new requests <paramref name="To"/> gets, in percent; <paramref name="From"/> keeps the rest.
public sealed record SwitchOutcome(string Site, string Action, SlotVersion? From, SlotVersion To, string RoutingFile, IReadOnlyList<string> Diff, bool DryRun, TimeSpan? Duration, string Plan, IReadOnlyList<PlannedHook> Hooks, int? Weight = null);

/// <summary>
/// apply and rollback (docs/reference.md, "apply, precisely"; docs/failure-modes.md): in the frame's lock and
/// recovery, then decide → check the target's health → PRE_SWITCH_CMD → journal intent → write routing → verify
/// through the router → record state → journal outcome → POST_SWITCH_CMD. One compensation path: put the previous
/// routing file back. A failed pre-hook refuses (nothing written); a failed post-hook leaves the switch standing (exit 5).
/// On a terminal, a first pass without any lock works out the plan, shows it and asks; the locked pass then
/// goes on only if the plan is still the one shown (as with --expect).
/// </summary>
public sealed class SwitchOperation(OperationContext context, HttpClient http)
{
    private readonly OperationJournal _journal = new(context);
    private readonly SwitchHooks _hooks = new(context);

    /// <param name="expect">The plan the operator saw (--expect): the switch is refused when the current plan differs.</param>
    /// <param name="weight">`apply --weight P`: a step giving the candidate P % of new requests (1–99); null: the whole switch.</param>
    public Task<OperationResult> RunAsync(SwitchKind kind, string site, bool force, CancellationToken ct, PlanId? expect = null, int? weight = null)
    {
        var action = kind == SwitchKind.Apply ? JournalAction.Apply : JournalAction.Rollback;
        var confirmed = false;
        if (!context.DryRun && context.Reporter.AsksPerson && PlanWithoutLocks(kind, site, weight) is { } shown)
        {
            // A stale --expect is not worth asking about: the locked pass refuses it and says what changed.
            if (expect is null || PlanId.WhatChanged(expect, shown.Id) is null)
            {
                context.Reporter.ShowDiff(shown.RoutingPath, shown.Diff);
                context.Reporter.Step($"plan {shown.Id} (deployment {shown.Id.DeploymentId}, routing {shown.Id.RoutingHash})");
                if (!context.Reporter.Confirm(Question(action, site, shown.Plan), ct))
                {
                    return _journal.AfterNotifiedAsync(Refuse(site, action, "not confirmed (on a terminal, answer y; without one, pass --yes)", null));
                }

                expect ??= shown.Id;
                confirmed = true;
            }
        }

        return OperationFrame.RunAsync(context, _journal, action, site, switchLock: true, ct, tx => SwitchAsync(kind, action, tx, force, expect, confirmed, weight));
    }

    /// <summary>The routing's description line: who is live, and the split.</summary>
    private static string Described(SwitchPlan plan, string? action) =>
        (plan.Weight is null ? $"live: slot {plan.To}" : $"live: slot {plan.From}; split: {Split(plan)}") + (action is null ? "" : $"; written by {action}");

    private static string Question(string action, string site, SwitchPlan plan) =>
        plan.Weight is null ? $"{action} {site}: make slot {plan.To} live{(plan.From is null ? "" : $" instead of {plan.From}")}?" : $"{action} {site}: {plan.Describe()}?";

    private static SwitchDecision Decide(SwitchKind kind, SiteState state, DateTimeOffset now, TimeSpan validationMaxAge, int? weight) =>
        kind == SwitchKind.Apply ? SwitchPolicy.DecideApply(state, now, validationMaxAge, weight) : SwitchPolicy.DecideRollback(state);

    /// <summary>What the routing gives each slot after the plan, for the routing's description and the journal: "slot a (v1) 90 %, slot b (v2) 10 %".</summary>
    /// <summary>What users are served once the plan is carried out, as a clause of a message.</summary>
    private static string Serving(SwitchPlan plan) =>
        plan.Weight is { } p ? $"slot {plan.From} is live with {p} % of new requests to slot {plan.To}" : $"slot {plan.To} is live";

    /// <summary>What users are served by the routing of <paramref name="state"/> (before a switch: what compensation puts back).</summary>
    private static string Serving(SiteState state)
    {
        if (state.Live is not { } live)
        {
            return "no slot is live";
        }

        var current = $"slot {SlotVersion.Of(live, state.DeploymentOn(live))} is live";
        return state.CandidateWeight is { } p ? $"{current} with {p} % of new requests to slot {SlotVersion.Of(live.Other(), state.DeploymentOn(live.Other()))}" : current;
    }

    private static string Split(SwitchPlan plan) => $"slot {plan.From} {100 - plan.Weight} %, slot {plan.To} {plan.Weight} %";

    /// <summary>
    /// The plan as the locked pass will see it (recovery's decision worked out, not recorded), read without a lock
    /// so that a colleague is not locked out while the operator reads it. Null when the switch would not go
    /// through: the locked pass then says why, journaled, without asking.
    /// </summary>
    private (SwitchPlan Plan, PlanId Id, string RoutingPath, IReadOnlyList<DiffLine> Diff)? PlanWithoutLocks(SwitchKind kind, string site, int? weight)
    {
        if (!OperatorInput.IsSiteName(site) || ConfigLoader.LoadSite(context.Home, site, context.Global).Site is not { } config)
        {
            return null;
        }

        try
        {
            var routing = RoutingStore.For(context, _journal.Stores);
            var state = _journal.Stores.State().Read(site);
            var recovery = RecoveryPolicy.Decide(state, routing.ReadTruth(site), _journal.File.FindInterrupted(site));
            if (recovery.Blocked is not null || Decide(kind, recovery.State, context.Clock.GetUtcNow(), context.Global.ValidationMaxAge, weight) is not SwitchDecision.Allowed { Plan: var plan })
            {
                return null;
            }

            var after = routing.Render(SiteRouting.After(config, plan, Described(plan, null)));
            return (plan, PlanId.Of(config, recovery.State, plan), routing.Where(site), LineDiff.Compute(routing.ReadText(site) ?? "", after));
        }
        catch (Exception e) when (e is CorruptStateException or JournalWriteException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <param name="expect">The plan the switch must still be (null: any).</param>
    /// <param name="confirmed">The operator already answered y to this plan, before the locks.</param>
    private async Task<OperationResult> SwitchAsync(SwitchKind kind, string action, SiteTransaction tx, bool force, PlanId? expect, bool confirmed, int? weight)
    {
        var site = tx.Site;
        var state = tx.State;
        var routing = tx.RoutingStore;
        var decision = Decide(kind, state, context.Clock.GetUtcNow(), context.Global.ValidationMaxAge, weight);
        if (decision is SwitchDecision.Refused refusal)
        {
            return Refuse(site.Name, action, refusal.Reason, refusal.Hint);
        }

        var plan = ((SwitchDecision.Allowed)decision).Plan;
        var planId = PlanId.Of(site, state, plan);
        if (expect is not null && PlanId.WhatChanged(expect, planId) is { } changed)
        {
            return Refuse(site.Name, action, changed, $"look at the new plan: ./run.sh {action} {site.Name} --dry-run");
        }

        var healthRefusal = await CheckTargetHealthAsync(kind, site, plan, force, tx.Signalled);
        if (healthRefusal is not null)
        {
            return healthRefusal;
        }

        var before = routing.ReadText(site.Name) ?? "";
        var afterRouting = SiteRouting.After(site, plan, Described(plan, action));
        var diff = LineDiff.Compute(before, routing.Render(afterRouting));
        if (!confirmed)
        {
            context.Reporter.ShowDiff($"{routing.Where(site.Name)}", diff);
        }

        var outcome = new SwitchOutcome(site.Name, action, plan.From, plan.To, routing.Where(site.Name), diff.Select(d => d.ToString()).ToList(), context.DryRun, null, planId.ToString(), SwitchHooks.Planned(site), plan.Weight);

        if (context.DryRun)
        {
            // The hooks are named, never run: a dry run changes nothing, and a hook may change anything.
            foreach (var hook in outcome.Hooks)
            {
                context.Reporter.Step($"would run {hook.Key} `{hook.Command}` {hook.When} (not run: dry run)");
            }

            var hooks = outcome.Hooks.Count == 0 ? "" : $"; would run {string.Join(" and ", outcome.Hooks.Select(h => h.Key))}";
            var would = plan.Weight is null ? $"switch {site.Name} from {plan.From?.ToString() ?? "nothing"} to {plan.To}" : $"split {site.Name}: {Split(plan)}";
            _journal.Record(site.Name, action, JournalOutcome.DryRun, $"dry run: would {would} (plan {planId}){hooks}", plan.From, plan.To);
            return new OperationResult(ExitCode.Done, $"dry run: {action} {site.Name} would {plan.Describe()} (plan {planId}){hooks}; nothing was changed",
                $"to {action} exactly this plan: ./run.sh {action} {site.Name} --expect {planId}", outcome);
        }

        if (!confirmed && !context.Reporter.Confirm(Question(action, site.Name, plan), tx.Signalled))
        {
            return Refuse(site.Name, action, "not confirmed (on a terminal, answer y; without one, pass --yes)", null);
        }

        // Last before the write: once a hook has done something (it cannot be undone), no rule refuses the switch any more.
        var pre = await _hooks.RunAsync(tx, SwitchHook.Pre, plan);
        if (pre is not null)
        {
            tx.Reached("pre-hook-run");
            if (PreHookStops(tx, pre, plan) is { } stopped)
            {
                return stopped;
            }
        }

        var started = context.Clock.GetTimestamp();
        RoutingWrite? previous;
        try
        {
            // The intent is journaled with the write: before it with files, in the same transaction with etcd.
            var intent = plan.Weight is null ? $"switching {site.Name} to {plan.To}" : $"splitting {site.Name}: {Split(plan)}";
            previous = routing.Switch(tx, afterRouting, $"{intent}{(force ? " (--force)" : "")}{(pre is null ? "" : "; PRE_SWITCH_CMD passed")}", plan.From, plan.To);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The rename never happened: the file users are served is the one that was there.
            return Close(tx, plan, ExitCode.Failed, JournalOutcome.Failed, $"could not write {routing.Where(site.Name)} ({e.Message}); the routing was not changed", routingChanged: false);
        }

        if (previous is null)
        {
            return tx.StartedSeq is null
                ? new OperationResult(ExitCode.Failed, $"{action} {site.Name}: interrupted by a signal before anything changed; nothing was changed")
                : Close(tx, plan, ExitCode.Failed, JournalOutcome.Failed, "interrupted by a signal before the routing changed; nothing was changed", routingChanged: false);
        }

        tx.Reached("routing-written");
        context.Reporter.Step($"wrote {routing.Where(site.Name)}");

        var signalled = tx.Signalled.IsCancellationRequested;
        if (!signalled)
        {
            var (verified, detail, refused) = await VerifyAsync(site.Name, plan.Weights, tx.Signalled);
            signalled = tx.Signalled.IsCancellationRequested;
            if (!verified && !signalled)
            {
                var why = refused ? $"the router did not show the new routing: {detail}" : $"the router did not show the new routing within {Duration.Format(context.Global.SwitchVerifyTimeout)} ({detail})";
                return Compensate(tx, routing, previous, plan, why,
                    "is the router running? see ./run.sh router, and ROUTER_API in conf/global.conf");
            }
        }

        tx.Reached("verified");
        var record = new SwitchRecord(action, context.Clock.GetUtcNow(), context.Actor, context.Via, plan.From, plan.To);
        var next = kind == SwitchKind.Apply ? SwitchPolicy.AfterApply(state, plan, record) : SwitchPolicy.AfterRollback(state, plan, record);
        try
        {
            tx.StateStore.Write(next, context.Clock.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Compensate(tx, routing, previous, plan, $"could not record the new state ({e.Message})", $"check where the state is kept ({tx.StateStore.Where(site.Name)})");
        }

        tx.Reached("state-recorded");
        var took = context.Clock.GetElapsedTime(started);
        if (signalled)
        {
            // Completing is the gentler answer to a signal once users are on the new slot: switching back would move them twice.
            return Close(tx, plan, ExitCode.Failed, JournalOutcome.Interrupted,
                $"interrupted by a signal after the routing changed: {Serving(plan)} and recorded; the router's view was not verified");
        }

        var done = plan.Weight is null
            ? Close(tx, plan, ExitCode.Done, JournalOutcome.Succeeded, $"{site.Name} now serves {plan.To} (switch took {took.TotalMilliseconds:0} ms)")
            : Close(tx, plan, ExitCode.Done, JournalOutcome.Succeeded, $"{site.Name} now splits new requests: {Split(plan)} (step took {took.TotalMilliseconds:0} ms)");
        if (done.Code != ExitCode.Done)
        {
            return done;
        }

        var hint = kind == SwitchKind.Apply
            ? plan.Weight is null ? $"if anything goes wrong: ./run.sh rollback {site.Name}" : $"next step: ./run.sh apply {site.Name} [--weight P]; all back to slot {plan.From}: ./run.sh rollback {site.Name}"
            : null;
        var now = plan.Weight is null ? $"slot {plan.To} is live" : $"{plan.Weight} % of new requests go to slot {plan.To}, {100 - plan.Weight} % to slot {plan.From}";
        var switched = new OperationResult(ExitCode.Done, $"{site.Name}: {now} ({action} took {took.TotalMilliseconds:0} ms)", hint, outcome with { Duration = took });
        var post = await _hooks.RunAsync(tx, SwitchHook.Post, plan);
        if (post is null)
        {
            return switched;
        }

        tx.Reached("post-hook-run");
        return PostHookReport(tx, post, plan, switched);
    }

    /// <summary>
    /// A pre-hook that failed, timed out or could not run refuses the switch (exit 3, journaled with its last output
    /// lines); one a signal stopped ends it (exit 1). Either way the routing was not touched. Null: go on.
    /// </summary>
    private OperationResult? PreHookStops(SiteTransaction tx, HookRun run, SwitchPlan plan)
    {
        if (run.Succeeded)
        {
            context.Reporter.Step($"PRE_SWITCH_CMD passed ({run.Result!.Describe()})");
            return null;
        }

        _hooks.ShowTail(run);
        if (run.Canceled || tx.Signalled.IsCancellationRequested)
        {
            var message = $"interrupted by a signal {(run.Result is null ? "before" : "while")} PRE_SWITCH_CMD ran; the routing was not changed ({run.Describe()})";
            _journal.TryRecord(tx.Site.Name, tx.Action, JournalOutcome.Failed, message, plan.From, plan.To);
            return new OperationResult(ExitCode.Failed, $"{tx.Action} {tx.Site.Name}: {message}");
        }

        return Refuse(tx.Site.Name, tx.Action, $"{run.Describe()}; the routing was not changed", $"see {run.LogFile}; fix what PRE_SWITCH_CMD checks, then {tx.Action} again");
    }

    /// <summary>
    /// A post-hook runs once the switch is recorded and journaled: its failure cannot undo it. It is reported and
    /// journaled as its own action, and the exit code (5) says "switched, but the hook failed".
    /// </summary>
    private OperationResult PostHookReport(SiteTransaction tx, HookRun run, SwitchPlan plan, OperationResult switched)
    {
        if (run.Succeeded)
        {
            context.Reporter.Step($"POST_SWITCH_CMD passed ({run.Result!.Describe()})");
            return switched;
        }

        _hooks.ShowTail(run);
        var what = $"after {tx.Action} to {plan.To}: {run.Describe()}; the switch stands";
        var journaled = _journal.TryRecord(tx.Site.Name, JournalAction.PostSwitchHook, JournalOutcome.Failed, what, plan.From, plan.To);
        return switched with
        {
            Code = ExitCode.HookFailed,
            Message = $"{switched.Message}, but POST_SWITCH_CMD failed: {run.Describe()}{(journaled ? "" : "; the journal could not record it")}",
            Hint = $"{Serving(plan)}; {(run.Result is null ? "" : $"see {run.LogFile}, and ")}run what POST_SWITCH_CMD does by hand if it is needed",
        };
    }

    /// <summary>
    /// The one compensation path: the previous routing goes back, and the outcome says so (with etcd, both in one
    /// transaction). When even that fails, the operator is told exactly what users are served; the next command's
    /// recovery records it.
    /// </summary>
    private OperationResult Compensate(SiteTransaction tx, RoutingStore routing, RoutingWrite previous, SwitchPlan plan, string reason, string hint)
    {
        var message = $"{reason}; the previous {routing.Noun} was put back ({Serving(tx.State)})";
        bool journaled;
        try
        {
            journaled = routing.Restore(tx, previous, message, plan.From, plan.To);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JournalWriteException)
        {
            // No outcome line: the `started` stays open, and the next command's recovery records what the routing serves.
            var live = $"{reason}; putting the previous {routing.Noun} back failed too ({e.Message}): {Serving(plan)}";
            return new OperationResult(ExitCode.Failed, $"{tx.Action} {tx.Site.Name} failed: {live}", $"free the disk (or bring etcd back); the next command's recovery records what is live (./run.sh status {tx.Site.Name} shows it)");
        }

        return new OperationResult(ExitCode.Failed, $"{tx.Action} {tx.Site.Name} failed: {message}{(journaled ? "" : "; the journal could not record it: the next command will")}", hint);
    }

    /// <summary>Journals the outcome. If that fails after the routing changed, says exactly that: what is live, what is missing.</summary>
    private static OperationResult Close(SiteTransaction tx, SwitchPlan plan, ExitCode code, string outcome, string message, bool routingChanged = true)
    {
        try
        {
            tx.Outcome(outcome, message, plan.From, plan.To);
            tx.Reached("outcome-journaled");
            return new OperationResult(code, code == ExitCode.Done ? message : $"{tx.Action} {tx.Site.Name}: {message}");
        }
        catch (JournalWriteException e)
        {
            var truth = routingChanged ? $"{Serving(plan)} (routing file and state)" : message;
            return new OperationResult(ExitCode.Failed,
                $"{tx.Action} {tx.Site.Name}: {truth}, but the journal could not record the outcome ({e.Message})",
                $"free the journal's disk; the next command records the outcome (./run.sh status {tx.Site.Name} shows it)");
        }
    }

    private async Task<OperationResult?> CheckTargetHealthAsync(SwitchKind kind, SiteConfig site, SwitchPlan plan, bool force, CancellationToken ct)
    {
        var probe = await new HttpGate(http, context.Clock).ProbeOnceAsync(site.UrlOf(plan.NewLive), site, ct);
        if (probe.Passed)
        {
            context.Reporter.Step($"slot {plan.To} answers its health check ({probe.Reason})");
            return null;
        }

        var what = kind == SwitchKind.Apply ? "the candidate" : "the previous slot";
        if (kind == SwitchKind.Rollback && force)
        {
            context.Reporter.Warn($"{what} {plan.To} fails its health check ({probe.Reason}); going on because of --force");
            return null;
        }

        var action = kind == SwitchKind.Apply ? "apply" : "rollback";
        return Refuse(site.Name, action, $"{what} {plan.To} fails its health check right now: {probe.Reason}",
            kind == SwitchKind.Apply ? $"check slot {plan.To.Slot} ({site.UrlOf(plan.NewLive)}), then ./run.sh validate {site.Name}" : $"bring slot {plan.To.Slot} back, or pass --force");
    }

    /// <summary>
    /// True when every router ROUTER_API lists shows the new weights, the live slot or the split exactly (several hosts'
    /// routers read one etcd: a switch is done only when all of them serve it); otherwise the routers that did not,
    /// with what each showed.
    /// Refused: each of those routers' APIs refused connections (nothing listens there: the answer is already certain).
    /// </summary>
    private async Task<(bool Verified, string? Detail, bool Refused)> VerifyAsync(string site, SlotWeights expected, CancellationToken ct)
    {
        var apis = context.Global.RouterApiList;
        if (apis.Count == 0)
        {
            context.Reporter.Warn("ROUTER_API is empty: the switch is not verified through the router");
            return (true, null, false);
        }

        try
        {
            var routers = apis.Count == 1 ? $"the router ({apis[0]})" : $"all {apis.Count} routers ({string.Join(", ", apis)})";
            var results = await context.Reporter.WaitAsync(
                $"waiting for {routers} to serve {expected.Describe()} (up to {Duration.Format(context.Global.SwitchVerifyTimeout)})",
                () => Task.WhenAll(apis.Select(api => new RouterApiClient(api, http, context.Clock, RouterApiClient.ProviderOf(context.Global))
                    .WaitForWeightsAsync(site, expected, context.Global.SwitchVerifyTimeout, ct))));
            var behind = apis.Zip(results, (api, r) => (Api: api, r.Live, r.Detail, r.Refused)).Where(r => !r.Live).ToList();
            if (behind.Count == 0)
            {
                context.Reporter.Step(apis.Count == 1 ? $"the router serves the new routing ({results[0].Detail})" : $"all {apis.Count} routers serve the new routing ({results[0].Detail})");
                return (true, results[0].Detail, false);
            }

            var detail = apis.Count == 1
                ? behind[0].Detail
                : $"{behind.Count} of {apis.Count} routers did not: {string.Join("; ", behind.Select(b => $"{b.Api}: {b.Detail}"))}";
            return (false, detail, behind.All(b => b.Refused));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return (false, "interrupted by a signal", false);
        }
    }

    private OperationResult Refuse(string site, string action, string reason, string? hint)
    {
        var outcome = context.DryRun ? JournalOutcome.DryRun : JournalOutcome.Refused;
        _journal.Record(site, action, outcome, context.DryRun ? $"dry run: would be refused: {reason}" : reason);
        return new OperationResult(ExitCode.Refused, $"{action} {site} refused: {reason}", hint);
    }
}
