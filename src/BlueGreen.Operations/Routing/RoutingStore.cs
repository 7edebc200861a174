using BlueGreen.Core.Configuration;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Recovery;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Infrastructure;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.Routing;
using BlueGreen.Operations.Common;

namespace BlueGreen.Operations.Routing;

/// <summary>
/// A site's routing as <see cref="RoutingPlanner.Build"/> decides it, with the line that describes it.
/// <paramref name="CandidateWeight"/>: during a split, the candidate's share in percent.
/// </summary>
internal sealed record SiteRouting(SiteConfig Site, Slot? Live, Slot Candidate, string Description, int? CandidateWeight = null)
{
    public DynamicConfig Config => RoutingPlanner.Build(Site, Live, Candidate, CandidateWeight);

    /// <summary>The routing a switch plan leads to.</summary>
    public static SiteRouting After(SiteConfig site, Core.Switching.SwitchPlan plan, string description) =>
        new(site, plan.LiveAfter, plan.LiveAfter.Other(), description, plan.Weight);
}

/// <summary>What a switch's write replaced, for the one compensation path (null Previous: there was none).</summary>
internal sealed record RoutingWrite(string? Previous, IReadOnlyList<KeyValuePair<string, string>>? PreviousPairs);

/// <summary>
/// Where a site's routing lives (ROUTING_STORE): the per-site file Traefik's file provider watches, or Traefik's KV
/// layout in etcd. The operations are the only writers; the switch writes through <see cref="Switch"/> and puts the
/// previous routing back through <see cref="Restore"/>, deploy moves the preview route through <see cref="Replace"/>.
/// </summary>
internal abstract class RoutingStore
{
    /// <summary>Where the site's routing is, as plans and messages name it.</summary>
    public abstract string Where(string site);

    /// <summary>What messages call the site's routing here ("the previous routing file was put back").</summary>
    public abstract string Noun { get; }

    /// <summary>The routing as this store holds it, in the text a plan's diff compares.</summary>
    public abstract string Render(SiteRouting routing);

    /// <summary>The current routing in the same text, or null when the site has none.</summary>
    public abstract string? ReadText(string site);

    /// <summary>What the stored routing makes users reach: the truth recovery starts from.</summary>
    public abstract RoutingTruth ReadTruth(string site);

    /// <summary>
    /// Journals the switch's intent and writes the new routing. Null when a signal came before the routing changed
    /// (then the intent may be journaled: <see cref="SiteTransaction.StartedSeq"/> says).
    /// </summary>
    public abstract RoutingWrite? Switch(SiteTransaction tx, SiteRouting after, string intent, SlotVersion? from, SlotVersion? to);

    /// <summary>
    /// Puts back what <see cref="Switch"/> replaced and journals the failed outcome. True when the outcome was journaled.
    /// Throws (IOException, JournalWriteException) when the routing could not be put back.
    /// </summary>
    public abstract bool Restore(SiteTransaction tx, RoutingWrite write, string outcome, SlotVersion? from, SlotVersion? to);

    /// <summary>Writes a routing that keeps production as it is (deploy's preview route); the caller journals.</summary>
    public abstract void Replace(SiteTransaction tx, SiteRouting routing);

    /// <summary>The stored routing as a configuration (null: the site has none), for `store migrate`.</summary>
    public abstract DynamicConfig? ReadConfig(string site);

    /// <summary>Writes a routing copied from the other store, as it is (`store migrate`, under every lock).</summary>
    public abstract void Import(string site, DynamicConfig config, SiteLocks locks);

    public static RoutingStore For(OperationContext context, Stores stores) =>
        stores.Etcd is { } etcd ? new EtcdRoutingStore(etcd) : new FileRoutingStore(context);
}

/// <summary>ROUTING_STORE=file: the intent is journaled, then the file is renamed into place (two steps; recovery covers the gap).</summary>
internal sealed class FileRoutingStore(OperationContext context) : RoutingStore
{
    private readonly RoutingFiles _files = new(context.Home, context.Global);

    public override string Where(string site) => _files.PathOf(site);

    public override string Noun => "routing file";

    public override string Render(SiteRouting routing) => RoutingPlanner.Render(routing.Site, routing.Live, routing.Candidate, routing.Description, routing.CandidateWeight);

    public override string? ReadText(string site) => _files.ReadText(site);

    public override RoutingTruth ReadTruth(string site) => _files.ReadTruth(site);

    public override RoutingWrite? Switch(SiteTransaction tx, SiteRouting after, string intent, SlotVersion? from, SlotVersion? to)
    {
        tx.JournalIntent(intent, from, to);
        if (tx.Signalled.IsCancellationRequested)
        {
            return null;
        }

        var previous = Writer.Write(after.Site.Name, Render(after), tx.Action);
        return new RoutingWrite(previous, null);
    }

    public override bool Restore(SiteTransaction tx, RoutingWrite write, string outcome, SlotVersion? from, SlotVersion? to)
    {
        Writer.Restore(tx.Site.Name, write.Previous);
        tx.Reached("compensated");
        return tx.TryJournalOutcome(JournalOutcome.Failed, outcome, from, to);
    }

    public override void Replace(SiteTransaction tx, SiteRouting routing) => Writer.Write(routing.Site.Name, Render(routing), tx.Action);

    public override DynamicConfig? ReadConfig(string site)
    {
        var text = _files.ReadText(site);
        if (text is null)
        {
            return null;
        }

        var (config, error) = RoutingFileFormat.Parse(text);
        return config ?? throw new IOException($"{_files.PathOf(site)}: {error}");
    }

    public override void Import(string site, DynamicConfig config, SiteLocks locks) =>
        Writer.Write(site, RoutingFileFormat.Serialize(config, [$"BlueGreen Orchestrator routing for site {site}: written by ./run.sh, do not edit by hand.", "copied from etcd by store migrate"]), "store-migrate");

    private RoutingFileWriter Writer => new(_files, context.Home, context.Clock);
}

/// <summary>
/// ROUTING_STORE=etcd: the site's keys in Traefik's KV layout (<see cref="RoutingKv"/>). A switch is ONE transaction:
/// the site's old keys deleted, the new pairs put, the journal entry and head written, on condition that the head
/// did not move and the caller's locks are still its own. Traefik lists the tree at one revision: it never sees
/// half a switch, and a switch never happens without its journal line.
/// </summary>
internal sealed class EtcdRoutingStore(EtcdStore etcd) : RoutingStore
{
    public override string Where(string site) => EtcdRouting.Where(etcd, site);

    public override string Noun => "routing (etcd)";

    public override string Render(SiteRouting routing) => RoutingKv.Text(Pairs(routing));

    public override string? ReadText(string site) => Current(site) is { Count: > 0 } pairs ? RoutingKv.Text(pairs) : null;

    public override RoutingTruth ReadTruth(string site) => EtcdRouting.Truth(site, Current(site), etcd.RoutingPrefix);

    public override RoutingWrite? Switch(SiteTransaction tx, SiteRouting after, string intent, SlotVersion? from, SlotVersion? to)
    {
        // Nothing is journaled apart from the routing: a signal now leaves nothing to close.
        if (tx.Signalled.IsCancellationRequested)
        {
            return null;
        }

        var previous = Current(after.Site.Name);
        tx.JournalIntent(intent, from, to, Ops(previous, Pairs(after)));
        return new RoutingWrite(null, previous);
    }

    public override bool Restore(SiteTransaction tx, RoutingWrite write, string outcome, SlotVersion? from, SlotVersion? to)
    {
        tx.Outcome(JournalOutcome.Failed, outcome, from, to, Ops(Current(tx.Site.Name), write.PreviousPairs ?? []));
        tx.Reached("compensated");
        return true;
    }

    public override void Replace(SiteTransaction tx, SiteRouting routing)
    {
        if (!etcd.Transact(tx.Locks.Proofs, Ops(Current(routing.Site.Name), Pairs(routing))))
        {
            throw new IOException($"{Where(routing.Site.Name)}: not written: this command's lock lease expired");
        }
    }

    public override DynamicConfig? ReadConfig(string site)
    {
        var pairs = Current(site);
        if (pairs.Count == 0)
        {
            return null;
        }

        var (config, error) = RoutingKv.Parse(pairs, etcd.RoutingPrefix);
        return config ?? throw new IOException($"etcd: {error}");
    }

    public override void Import(string site, DynamicConfig config, SiteLocks locks)
    {
        if (!etcd.Transact(locks.Proofs, Ops(Current(site), RoutingKv.Pairs(config, etcd.RoutingPrefix))))
        {
            throw new IOException($"{Where(site)}: not written: the lock lease expired");
        }
    }

    private IReadOnlyList<KeyValuePair<string, string>> Pairs(SiteRouting routing) => RoutingKv.Pairs(routing.Config, etcd.RoutingPrefix);

    /// <summary>The keys the site owns now: under its own router and service names, compared whole (<see cref="RoutingKv.Owns"/>).</summary>
    private List<KeyValuePair<string, string>> Current(string site) => EtcdRouting.SiteKeys(etcd, site);

    /// <summary>
    /// The site's keys replaced whole: every key it has now that the new routing lacks is deleted, every new pair put.
    /// Key by key, because etcd refuses a transaction that deletes a range a put of it falls in ("duplicate key");
    /// the site lock (held by every writer of these keys) keeps the keys read from changing before the write.
    /// </summary>
    private static List<Etcdserverpb.RequestOp> Ops(IReadOnlyList<KeyValuePair<string, string>> current, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        var keep = pairs.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        return [.. current.Where(c => !keep.Contains(c.Key)).Select(c => EtcdStore.DeleteKey(c.Key)), .. pairs.Select(p => EtcdStore.Put(p.Key, p.Value))];
    }
}
