using BlueGreen.Core;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Recovery;
using BlueGreen.Core.Slots;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Infrastructure.State;
using BlueGreen.Operations.Common;

namespace BlueGreen.Operations.Recovering;

/// <summary>What `recover` found and did, for --json.</summary>
public sealed record RecoverOutcome(string Site, string Routing, string? StateLiveBefore, string? StateLiveAfter, bool Changed, bool DryRun);

/// <summary>
/// `recover SITE` (docs/failure-modes.md, "Drift"): the operator's explicit, journaled answer to drift. Like
/// every command it first resolves an interrupted one; then the state adopts what the routing file serves.
/// It never changes routing: to serve another slot, switch with apply or rollback afterwards.
/// </summary>
public sealed class RecoverOperation(OperationContext context)
{
    private readonly OperationJournal _journal = new(context);

    public Task<OperationResult> RunAsync(string site, CancellationToken ct) =>
        OperationFrame.RunAsync(context, _journal, JournalAction.Recover, site, switchLock: true, ct, RecoverAsync, proceedWhenBlocked: true);

    private Task<OperationResult> RecoverAsync(SiteTransaction tx)
    {
        var site = tx.Site.Name;
        var state = tx.State;
        var (adopted, message) = RecoveryPolicy.Adopt(state, tx.Routing);
        if (adopted is null)
        {
            _journal.Record(site, JournalAction.Recover, context.DryRun ? JournalOutcome.DryRun : JournalOutcome.Refused, message);
            return Task.FromResult(new OperationResult(ExitCode.Refused, $"recover {site} refused: {message}",
                $"repair the routing file by hand (earlier versions: {context.Home.RoutingHistoryDir(site)}), then run ./run.sh recover {site}"));
        }

        var before = state.Live?.Name();
        var changed = !ReferenceEquals(adopted, state);
        var outcome = new RecoverOutcome(site, tx.Routing.Describe(), before, adopted.Live?.Name(), changed, context.DryRun);
        if (!changed && tx.Unresolved is null)
        {
            return Task.FromResult(new OperationResult(ExitCode.Done, $"{site}: {message}", null, outcome));
        }

        if (tx.Unresolved is { } open && !context.DryRun && !changed)
        {
            // Nothing to adopt, but an interrupted command blocked every other one: close it, saying what is true.
            var closing = $"closed by recover: {open.Title} was interrupted; {message}; check slot {(open.To?.Slot ?? "?")} before relying on it";
            _journal.Record(site, open.Action, JournalOutcome.Interrupted, closing, open.From, open.To, open.Seq);
            return Task.FromResult(new OperationResult(ExitCode.Done, $"{site}: {closing}", $"./run.sh status {site}", outcome));
        }

        if (context.DryRun)
        {
            _journal.Record(site, JournalAction.Recover, JournalOutcome.DryRun, $"dry run: would record: {message}");
            return Task.FromResult(OperationResult.Done($"dry run: recover {site} would record: {message}; nothing was changed", outcome));
        }

        if (tx.Signalled.IsCancellationRequested)
        {
            return Task.FromResult(new OperationResult(ExitCode.Failed, $"recover {site}: interrupted by a signal before it began; nothing was changed"));
        }

        if (tx.Unresolved is { } blocked)
        {
            // Closed first: a recover killed after its own intent must not leave this line open behind a newer one.
            _journal.Record(site, blocked.Action, JournalOutcome.Interrupted, $"closed by recover: {blocked.Title} was interrupted; recover adopts what the routing file serves: {message}", blocked.From, blocked.To, blocked.Seq);
        }

        tx.JournalIntent($"adopting what the routing file serves ({tx.Routing.Describe()})", null, null);
        try
        {
            tx.StateStore.Write(adopted, context.Clock.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            tx.TryJournalOutcome(JournalOutcome.Failed, $"could not write the state ({e.Message}); nothing was changed", null, null);
            return Task.FromResult(new OperationResult(ExitCode.Failed, $"recover {site} failed: could not write the state: {e.Message}"));
        }

        tx.Reached("state-recorded");
        try
        {
            tx.Outcome(JournalOutcome.Succeeded, message, null, null);
        }
        catch (JournalWriteException e)
        {
            return Task.FromResult(new OperationResult(ExitCode.Failed, $"recover {site}: the state now says what the routing file serves, but the journal could not record it ({e.Message})"));
        }

        tx.Reached("outcome-journaled");
        return Task.FromResult(new OperationResult(ExitCode.Done, $"{site}: {message}", $"./run.sh status {site}", outcome));
    }
}
