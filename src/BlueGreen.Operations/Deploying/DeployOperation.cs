using BlueGreen.Core;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Draining;
using BlueGreen.Core.Input;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Recovery;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Core.Switching;
using BlueGreen.Gates;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Infrastructure.Processes;
using BlueGreen.Infrastructure.Routing;
using BlueGreen.Infrastructure.State;
using BlueGreen.Operations.Common;
using BlueGreen.Operations.Routing;

namespace BlueGreen.Operations.Deploying;

/// <summary>What a deploy did, for --json.</summary>
public sealed record DeployOutcome(string Site, string Slot, string Version, string? DeploymentId, string? LogFile, bool DryRun);

/// <summary>
/// `deploy SITE --version V`: puts V on the candidate slot, never on the live one (docs/reference.md,
/// "deploy"). Runs DEPLOY_CMD, or only records the version when it is empty. In the frame's lock and
/// recovery, then: prove the target is not live → wait for it to drain → journal intent → record the slot deploying →
/// run DEPLOY_CMD → record it deployed (or failed, with the reason) → preview route → journal outcome (docs/failure-modes.md).
/// </summary>
public sealed class DeployOperation(OperationContext context, HttpClient http)
{
    // One small GET on loopback per look: often enough that a deploy goes on soon after the last stream closes.
    private static readonly TimeSpan DrainPollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan DrainProgressEvery = TimeSpan.FromSeconds(5);

    private readonly OperationJournal _journal = new(context);

    public async Task<OperationResult> RunAsync(string site, string version, CancellationToken ct)
    {
        if (!OperatorInput.IsVersion(version))
        {
            return new OperationResult(ExitCode.Usage, OperatorInput.NotAVersion(version));
        }

        return await OperationFrame.RunAsync(context, _journal, JournalAction.Deploy, site, switchLock: false, ct, tx => DeployAsync(tx, version));
    }

    private async Task<OperationResult> DeployAsync(SiteTransaction tx, string version)
    {
        var site = tx.Site;
        var state = tx.State;
        var store = tx.StateStore;
        var slot = state.CandidateSlot;
        var to = new SlotVersion(slot.Name(), version);

        // The product's promise: never the slot users are on. Recovery made the state agree with the routing
        // file; this says it once more from the file itself, so no future change can quietly break it.
        // During a split (apply --weight) both slots carry users: the candidate too.
        if (!tx.Routing.Known || tx.Routing.Weights?.Of(slot) > 0 || state.CandidateWeight is not null)
        {
            var split = tx.Routing.IsSplit || state.CandidateWeight is not null;
            var reason = !tx.Routing.Known
                ? $"cannot prove that slot {slot.Name()} is not the slot users are on: {tx.Routing.Problem}"
                : split
                    ? $"slot {slot.Name()} carries users: {site.Name} is mid-split ({tx.Routing.Describe()})"
                    : $"slot {slot.Name()} is the slot the routing file sends users to";
            var hint = split
                ? $"finish the split first: ./run.sh apply {site.Name} (all traffic to slot {slot.Name()}) or ./run.sh rollback {site.Name} (all back to slot {slot.Other().Name()})"
                : $"see ./run.sh status {site.Name}; resolve with ./run.sh recover {site.Name} (docs/failure-modes.md)";
            _journal.Record(site.Name, JournalAction.Deploy, context.DryRun ? JournalOutcome.DryRun : JournalOutcome.Refused, reason, null, to);
            return new OperationResult(ExitCode.Refused, $"deploy {site.Name} refused: {reason}", hint);
        }

        var replaces = state.Candidate is { } old ? $" (replaces {old.Version})" : "";
        var how = site.DeployCmd.Length > 0 ? $"run DEPLOY_CMD `{site.DeployCmd}`" : "record the version (DEPLOY_CMD is empty)";
        if (state.RollbackTarget == slot)
        {
            context.Reporter.Warn($"slot {slot.Name()} is the rollback target ({state.Candidate?.Version}): after this deploy there is nothing to roll back to");
        }

        // Before the intent: waiting changes nothing, and a signal here ends the deploy with nothing to close.
        var (refusal, busyNote) = await DrainAsync(tx, slot, to);
        if (refusal is not null)
        {
            return refusal;
        }

        tx.Reached("drained");
        if (context.DryRun)
        {
            context.Reporter.Step($"would {how} for {version} on candidate slot {slot.Name()} ({site.UrlOf(slot)}){replaces}; live slot {state.Live?.Name() ?? "(none)"} is not touched");
            context.Reporter.Step($"would record slot {slot.Name()} as deploying {version}, then as deployed, or as failed with the reason");
            ShowPreviewPlan(site, state);
            _journal.Record(site.Name, JournalAction.Deploy, JournalOutcome.DryRun, $"dry run: would deploy {version} on slot {slot.Name()}", null, to);
            return OperationResult.Done($"dry run: deploy {site.Name} {version} would go to slot {slot.Name()}; nothing was changed", new DeployOutcome(site.Name, slot.Name(), version, null, null, true));
        }

        tx.JournalIntent($"deploying {version} on candidate slot {slot.Name()}{replaces}{busyNote}", null, to);
        if (tx.Signalled.IsCancellationRequested)
        {
            return Fail(tx, to, "interrupted by a signal before anything ran; nothing was changed", null);
        }

        var id = NewDeploymentId();
        var logFile = context.Home.DeployLog(site.Name, id);
        // Where the slot's log stands now: the log gate counts only what this deployment writes after it.
        var deployment = new Deployment(id, version, context.Clock.GetUtcNow(), context.Actor, LogMarker.Capture(site, slot, context.Clock));

        // The slot's content is about to change: until the deploy ends it is deploying, and holds no known deployment.
        try
        {
            state = store.Write(state.WithDeployBegun(slot, new DeployAttempt(id, version, deployment.DeployedAt, context.Actor)), context.Clock.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(tx, to, $"could not record that slot {slot.Name()} is being deployed ({e.Message}); nothing ran", $"check the disk under {context.Home.StateDir}");
        }

        tx.Reached("slot-cleared");
        if (site.DeployCmd.Length > 0)
        {
            context.Reporter.Step($"running DEPLOY_CMD on slot {slot.Name()} (output: {logFile})");
            var request = new ShellCommandRequest(
                site.DeployCmd,
                context.Home.Root,
                CommandEnvironment.Build(site.Name, slot, site.UrlOf(slot), version, context.Home.Root, deploymentId: id),
                site.DeployTimeout,
                logFile)
            {
                // Whoever takes this lock over after a crash ends what the command left running.
                OnStarted = pgid => tx.RecordChildGroup(pgid, "DEPLOY_CMD"),
            };
            if (tx.Signalled.IsCancellationRequested)
            {
                return Failed(tx, state, "interrupted by a signal before DEPLOY_CMD ran", to, $"interrupted by a signal before DEPLOY_CMD ran; slot {slot.Name()} holds no valid deployment", null);
            }

            // Two deploys must never share a slot: a lost lease (another host may take the lock) stops DEPLOY_CMD too.
            tx.Locks.ThrowIfLost();
            ShellCommandResult result;
            using var stopped = CancellationTokenSource.CreateLinkedTokenSource(tx.Signalled, tx.Locks.Lost);
            try
            {
                result = await new ShellCommand(context.Clock).RunAsync(request, stopped.Token);
                if (!tx.Locks.Lost.IsCancellationRequested)
                {
                    tx.RecordChildGroup(null, "DEPLOY_CMD");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Failed(tx, state, $"DEPLOY_CMD could not run ({e.Message})", to, $"DEPLOY_CMD could not run ({e.Message}); slot {slot.Name()} holds no valid deployment", $"see {logFile}; the live slot was not touched");
            }

            tx.Reached("command-run");
            if (!result.Succeeded)
            {
                foreach (var line in result.Tail.TakeLast(15))
                {
                    context.Reporter.Output(line);
                }

                var why = !result.Canceled ? result.Describe()
                    : tx.Locks.Lost.IsCancellationRequested ? $"was stopped: {LostMessage(tx)}"
                    : "was stopped by a signal";
                return Failed(tx, state, $"DEPLOY_CMD {why}", to, $"DEPLOY_CMD {why}; slot {slot.Name()} holds no valid deployment (log: {logFile})", $"see {logFile}; the live slot was not touched");
            }
        }

        try
        {
            state = store.Write(state.WithDeploySucceeded(slot, deployment), context.Clock.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Failed(tx, state, $"{version} was installed but could not be recorded ({e.Message})", to, $"{version} was installed but could not be recorded ({e.Message}); slot {slot.Name()} holds no recorded deployment", "free the disk, then deploy again");
        }

        tx.Reached("state-recorded");
        try
        {
            UpdatePreviewRoute(tx, site, state);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Reporter.Warn($"the preview route was not updated ({e.Message}); production routing is untouched");
        }

        tx.Reached("preview-written");
        try
        {
            tx.Outcome(JournalOutcome.Succeeded, $"{version} is on candidate slot {slot.Name()} (deployment {id})", null, to);
        }
        catch (JournalWriteException e)
        {
            return new OperationResult(ExitCode.Failed, $"deploy {site.Name}: {version} is on candidate slot {slot.Name()} and recorded, but the journal could not record the outcome ({e.Message})",
                "free the journal's disk; the next command records the outcome");
        }

        tx.Reached("outcome-journaled");
        return new OperationResult(ExitCode.Done, $"{site.Name}: {version} deployed on candidate slot {slot.Name()}", $"run ./run.sh validate {site.Name}",
            new DeployOutcome(site.Name, slot.Name(), version, id, site.DeployCmd.Length > 0 ? logFile : null, false));
    }

    /// <summary>
    /// Waits until the router shows the slot idle when users were on it before the last switch (their
    /// WebSockets and event streams stay on it), up to DRAIN_TIMEOUT; then DRAIN_POLICY decides. Returns the
    /// refusal (journaled, exit 3), or the note the intent carries when it goes on while the slot is busy.
    /// A signal during the wait cancels it: the frame ends the command, exit 1, nothing changed.
    /// </summary>
    private async Task<(OperationResult? Refusal, string Note)> DrainAsync(SiteTransaction tx, Slot slot, SlotVersion to)
    {
        var site = tx.Site;
        // A signal that came before the wait is handled where every deploy looks at it, after its intent.
        if (!DrainRules.MayHoldTraffic(tx.State, slot) || tx.Signalled.IsCancellationRequested)
        {
            return (null, "");
        }

        if (context.Global.Router == RouterKind.Traefik || context.Global.RouterApi is null)
        {
            var why = context.Global.Router == RouterKind.Traefik ? "Traefik does not report connections in flight" : "ROUTER_API is empty";
            context.Reporter.Warn($"slot {slot.Name()} served users before the last switch, but its drain cannot be observed ({why}): connections still open on it may be cut");
            return (null, "");
        }

        // Each router ROUTER_API lists serves its own users: the slot is drained when it is idle on all of them.
        var clients = context.Global.RouterApiList.Select(api => new RouterApiClient(api, http, context.Clock, RouterApiClient.ProviderOf(context.Global))).ToList();
        var service = RoutingPlanner.SlotService(site.Name, slot);
        var started = context.Clock.GetUtcNow();
        var deadline = started + site.DrainTimeout;
        SlotLoad? shown = null;
        var shownAt = started;
        while (true)
        {
            SlotLoad? load;
            string detail;
            using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(tx.Signalled))
            {
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                try
                {
                    (load, detail) = await ReadLoadAsync(clients, service, attempt.Token);
                }
                catch (OperationCanceledException) when (!tx.Signalled.IsCancellationRequested)
                {
                    (load, detail) = (null, "the router's API did not answer within 2 s");
                }
            }

            if (load is not { } now)
            {
                context.Reporter.Warn($"slot {slot.Name()} served users before the last switch, but its drain cannot be observed ({detail}): connections still open on it may be cut");
                return (null, "");
            }

            var at = context.Clock.GetUtcNow();
            var step = DrainRules.Next(now, at >= deadline, site.DrainPolicy);
            if (step == DrainStep.Idle)
            {
                context.Reporter.Step($"slot {slot.Name()} is drained: nothing in flight on {service}");
                return (null, "");
            }

            if (context.DryRun)
            {
                context.Reporter.Step($"would wait up to {Duration.Format(site.DrainTimeout)} for slot {slot.Name()} to drain ({now} now), then {(site.DrainPolicy == DrainPolicy.Wait ? "go on" : "refuse")}");
                return (null, "");
            }

            if (step == DrainStep.ProceedBusy)
            {
                context.Reporter.Warn($"slot {slot.Name()} is not drained after DRAIN_TIMEOUT {Duration.Format(site.DrainTimeout)} ({now}); going on (DRAIN_POLICY=wait): those connections may be cut");
                return (null, $"; slot {slot.Name()} not drained after {Duration.Format(site.DrainTimeout)}: {now}");
            }

            if (step == DrainStep.Refuse)
            {
                var reason = $"slot {slot.Name()} is not drained after DRAIN_TIMEOUT {Duration.Format(site.DrainTimeout)}: {now} (DRAIN_POLICY=refuse)";
                _journal.Record(site.Name, JournalAction.Deploy, JournalOutcome.Refused, reason, null, to);
                return (new OperationResult(ExitCode.Refused, $"deploy {site.Name} refused: {reason}",
                    $"wait for those clients to finish, raise DRAIN_TIMEOUT, or set DRAIN_POLICY=wait in conf/sites/{site.Name}.conf"), "");
            }

            if (shown != now || at - shownAt >= DrainProgressEvery)
            {
                context.Reporter.Step($"waiting for slot {slot.Name()} to drain: {now} ({Duration.Format(deadline - at)} left of DRAIN_TIMEOUT)");
                (shown, shownAt) = (now, at);
            }

            await Task.Delay(DrainPollInterval, context.Clock, tx.Signalled);
        }
    }

    /// <summary>The slot's load summed over every router; null with the reason when one of them cannot say.</summary>
    private static async Task<(SlotLoad? Load, string Detail)> ReadLoadAsync(IReadOnlyList<RouterApiClient> clients, string service, CancellationToken ct)
    {
        var readings = await Task.WhenAll(clients.Select(c => c.ReadLoadAsync(service, ct)));
        foreach (var (load, detail) in readings)
        {
            if (load is null)
            {
                return (null, detail);
            }
        }

        return (new SlotLoad(readings.Sum(r => r.Load!.Value.Requests), readings.Sum(r => r.Load!.Value.Streams)), string.Join(", ", readings.Select(r => r.Detail)));
    }

    /// <summary>Why DEPLOY_CMD was stopped when the site's lock was lost: the lock's own one-line account.</summary>
    private static string LostMessage(SiteTransaction tx)
    {
        try
        {
            tx.Locks.ThrowIfLost();
            return "its lock was lost";
        }
        catch (LockLostException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// A deploy that began on the slot failed: the state says so with <paramref name="reason"/> (one line), then as
    /// <see cref="Fail"/>. When even that write fails the slot stays deploying, which says no less truth.
    /// </summary>
    private OperationResult Failed(SiteTransaction tx, SiteState state, string reason, SlotVersion to, string message, string? hint)
    {
        try
        {
            tx.StateStore.Write(state.WithDeployFailed(state.CandidateSlot, reason), context.Clock.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LockLostException)
        {
            // A lost lock (etcd) makes the state another holder's to write: this command's message says why it stopped.
            context.Reporter.Warn($"the state could not record that the deploy failed ({e.Message}): slot {state.CandidateSlot.Name()} still shows as deploying");
        }

        return Fail(tx, to, message, hint);
    }

    private static OperationResult Fail(SiteTransaction tx, SlotVersion to, string message, string? hint)
    {
        var journaled = tx.TryJournalOutcome(JournalOutcome.Failed, message, null, to);
        return new OperationResult(ExitCode.Failed, $"deploy {tx.Site.Name} {to.Version} failed: {message}{(journaled ? "" : "; the journal could not record it: the next command will")}", hint);
    }

    private void ShowPreviewPlan(SiteConfig site, SiteState state)
    {
        if (!site.HasPreviewRouters)
        {
            return;
        }

        var routing = RoutingStore.For(context, _journal.Stores);
        var after = routing.Render(PreviewRouting(site, state));
        context.Reporter.ShowDiff(routing.Where(site.Name), LineDiff.Compute(routing.ReadText(site.Name) ?? "", after));
    }

    /// <summary>With PREVIEW_RULE or PREVIEW_HEADER, the preview routers follow the candidate; production routing stays as it is.</summary>
    private void UpdatePreviewRoute(SiteTransaction tx, SiteConfig site, SiteState state)
    {
        if (!site.HasPreviewRouters)
        {
            return;
        }

        var routing = tx.RoutingStore;
        if (RecoveryPolicy.Drift(state, routing.ReadTruth(site.Name)) is { } drift)
        {
            context.Reporter.Warn($"the preview route was not updated: {drift}");
            return;
        }

        routing.Replace(tx, PreviewRouting(site, state));
        var routers = new[] { site.PreviewRule is null ? null : RoutingPlanner.PreviewRouter(site.Name), site.PreviewHeader is null ? null : RoutingPlanner.PreviewHeaderRouter(site.Name) }.OfType<string>();
        context.Reporter.Step($"preview route {string.Join(" and ", routers)} now reaches slot {state.CandidateSlot.Name()}");
    }

    private static SiteRouting PreviewRouting(SiteConfig site, SiteState state) =>
        new(site, state.Live, state.CandidateSlot, $"live: {state.Live?.Name() ?? "none"}; preview: slot {state.CandidateSlot.Name()} ({state.Candidate?.Version})", state.CandidateWeight);

    private string NewDeploymentId() =>
        $"{context.Clock.GetUtcNow().UtcDateTime:yyyyMMdd'T'HHmmss}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";
}
