using BlueGreen.Core.Journal;
using BlueGreen.Core.State;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Infrastructure.Net;
using BlueGreen.Infrastructure.Notifications;
using Etcdserverpb;

namespace BlueGreen.Operations.Common;

/// <summary>
/// The journal as the operations write it: actor, via and session filled in from the context. With ROUTING_STORE=etcd
/// it is written to etcd (<see cref="EtcdJournal"/>) and <see cref="File"/> is this host's mirror of it.
/// </summary>
internal sealed class OperationJournal
{
    private readonly OperationContext _context;
    private readonly JournalFile _file;
    private readonly EtcdJournal? _etcd;
    private readonly JournalNotifier _notifier;
    private bool _dryRunNotifyShown;

    public OperationJournal(OperationContext context, Stores? stores = null)
    {
        _context = context;
        _file = new JournalFile(context.Home, context.Global, context.Clock);
        Stores = stores ?? new Stores(context);
        _etcd = Stores.Etcd is { } etcd ? new EtcdJournal(etcd, _file, context.Clock) : null;
        _notifier = new JournalNotifier(context.Home, context.Global, HttpClients.Shared, context.Clock);
    }

    public Stores Stores { get; }

    /// <summary>The journal file (with etcd: this host's mirror, caught up by <see cref="EnsureIntact"/>).</summary>
    public JournalFile File => _file;

    /// <summary>A damaged journal refuses every mutating command; with etcd the mirror must also follow the journal there.</summary>
    public void EnsureIntact()
    {
        _file.EnsureIntact();
        _etcd?.EnsureMirrorFollows();
    }

    /// <summary>
    /// With etcd, brings the mirror up to the journal there again: called once the locks are held, so that recovery
    /// sees what another host journaled while this command waited for them. Nothing to do with a journal file.
    /// </summary>
    public void FollowUnderLock() => _etcd?.EnsureMirrorFollows();

    /// <summary>
    /// Journals an entry. With etcd, <paramref name="alongside"/> (a switch's routing) is written in the same transaction,
    /// and only while <paramref name="proofs"/> (the command's locks, unless <paramref name="proofsFailed"/> says what else) hold.
    /// </summary>
    public JournalEntry Record(string? site, string action, string outcome, string message, SlotVersion? from = null, SlotVersion? to = null, long? closes = null,
        IReadOnlyList<RequestOp>? alongside = null, IReadOnlyList<Compare>? proofs = null, string? proofsFailed = null)
    {
        var entry = new JournalEntry
        {
            Site = site,
            Action = action,
            Outcome = outcome,
            Actor = _context.Actor,
            Via = _context.Via,
            Session = _context.Session,
            From = from,
            To = to,
            Message = message,
            Ref = closes,
        };
        var appended = _etcd is not null
            ? _etcd.Append(entry, alongside, proofs, proofsFailed)
            : alongside is { Count: > 0 } ? throw new InvalidOperationException("a journal file cannot carry routing keys") : _file.Append(entry);
        Notify(appended);
        return appended;
    }

    /// <summary>
    /// The one place journaled results reach NOTIFY_URLS: posting starts once the entry is appended (with its seq and
    /// hash) and runs beside the command; a dry run only says where it would post.
    /// </summary>
    private void Notify(JournalEntry entry)
    {
        if (!_context.DryRun)
        {
            _notifier.Send(entry);
        }
        else if (!_dryRunNotifyShown && _notifier.Urls.Count > 0 && entry.Outcome == JournalOutcome.DryRun && Core.Notifications.Notification.IsSwitchAction(entry.Action))
        {
            _dryRunNotifyShown = true;
            _context.Reporter.Step($"would notify {string.Join(", ", _notifier.Urls.Select(Core.Notifications.Notification.Display))} ({_context.Global.NotifyFormat.ToString().ToLowerInvariant()}; not sent: dry run)");
        }
    }

    /// <summary>
    /// Waits for this command's notifications (at most NOTIFY_TIMEOUT after the last began) and warns of those that
    /// failed; the command's result stays what it is. Called by the operation frame once the locks are released.
    /// </summary>
    public async Task NotifiedAsync()
    {
        foreach (var (failure, notLogged) in await _notifier.WhenSentAsync())
        {
            var logged = notLogged is null ? $"logged in {_context.Home.NotifyLog}" : $"not logged in {_context.Home.NotifyLog}: {notLogged}";
            _context.Reporter.Warn($"could not notify {failure.Url} of journal seq {failure.Seq}: {failure.Cause} ({logged})");
        }
    }

    /// <summary><see cref="NotifiedAsync"/>, then the result: for results given outside the operation frame.</summary>
    public async Task<T> AfterNotifiedAsync<T>(T result)
    {
        await NotifiedAsync();
        return result;
    }

    /// <summary>Journals without letting a journal failure hide the result being reported. False when it could not.</summary>
    public bool TryRecord(string? site, string action, string outcome, string message, SlotVersion? from = null, SlotVersion? to = null, long? closes = null)
    {
        try
        {
            Record(site, action, outcome, message, from, to, closes);
            return true;
        }
        catch (JournalWriteException e)
        {
            _context.Reporter.Warn($"could not journal this {outcome} {action}: {e.Message}");
            return false;
        }
        catch (EtcdOutcomeUnknownException e)
        {
            _context.Reporter.Warn($"this {outcome} {action} may not be journaled: {e.Message}");
            return false;
        }
    }
}
