using BlueGreen.Core;
using BlueGreen.Core.Input;
using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Infrastructure.Locking;
using BlueGreen.Operations.Common;

namespace BlueGreen.Operations.Locking;

/// <summary>Every lock of the home, as `lock status` shows it (docs/reference.md, "Locks").</summary>
public sealed record LockReport(IReadOnlyList<LockStatus> Locks, MaintenanceHold? Maintenance);

/// <summary>
/// `lock status`, `lock acquire --message TEXT` and `lock release` (as Kamal's): the maintenance lock an operator
/// holds across processes and sessions (and, with ROUTING_STORE=etcd, across hosts), and a view of every lock.
/// </summary>
public sealed class LockOperation(OperationContext context)
{
    public const string AcquireAction = "lock-acquire";
    public const string ReleaseAction = "lock-release";

    private readonly OperationJournal _journal = new(context);

    private const string EtcdHint = "is the etcd cluster up? see ETCD_ENDPOINTS in conf/global.conf";

    private MaintenanceLock Maintenance => _journal.Stores.Maintenance;

    public LockReport Status() => new(_journal.Stores.Locks.Inspect(), Maintenance.Read());

    /// <summary>
    /// Takes every lock (switch, then each site's, the order every command uses) and writes the maintenance
    /// hold under them: once this returns, no mutating command runs, and none starts until `lock release`. With etcd
    /// the hold and its journal entry are one transaction, on the condition that those locks are still this command's.
    /// </summary>
    public async Task<OperationResult> AcquireAsync(string? message, CancellationToken signalled)
    {
        if (!OperatorInput.IsLockMessage(message))
        {
            return new OperationResult(ExitCode.Usage, $"lock acquire: {OperatorInput.NotALockMessage(message)}", "e.g. ./run.sh lock acquire --message \"database migration until 14:00\"");
        }

        var written = false;
        try
        {
            _journal.EnsureIntact();
            string[] names = [FileLock.SwitchLock, .. ConfigLoader.ValidSiteNames(context.Home).Select(FileLock.SiteLock).Order(StringComparer.Ordinal)];
            using var locks = await SiteLocks.TakeAsync(context, _journal, null, names, signalled);
            var hold = new MaintenanceHold(LockHolder.Current(context.CommandLine, context.Clock.GetUtcNow()), message!);
            var journaled = $"maintenance lock taken: {message}";
            if (Etcd)
            {
                _journal.Record(null, AcquireAction, JournalOutcome.Succeeded, journaled, alongside: [Maintenance.PutInEtcd(hold)], proofs: locks.Proofs);
            }
            else
            {
                Maintenance.Write(hold);
                written = true;
                _journal.Record(null, AcquireAction, JournalOutcome.Succeeded, journaled);
            }

            return new OperationResult(ExitCode.Done, $"maintenance lock taken by {hold.Holder.User}@{hold.Holder.Host}: \"{message}\"; every mutating command now exits 4",
                "./run.sh lock release ends it");
        }
        catch (LockBusyException busy)
        {
            _journal.TryRecord(null, AcquireAction, JournalOutcome.Refused, busy.Message);
            return new OperationResult(ExitCode.Locked, $"lock acquire refused: {busy.Message}", OperationFrame.LockHint(busy));
        }
        catch (OperationCanceledException) when (signalled.IsCancellationRequested)
        {
            return new OperationResult(ExitCode.Failed, "lock acquire: interrupted by a signal while waiting; the maintenance lock was not taken");
        }
        catch (JournalWriteException e)
        {
            // Taken but not journaled would be a lock nobody can trace: the file is let go again (etcd wrote neither).
            var notTaken = written ? UndoWrite() : "the maintenance lock was not taken";
            return new OperationResult(e.Damaged ? ExitCode.Refused : ExitCode.Failed, $"lock acquire: {e.Message}; {notTaken}", Hint(e));
        }
        catch (EtcdOutcomeUnknownException e)
        {
            return new OperationResult(ExitCode.Failed, $"lock acquire failed: {e.Message}: the maintenance lock may have been taken", "./run.sh lock status says whether it was");
        }
        catch (EtcdUnavailableException e)
        {
            return new OperationResult(ExitCode.Failed, $"lock acquire failed: {e.Message}; the maintenance lock was not taken", EtcdHint);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var notTaken = written ? $"; {UndoWrite()}" : "";
            return new OperationResult(ExitCode.Failed, $"lock acquire failed: {e.Message}{notTaken}", $"check the disk and permissions under {context.Home.LocksDir}");
        }
    }

    /// <summary>
    /// Removes the maintenance hold, whoever wrote it (as Kamal's release), and journals who held it and why. With etcd
    /// the delete and its journal entry are one transaction, on the condition that the hold is still the one read.
    /// </summary>
    public OperationResult Release()
    {
        try
        {
            _journal.EnsureIntact();
            if (Maintenance.ReadWithRevision() is not { } read)
            {
                return OperationResult.Done("no maintenance lock was held; nothing to release");
            }

            var (hold, revision) = read;

            var message = $"maintenance lock released (held by {hold.Holder}: \"{hold.Message}\")";
            if (Etcd)
            {
                var (delete, stillThatHold) = Maintenance.DeleteInEtcd(revision);
                _journal.Record(null, ReleaseAction, JournalOutcome.Succeeded, message, alongside: [delete], proofs: [stillThatHold],
                    proofsFailed: $"the maintenance lock was taken again since it was read (see ./run.sh lock status)");
                return OperationResult.Done(message);
            }

            Maintenance.Remove();
            var journaled = _journal.TryRecord(null, ReleaseAction, JournalOutcome.Succeeded, message);
            return OperationResult.Done(journaled ? message : $"{message}; the journal could not record it");
        }
        catch (JournalWriteException e)
        {
            return new OperationResult(e.Damaged ? ExitCode.Refused : ExitCode.Failed, $"lock release refused: {e.Message}; the maintenance lock stays", Hint(e));
        }
        catch (EtcdOutcomeUnknownException e)
        {
            return new OperationResult(ExitCode.Failed, $"lock release failed: {e.Message}: the maintenance lock may have been released", "./run.sh lock status says whether it was");
        }
        catch (EtcdUnavailableException e)
        {
            return new OperationResult(ExitCode.Failed, $"lock release failed: {e.Message}", EtcdHint);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new OperationResult(ExitCode.Failed, $"lock release failed: {e.Message}", $"check the disk and permissions under {context.Home.LocksDir}");
        }
    }

    private bool Etcd => _journal.Stores.Etcd is not null;

    /// <summary>A damaged journal is the journal's to explain; any other failure with etcd is the cluster's (unreachable, a lease lost).</summary>
    private string Hint(JournalWriteException e) => e.Damaged || !Etcd ? "see ./run.sh journal verify and docs/journal.md" : EtcdHint;

    /// <summary>The file written before its journal entry failed, removed again; or why it could not be (it then still holds).</summary>
    private string UndoWrite()
    {
        try
        {
            Maintenance.Remove();
            return "the maintenance lock was not taken";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"and {Maintenance.Where} could not be removed ({e.Message}): it still holds; remove it by hand";
        }
    }
}
