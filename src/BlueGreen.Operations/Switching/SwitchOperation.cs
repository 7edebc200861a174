using BlueGreen.Core;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Core.Switching;
using BlueGreen.Gates;
using BlueGreen.Infrastructure.Routing;
using BlueGreen.Infrastructure.State;
using BlueGreen.Infrastructure.Status;
using BlueGreen.Operations.Common;
using BlueGreen.Operations.Routing;

namespace BlueGreen.Operations.Switching;

public enum SwitchKind
{
    Apply,
    Rollback,
}

/// <summary>What a switch did or would do, for --json and the cockpit.</summary>
public sealed record SwitchOutcome(string Site, string Action, SlotVersion? From, SlotVersion To, string RoutingFile, IReadOnlyList<string> Diff, bool DryRun, TimeSpan? Duration);

/// <summary>
/// apply and rollback (CONTRACT, "apply, precisely"): locks, safety rules, journal intent, atomic
/// routing write, verification through the router's API, state, outcome. One fixed order.
/// </summary>
public sealed class SwitchOperation(OperationContext context, HttpClient http)
{
    private readonly OperationJournal _journal = new(context);

    public Task<OperationResult> RunAsync(SwitchKind kind, string site, bool force, CancellationToken ct)
    {
        var action = kind == SwitchKind.Apply ? "apply" : "rollback";
        return UnderLocks.RunAsync(context, _journal, action, site, switchLock: true, config => SwitchUnderLockAsync(kind, action, config, force, ct));
    }

    private async Task<OperationResult> SwitchUnderLockAsync(SwitchKind kind, string action, SiteConfig site, bool force, CancellationToken ct)
    {
        var store = new StateStore(context.Home);
        var routing = new RoutingFiles(context.Home, context.Global);
        var state = store.Read(site.Name);
        ReportDrift(state, routing);

        var decision = kind == SwitchKind.Apply
            ? SwitchPolicy.DecideApply(state, context.Clock.GetUtcNow(), context.Global.ValidationMaxAge)
            : SwitchPolicy.DecideRollback(state);
        if (!decision.Allowed)
        {
            return Refuse(site.Name, action, decision.Refusal!, decision.Hint);
        }

        var plan = decision.Plan!;
        var healthRefusal = await CheckTargetHealthAsync(kind, site, plan, force, ct);
        if (healthRefusal is not null)
        {
            return healthRefusal;
        }

        var before = routing.ReadText(site.Name) ?? "";
        var after = RoutingPlanner.Render(site, plan.NewLive, plan.NewLive.Other(), $"live: {plan.To}; after {action} by {context.Actor}");
        var diff = LineDiff.Compute(before, after);
        context.Reporter.ShowDiff($"{routing.PathOf(site.Name)}", diff);
        var outcome = new SwitchOutcome(site.Name, action, plan.From, plan.To, routing.PathOf(site.Name), diff.Select(d => d.ToString()).ToList(), context.DryRun, null);

        if (context.DryRun)
        {
            _journal.Record(site.Name, action, JournalOutcome.DryRun, $"dry run: would switch {site.Name} from {plan.From?.ToString() ?? "nothing"} to {plan.To}", plan.From, plan.To);
            return OperationResult.Done($"dry run: {action} {site.Name} would make slot {plan.To} live; nothing was changed", outcome);
        }

        if (!context.Reporter.Confirm($"{action} {site.Name}: make slot {plan.To} live{(plan.From is null ? "" : $" instead of {plan.From}")}?"))
        {
            return Refuse(site.Name, action, "not confirmed (on a terminal, answer y; without one, pass --yes)", null);
        }

        var started = context.Clock.GetTimestamp();
        _journal.Record(site.Name, action, JournalOutcome.Started, $"switching {site.Name} to {plan.To}{(force ? " (--force)" : "")}", plan.From, plan.To);
        var writer = new RoutingFileWriter(routing, context.Home, context.Clock);
        var previous = writer.Write(site.Name, after, action);
        context.Reporter.Step($"wrote {routing.PathOf(site.Name)}");

        var verification = await VerifyAsync(site.Name, plan.NewLive, ct);
        if (verification is not null)
        {
            writer.Restore(site.Name, previous);
            var message = $"the router did not show the new routing within {Duration.Format(context.Global.SwitchVerifyTimeout)} ({verification}); the previous routing file was restored";
            _journal.Record(site.Name, action, JournalOutcome.Failed, message, plan.From, plan.To);
            return new OperationResult(ExitCode.Failed, $"{action} {site.Name} failed: {message}", "is the router running? see ./run.sh router, and ROUTER_API in conf/global.conf");
        }

        var record = new SwitchRecord(action, context.Clock.GetUtcNow(), context.Actor, context.Via, plan.From, plan.To);
        var next = kind == SwitchKind.Apply ? SwitchPolicy.AfterApply(state, plan, record) : SwitchPolicy.AfterRollback(state, plan, record);
        try
        {
            store.Write(next, context.Clock.GetUtcNow());
        }
        catch (IOException e)
        {
            writer.Restore(site.Name, previous);
            _journal.Record(site.Name, action, JournalOutcome.Failed, $"could not record the new state ({e.Message}); the previous routing file was restored", plan.From, plan.To);
            return new OperationResult(ExitCode.Failed, $"{action} {site.Name} failed: could not record the new state: {e.Message}");
        }

        var took = context.Clock.GetElapsedTime(started);
        _journal.Record(site.Name, action, JournalOutcome.Succeeded, $"{site.Name} now serves {plan.To} (switch took {took.TotalMilliseconds:0} ms)", plan.From, plan.To);
        var hint = kind == SwitchKind.Apply ? $"if anything goes wrong: ./run.sh rollback {site.Name}" : null;
        return new OperationResult(ExitCode.Done, $"{site.Name}: slot {plan.To} is live ({action} took {took.TotalMilliseconds:0} ms)", hint, outcome with { Duration = took });
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

    /// <summary>Null when the router shows the new live slot; otherwise what it showed.</summary>
    private async Task<string?> VerifyAsync(string site, Slot expected, CancellationToken ct)
    {
        if (context.Global.RouterApi is not { } api)
        {
            context.Reporter.Warn("ROUTER_API is empty: the switch is not verified through the router");
            return null;
        }

        var client = new RouterApiClient(api, http, context.Clock);
        var (live, detail) = await client.WaitForLiveSlotAsync(site, expected, context.Global.SwitchVerifyTimeout, ct);
        if (live)
        {
            context.Reporter.Step($"the router serves the new routing ({detail})");
            return null;
        }

        return detail;
    }

    private void ReportDrift(SiteState state, RoutingFiles routing)
    {
        var drift = Drift.Detect(state, routing);
        if (drift is not null)
        {
            context.Reporter.Warn($"drift: {drift}");
        }
    }

    private OperationResult Refuse(string site, string action, string reason, string? hint)
    {
        var outcome = context.DryRun ? JournalOutcome.DryRun : JournalOutcome.Refused;
        _journal.Record(site, action, outcome, context.DryRun ? $"dry run: would be refused: {reason}" : reason);
        return new OperationResult(ExitCode.Refused, $"{action} {site} refused: {reason}", hint);
    }
}
