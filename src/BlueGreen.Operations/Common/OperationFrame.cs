using BlueGreen.Core;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Input;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Recovery;
using BlueGreen.Core.State;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Infrastructure.Locking;
using BlueGreen.Infrastructure.Processes;
using BlueGreen.Infrastructure.Routing;
using BlueGreen.Infrastructure.State;

namespace BlueGreen.Operations.Common;

/// <summary>
/// What a mutating command's body gets once the frame has done the fixed first steps: the site's
/// configuration, its locks, and a state that recovery has made true to the routing file.
/// </summary>
internal sealed class SiteTransaction(OperationContext context, OperationJournal journal, string action, SiteConfig site, SiteLocks locks, SiteState state, RoutingTruth routing, CancellationToken signalled, InterruptedCommand? unresolved)
{
    /// <summary>An interrupted command recovery could not resolve on its own (it blocked): `recover` closes it.</summary>
    public InterruptedCommand? Unresolved { get; } = unresolved;

    public string Action { get; } = action;

    public SiteConfig Site { get; } = site;

    /// <summary>The state after recovery (what the routing file serves is what it says is live).</summary>
    public SiteState State { get; } = state;

    /// <summary>What the routing file makes users reach, read under the lock.</summary>
    public RoutingTruth Routing { get; } = routing;

    public SiteLocks Locks { get; } = locks;

    /// <summary>Set by SIGINT or SIGTERM: the body compensates or completes, then stops.</summary>
    public CancellationToken Signalled { get; } = signalled;

    /// <summary>The seq of this command's `started` line once journaled: outcomes refer to it.</summary>
    public long? StartedSeq { get; private set; }

    /// <summary>A named step is done (docs/failure-modes.md says what is true if the process dies right after it).</summary>
    public void Reached(string step) => TestFaults.At(Action, step, Signalled);

    /// <summary>
    /// Journals the intent. Before it, nothing has changed; after it, an outcome or recovery closes it. With etcd,
    /// <paramref name="alongside"/> (the switch's routing) is written in the same transaction, under the locks.
    /// </summary>
    public void JournalIntent(string message, SlotVersion? from, SlotVersion? to, IReadOnlyList<Etcdserverpb.RequestOp>? alongside = null)
    {
        StartedSeq = journal.Record(Site.Name, Action, JournalOutcome.Started, message, from, to, alongside: alongside, proofs: Locks.Proofs).Seq;
        Reached("intent-journaled");
    }

    public JournalEntry Outcome(string outcome, string message, SlotVersion? from, SlotVersion? to, IReadOnlyList<Etcdserverpb.RequestOp>? alongside = null) =>
        journal.Record(Site.Name, Action, outcome, message, from, to, StartedSeq, alongside, alongside is null ? null : Locks.Proofs);

    /// <summary>The state store, writing only while this command's locks hold (etcd).</summary>
    public StateStore StateStore => journal.Stores.State(Locks);

    /// <summary>Where the site's routing lives (ROUTING_STORE).</summary>
    public Operations.Routing.RoutingStore RoutingStore => Operations.Routing.RoutingStore.For(context, journal.Stores);

    public bool TryJournalOutcome(string outcome, string message, SlotVersion? from, SlotVersion? to) =>
        journal.TryRecord(Site.Name, Action, outcome, message, from, to, StartedSeq);

    public OperationContext Context => context;

    /// <summary>
    /// Records in the site lock's holder file the process group of a configured command this command runs (null once
    /// it is over): whoever takes the lock over after a crash ends what the command left running.
    /// </summary>
    public void RecordChildGroup(int? pgid, string command)
    {
        try
        {
            Locks.SiteLock.RecordChildGroup(pgid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Infrastructure.Etcd.LockLostException)
        {
            context.Reporter.Warn($"could not record {command}'s process group in the lock's holder file ({e.Message}); after a crash it would have to be ended by hand");
        }
    }
}

/// <summary>
/// The frame every mutating command runs in, one fixed order (docs/failure-modes.md):
/// check the input → lock → recover → (the body: decide → journal intent → act → verify → record state → journal outcome).
/// It maps the failures that must stop a command cleanly to exit codes: bad configuration 2, a busy lock 4,
/// an unreadable state or unresolved drift 3 (refused), a journal that cannot be written 1 (nothing changed).
/// </summary>
internal static class OperationFrame
{
    /// <summary>
    /// Runs the frame, then, with the locks released, waits for the notifications of what it journaled
    /// (docs/notifications.md): they never change the result.
    /// </summary>
    public static async Task<OperationResult> RunAsync(
        OperationContext context,
        OperationJournal journal,
        string action,
        string site,
        bool switchLock,
        CancellationToken signalled,
        Func<SiteTransaction, Task<OperationResult>> body,
        bool proceedWhenBlocked = false)
    {
        try
        {
            return await RunLockedAsync(context, journal, action, site, switchLock, signalled, body, proceedWhenBlocked);
        }
        finally
        {
            await journal.NotifiedAsync();
        }
    }

    private static async Task<OperationResult> RunLockedAsync(
        OperationContext context,
        OperationJournal journal,
        string action,
        string site,
        bool switchLock,
        CancellationToken signalled,
        Func<SiteTransaction, Task<OperationResult>> body,
        bool proceedWhenBlocked)
    {
        if (!OperatorInput.IsSiteName(site))
        {
            return new OperationResult(ExitCode.Usage, $"{action}: {OperatorInput.NotASiteName(site)}", "see ./run.sh status for the sites");
        }

        var (config, errors) = ConfigLoader.LoadSite(context.Home, site, context.Global);
        if (config is null)
        {
            return new OperationResult(ExitCode.Usage, string.Join("\n", errors.Where(e => !e.IsWarning)), "run ./run.sh config check");
        }

        // A site whose Traefik names are another site's (`shop` and `shop-a`) would rewrite that site's routing.
        if (Core.Routing.RoutingKv.NameClashError(site, ConfigLoader.ValidSiteNames(context.Home)) is { } clash)
        {
            return new OperationResult(ExitCode.Usage, $"{action} {site} refused: {clash}; nothing was changed", "run ./run.sh config check");
        }

        SiteTransaction? started = null;
        try
        {
            // A damaged journal refuses every mutating command before it does anything (docs/failure-modes.md).
            journal.EnsureIntact();
            using var locks = await SiteLocks.TakeAsync(context, journal, site, switchLock, signalled);
            TestFaults.At(action, "locked", signalled);
            // Recovery reads the journal as it is now, under the locks: not as it was before a --lock-wait.
            journal.FollowUnderLock();
            var (state, routing, blocked, unresolved) = Recover(context, journal, site, locks);
            TestFaults.At(action, "recovered", signalled);
            if (blocked is not null && !proceedWhenBlocked)
            {
                var outcome = context.DryRun ? JournalOutcome.DryRun : JournalOutcome.Refused;
                journal.TryRecord(site, action, outcome, context.DryRun ? $"dry run: would be refused: {blocked}" : blocked);
                return new OperationResult(ExitCode.Refused, $"{action} {site} refused: {blocked}",
                    $"look at the routing file and the state, then run ./run.sh recover {site} (see docs/failure-modes.md)");
            }

            if (signalled.IsCancellationRequested)
            {
                return new OperationResult(ExitCode.Failed, $"{action} {site}: interrupted by a signal before it began; nothing was changed");
            }

            started = new SiteTransaction(context, journal, action, config, locks, state, routing, signalled, unresolved);
            return await body(started);
        }
        catch (OperationCanceledException) when (signalled.IsCancellationRequested)
        {
            // A signal while a body waited before its intent (a health probe): nothing was started.
            return new OperationResult(ExitCode.Failed, $"{action} {site}: interrupted by a signal before anything changed; nothing was changed");
        }
        catch (EtcdUnavailableException e) when (started?.StartedSeq is null)
        {
            // Before any intent, and every write to etcd is one transaction: one that could not be sent changed nothing.
            return new OperationResult(ExitCode.Failed, $"{action} {site} failed: {e.Message}; nothing was changed", "is the etcd cluster up? see ETCD_ENDPOINTS in conf/global.conf");
        }
        catch (LockLostException e)
        {
            journal.TryRecord(site, action, JournalOutcome.Failed, e.Message);
            return new OperationResult(ExitCode.Failed, $"{action} {site} failed: {e.Message}; it stopped before its next step",
                $"the next command's recovery records what is true (./run.sh status {site} shows it); is etcd healthy? (etcdctl endpoint health)");
        }
        catch (EtcdOutcomeUnknownException e)
        {
            // A write whose answer was lost and that could not be checked since: say so, not "nothing was changed".
            return new OperationResult(ExitCode.Failed, $"{action} {site} failed: {e.Message}",
                $"the next command's recovery settles it from the journal and the routing in etcd (./run.sh status {site} shows it)");
        }
        catch (LockBusyException busy)
        {
            journal.TryRecord(site, action, JournalOutcome.Refused, busy.Message);
            return new OperationResult(ExitCode.Locked, $"{action} {site} refused: {busy.Message}", LockHint(busy));
        }
        catch (JournalWriteException e) when (e.Damaged)
        {
            return new OperationResult(ExitCode.Refused, $"{action} {site} refused: {e.Message}", "nothing was changed: see ./run.sh journal verify and docs/journal.md");
        }
        catch (JournalWriteException e)
        {
            return new OperationResult(ExitCode.Failed, $"{action} {site} failed: {e.Message}", "nothing was changed: see ./run.sh journal verify and docs/journal.md");
        }
        catch (CorruptStateException e)
        {
            journal.TryRecord(site, action, JournalOutcome.Refused, e.Message);
            return new OperationResult(ExitCode.Refused, $"{action} {site} refused: {e.Message}", $"restore {e.Path} (see docs/failure-modes.md)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Bodies handle the I/O of their steps; anything else lands here. If the intent was journaled it stays
            // open on purpose: the next command's recovery records what the routing file and the state say.
            return new OperationResult(ExitCode.Failed, $"{action} {site} failed: {e.Message}",
                $"check the disk and permissions under {context.Home.Root}; the next command's recovery records what is true (./run.sh status {site} shows it)");
        }
    }

    /// <summary>What to do about a busy lock: the maintenance lock ends only with `lock release`.</summary>
    public static string LockHint(LockBusyException busy) => busy.LockName == MaintenanceLock.Name
        ? "the maintenance lock stays until ./run.sh lock release (see ./run.sh lock status)"
        : "wait for it to finish (or pass --lock-wait SECONDS), then try again";

    /// <summary>
    /// Recovery, before any new work: the interrupted command (a `started` line with no outcome) is resolved and
    /// journaled; the state is corrected where the routing file proves what happened; a slot left deploying by a
    /// deploy that could not record its end is ended (under the lock no deploy runs). It never changes routing.
    /// In a dry run it only says what it would record.
    /// </summary>
    private static (SiteState State, RoutingTruth Routing, string? Blocked, InterruptedCommand? Unresolved) Recover(OperationContext context, OperationJournal journal, string site, SiteLocks locks)
    {
        var (state, routing, blocked, unresolved) = ResolveInterrupted(context, journal, site, locks);
        if (RecoveryPolicy.EndStaleDeploys(state) is not { } stale)
        {
            return (state, routing, blocked, unresolved);
        }

        if (context.DryRun)
        {
            context.Reporter.Warn($"recovery would record: {stale.Message}");
            return (stale.State, routing, blocked, unresolved);
        }

        // Journaled first: if the state write then fails, the slot still says deploying and the next command tries again.
        journal.Record(site, JournalAction.Deploy, JournalOutcome.Interrupted, $"recovered: {stale.Message}", to: stale.Ended);
        var next = journal.Stores.State(locks).Write(stale.State, context.Clock.GetUtcNow());
        context.Reporter.Warn($"recovered: {stale.Message}");
        return (next, routing, blocked ?? RecoveryPolicy.Drift(next, routing), unresolved);
    }

    /// <summary>The interrupted command (a `started` line with no outcome), resolved and journaled.</summary>
    private static (SiteState State, RoutingTruth Routing, string? Blocked, InterruptedCommand? Unresolved) ResolveInterrupted(OperationContext context, OperationJournal journal, string site, SiteLocks locks)
    {
        var store = journal.Stores.State(locks);
        var state = store.Read(site);
        var routing = Operations.Routing.RoutingStore.For(context, journal.Stores).ReadTruth(site);
        var interrupted = journal.File.FindInterrupted(site);
        var decision = RecoveryPolicy.Decide(state, routing, interrupted);
        if (decision.Resolved is { } resolved)
        {
            if (context.DryRun)
            {
                context.Reporter.Warn($"recovery would record: {decision.ResolutionMessage}");
            }
            else
            {
                var next = decision.StateChanged ? store.Write(decision.State, context.Clock.GetUtcNow()) : decision.State;
                try
                {
                    journal.Record(site, resolved.Action, JournalOutcome.Interrupted, $"recovered: {decision.ResolutionMessage}", resolved.From, resolved.To, resolved.Seq);
                }
                catch (JournalWriteException e) when (decision.StateChanged)
                {
                    // Say what did change: the state already tells the truth; the journal line waits for the next command.
                    throw new JournalWriteException(journal.File.Path, $"{e.Message}; recovery had already recorded in the state: {decision.ResolutionMessage}", e, e.Damaged);
                }

                context.Reporter.Warn($"recovered: {decision.ResolutionMessage}");
                return (next, routing, decision.Blocked, null);
            }
        }

        return (decision.State, routing, decision.Blocked, decision.Resolved is null ? interrupted : null);
    }
}
