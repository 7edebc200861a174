using BlueGreen.Core.Configuration;
using BlueGreen.Infrastructure;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Infrastructure.Routing;
using BlueGreen.Infrastructure.State;
using BlueGreen.Infrastructure.Status;

namespace BlueGreen.Cockpit.Data;

/// <summary>
/// The product's read-only sources the cockpit looks at. Nothing here writes, except the login journal note and, with
/// ROUTING_STORE=etcd, this host's journal mirror brought up to the journal in etcd (what every command does first).
/// </summary>
internal sealed class CockpitSources(Home home, GlobalConfig global, TimeProvider clock)
{
    public Home Home => home;

    public GlobalConfig Global => global;

    /// <summary>The journal's index and verified checkpoint stay in memory: a GET writes nothing.</summary>
    public JournalFile Journal { get; } = new(home, global, clock) { DerivedInMemory = true };

    /// <summary>One reader for the cockpit's life: it reuses each site's reading while the site's files are unchanged.</summary>
    public StatusReader StatusReader => field ??= new(home, global, Infrastructure.Net.HttpClients.Shared, Journal, reuseUnchanged: true);

    /// <summary>With ROUTING_STORE=etcd, the cluster every host shares: the cockpit of any host shows what they all did.</summary>
    public EtcdStore? Etcd { get; } = EtcdStore.For(global);

    public StateStore States { get; } = new(home, clock, EtcdStore.For(global));

    /// <summary>
    /// The cockpit's own journal lines (logins), through the journal's one writer: the file, or with etcd the journal
    /// there (this host's file is its mirror, caught up after), so that the mirror stays a beginning of etcd's journal.
    /// </summary>
    /// <exception cref="JournalWriteException">Not written.</exception>
    public Core.Journal.JournalEntry AppendToJournal(Core.Journal.JournalEntry entry) =>
        Etcd is { } etcd ? new EtcdJournal(etcd, Journal, clock).Append(entry) : Journal.Append(entry);

    /// <summary>The routing files (and their history, which only file mode keeps).</summary>
    public RoutingFiles Routing { get; } = new(home, global);

    /// <summary>Where the site's routing is: its file, or its keys in etcd.</summary>
    public string RoutingWhere(string site) => Etcd is { } etcd ? EtcdRouting.Where(etcd, site) : Routing.PathOf(site);

    /// <summary>The site's routing as text (the file, or its keys as `key = value` lines), or null when it has none.</summary>
    public string? RoutingText(string site) =>
        Etcd is { } etcd ? EtcdRouting.SiteKeys(etcd, site) is { Count: > 0 } pairs ? Core.Routing.RoutingKv.Text(pairs) : null : Routing.ReadText(site);

    /// <summary>
    /// <see cref="RoutingTruth"/> for many sites at one moment (the metrics' weights): the files one by one, or etcd's
    /// routing tree read once, rather than one range read per site.
    /// </summary>
    /// <exception cref="EtcdUnavailableException">etcd cannot be reached.</exception>
    public Func<string, Core.Recovery.RoutingTruth> RoutingTruths() =>
        Etcd is { } etcd ? new EtcdRouting.Tree(etcd).Truth : Routing.ReadTruth;

    /// <summary>What the stored routing makes users reach, through the one reader of each store.</summary>
    public Core.Recovery.RoutingTruth RoutingTruth(string site) =>
        Etcd is { } etcd ? EtcdRouting.Truth(site, EtcdRouting.SiteKeys(etcd, site), etcd.RoutingPrefix) : Routing.ReadTruth(site);
}
