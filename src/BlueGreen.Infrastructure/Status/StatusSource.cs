using BlueGreen.Core.Configuration;
using BlueGreen.Core.Recovery;
using BlueGreen.Core.State;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Infrastructure.Locking;
using BlueGreen.Infrastructure.Routing;
using BlueGreen.Infrastructure.State;

namespace BlueGreen.Infrastructure.Status;

/// <summary>A stored thing as a reuse cache compares it: equal stamps, equal content (a file's size and time, an etcd key's revisions).</summary>
internal readonly record struct Stamp(long A, long B)
{
    public static readonly Stamp Absent = new(-1, 0);

    public static Stamp OfFile(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new Stamp(info.Length, info.LastWriteTimeUtc.Ticks) : Absent;
    }
}

/// <summary>
/// Where one status read takes each site's state, routing truth and site-lock holder from: this host's files, or with
/// ROUTING_STORE=etcd the cluster every host shares. The choice is <see cref="EtcdStore.For"/>'s, as for the operations;
/// a status read only needs to read, so it has this small view rather than the operations' stores.
/// </summary>
internal abstract class StatusSource
{
    /// <exception cref="CorruptStateException">The state cannot be trusted.</exception>
    public abstract SiteState ReadState(string site);

    public abstract RoutingTruth ReadTruth(string site);

    /// <summary>Who holds the site's lock right now (null: nobody).</summary>
    public abstract LockHolder? SiteLockHolder(string site);

    /// <summary>The state's and the routing's stamps, for <see cref="StatusReader"/>'s reuse of unchanged readings.</summary>
    public abstract (Stamp State, Stamp Routing) Stamps(string site);

    /// <summary>Why the journal read is not the shared one (etcd: this host's mirror cannot follow it, or it is damaged there), or null.</summary>
    public virtual string? JournalProblem => null;

    /// <summary>
    /// The source of one status call. With etcd, every prefix is read here, ONCE and at one revision (the journal caught
    /// up, then the states, the routing tree and the locks: a handful of range reads whatever the number of sites), so
    /// that status stays fast for thousands of sites and sees one moment; the per-site calls then only look in memory.
    /// </summary>
    /// <exception cref="EtcdUnavailableException">etcd cannot be reached: status says so and stops.</exception>
    public static StatusSource Read(Home home, GlobalConfig global, JournalFile journal) =>
        EtcdStore.For(global) is { } etcd ? new EtcdSource(home, etcd, journal) : new FileSource(home, new RoutingFiles(home, global));

    private sealed class FileSource(Home home, RoutingFiles routing) : StatusSource
    {
        private readonly StateStore _states = new(home);

        public override SiteState ReadState(string site) => _states.Read(site);

        public override RoutingTruth ReadTruth(string site) => routing.ReadTruth(site);

        public override LockHolder? SiteLockHolder(string site) => new FileLock(home.LocksDir).HeldByLiveProcess(FileLock.SiteLock(site));

        public override (Stamp State, Stamp Routing) Stamps(string site) => (Stamp.OfFile(home.StateFile(site)), Stamp.OfFile(routing.PathOf(site)));
    }

    private sealed class EtcdSource : StatusSource
    {
        private readonly StateStore _states;
        private readonly Dictionary<string, EtcdValue> _stateKeys;
        private readonly EtcdRouting.Tree _routing;
        private readonly Dictionary<string, LockHolder?> _locks;

        public EtcdSource(Home home, EtcdStore etcd, JournalFile journal)
        {
            // One snapshot: the journal, the states, the routing and the locks as they all were at one revision, so that a
            // switch committed between two of these reads cannot show as drift (its routing seen, its state not yet).
            // The journal first, as file mode reads it before the locks: a command seen started and still holding its lock is in progress.
            var revision = etcd.Revision();
            JournalProblem = EtcdJournal.CatchUpForReading(etcd, journal, revision);
            _states = new StateStore(home, etcd: etcd);
            _stateKeys = etcd.List(etcd.StatesPrefix, revision).ToDictionary(kv => kv.Key[etcd.StatesPrefix.Length..], StringComparer.Ordinal);
            _routing = new EtcdRouting.Tree(etcd, revision);
            _locks = new EtcdLeaseLock(etcd).InspectAt(revision).ToDictionary(l => l.Name, l => l.Holder, StringComparer.Ordinal);
        }

        public override string? JournalProblem { get; }

        public override SiteState ReadState(string site) => _states.Parse(site, _stateKeys.TryGetValue(site, out var kv) ? kv.Value : null);

        public override RoutingTruth ReadTruth(string site) => _routing.Truth(site);

        // A key whose holder cannot be parsed is still a held lock: named as unknown rather than taken for free.
        public override LockHolder? SiteLockHolder(string site) =>
            _locks.TryGetValue(FileLock.SiteLock(site), out var holder) ? holder ?? new LockHolder(0, "?", "?", "(unreadable holder)", DateTimeOffset.MinValue) : null;

        public override (Stamp State, Stamp Routing) Stamps(string site)
        {
            var state = _stateKeys.TryGetValue(site, out var kv) ? new Stamp(kv.ModRevision, kv.CreateRevision) : Stamp.Absent;
            var keys = _routing.SiteValues(site);
            // A deleted key changes the count, a changed or added one the highest revision.
            return (state, keys.Count == 0 ? Stamp.Absent : new Stamp(keys.Count, keys.Max(k => k.ModRevision)));
        }
    }
}
