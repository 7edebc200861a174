using BlueGreen.Core;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Routing;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Infrastructure.Locking;
using BlueGreen.Operations.Common;
using BlueGreen.Operations.Routing;

namespace BlueGreen.Operations.Store;

/// <summary>What `store migrate` copied, for --json.</summary>
public sealed record MigrationOutcome(string To, long JournalEntries, IReadOnlyList<string> States, IReadOnlyList<string> Routings);

/// <summary>
/// `store migrate --to etcd|file` (docs/etcd.md, "Moving a home"): copies every site's routing and state and the
/// journal from one store to the other, verifies the copy by reading it back, and journals it. It holds every lock
/// of both stores meanwhile (this host's files and the cluster's leases), so no command on any host runs while it
/// copies. It copies only into an empty place: it never overwrites what the target already holds.
/// </summary>
public sealed class StoreMigration(OperationContext context)
{
    public const string Action = "store-migrate";

    public async Task<OperationResult> MigrateAsync(RoutingStoreKind to, CancellationToken signalled)
    {
        if (context.Global.EtcdEndpoints.Length == 0)
        {
            return new OperationResult(ExitCode.Usage, "store migrate: ETCD_ENDPOINTS is not set in conf/global.conf", "set ETCD_ENDPOINTS (comma-separated http://host:port), then run it again");
        }

        var files = context with { Global = context.Global with { RoutingStore = RoutingStoreKind.File } };
        var etcd = context with { Global = context.Global with { RoutingStore = RoutingStoreKind.Etcd } };
        var (source, target) = to == RoutingStoreKind.Etcd ? (files, etcd) : (etcd, files);
        var sourceJournal = new OperationJournal(source);
        var targetJournal = new OperationJournal(target);
        var sites = ConfigLoader.ValidSiteNames(context.Home).Order(StringComparer.Ordinal).ToList();
        string[] names = [FileLock.SwitchLock, .. sites.Select(FileLock.SiteLock)];
        try
        {
            new OperationJournal(files).File.EnsureIntact();
            using var fileLocks = await SiteLocks.TakeAsync(files, new OperationJournal(files), null, names, signalled);
            using var etcdLocks = await SiteLocks.TakeAsync(etcd, new OperationJournal(etcd), null, names, signalled);
            var store = new OperationJournal(etcd).Stores.Etcd!;
            var mirror = new EtcdJournal(store, new OperationJournal(files).File, context.Clock);
            var locks = to == RoutingStoreKind.Etcd ? etcdLocks : fileLocks;

            if (to == RoutingStoreKind.Etcd)
            {
                if (Occupied(store, sites) is { } occupied)
                {
                    return new OperationResult(ExitCode.Refused, $"store migrate --to etcd refused: etcd already holds {occupied}; nothing was copied",
                        "store migrate copies into an empty place only (see docs/etcd.md, \"Moving a home\")");
                }

                if (mirror.Mirror.Verify() is { } broken)
                {
                    return new OperationResult(ExitCode.Refused, $"store migrate --to etcd refused: this host's journal is broken at line {broken.Line} ({broken.Reason}); nothing was copied", "see ./run.sh journal verify");
                }

                mirror.Import(mirror.Mirror.ReadLines().ToList(), etcdLocks.Proofs);
            }
            else
            {
                mirror.EnsureMirrorFollows();
            }

            // The journal is the same lines in both places now: the mirror is the file journal.
            var (chainBreak, difference, entries) = mirror.Verify();
            if (chainBreak is not null || difference is not null)
            {
                return new OperationResult(ExitCode.Failed,
                    $"store migrate --to {Name(to)} failed: the journals differ after the copy ({chainBreak?.Reason ?? difference!.Reason}); nothing else was copied", "see ./run.sh journal verify");
            }

            var states = new List<string>();
            var routings = new List<string>();
            var sourceStores = sourceJournal.Stores;
            var targetStores = targetJournal.Stores;
            var sourceRouting = RoutingStore.For(source, sourceStores);
            var targetRouting = RoutingStore.For(target, targetStores);
            foreach (var site in sites)
            {
                var state = sourceStores.State().Read(site);
                if (state.Revision > 0)
                {
                    var copied = targetStores.State(locks).Copy(state);
                    if (Json.Serialize(targetStores.State().Read(site), Json.Options) != Json.Serialize(copied, Json.Options))
                    {
                        return Differs(to, $"the state of {site} read back is not the one copied");
                    }

                    states.Add(site);
                }

                if (sourceRouting.ReadConfig(site) is { } config)
                {
                    targetRouting.Import(site, config, locks);
                    if (targetRouting.ReadConfig(site) is not { } copied || Text(copied) != Text(config))
                    {
                        return Differs(to, $"the routing of {site} read back is not the one copied");
                    }

                    routings.Add(site);
                }
            }

            var message = $"copied {entries} journal entries, the state of {states.Count} site(s) and the routing of {routings.Count} site(s) to {Name(to)}, and read them back: equal";
            targetJournal.Record(null, Action, JournalOutcome.Succeeded, message);
            return new OperationResult(ExitCode.Done, $"store migrate: {message}",
                $"now set ROUTING_STORE={Name(to)} in conf/global.conf on every host{(to == RoutingStoreKind.Etcd ? " (other hosts start with an empty var/journal: it mirrors etcd)" : "")}",
                new MigrationOutcome(Name(to), entries, states, routings));
        }
        catch (LockBusyException busy)
        {
            return new OperationResult(ExitCode.Locked, $"store migrate refused: {busy.Message}", OperationFrame.LockHint(busy));
        }
        catch (OperationCanceledException) when (signalled.IsCancellationRequested)
        {
            return new OperationResult(ExitCode.Failed, "store migrate: interrupted by a signal while waiting for a lock; nothing was copied");
        }
        catch (EtcdUnavailableException e)
        {
            return new OperationResult(ExitCode.Failed, $"store migrate failed: {e.Message}", "is the etcd cluster up? see ETCD_ENDPOINTS in conf/global.conf; run it again once it is");
        }
        catch (JournalWriteException e)
        {
            return new OperationResult(e.Damaged ? ExitCode.Refused : ExitCode.Failed, $"store migrate failed: {e.Message}", "see ./run.sh journal verify and docs/etcd.md");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new OperationResult(ExitCode.Failed, $"store migrate failed: {e.Message}", "run it again once the cause is fixed: it copies only into an empty place, so clear what it copied first (docs/etcd.md)");
        }
    }

    private static string Name(RoutingStoreKind kind) => kind == RoutingStoreKind.Etcd ? "etcd" : "file";

    private static string Text(DynamicConfig config) => RoutingKv.Text(RoutingKv.Pairs(config, "x"));

    private static OperationResult Differs(RoutingStoreKind to, string what) =>
        new(ExitCode.Failed, $"store migrate --to {Name(to)} failed: {what}", "nothing was switched; look at both stores, then run it again");

    /// <summary>What etcd holds already that a copy would overwrite (null: nothing).</summary>
    private static string? Occupied(EtcdStore store, IReadOnlyList<string> sites)
    {
        if (store.Get(store.JournalHeadKey) is not null)
        {
            return $"a journal ({store.JournalHeadKey})";
        }

        if (store.List(store.StatePrefix + "/state/").FirstOrDefault() is { } state)
        {
            return $"a state ({state.Key})";
        }

        return sites.SelectMany(site => RoutingKv.SitePrefixes(site, store.RoutingPrefix)).SelectMany(prefix => store.List(prefix)).FirstOrDefault() is { } key ? $"routing ({key.Key})" : null;
    }
}
