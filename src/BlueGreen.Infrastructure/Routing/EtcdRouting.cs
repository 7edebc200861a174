using BlueGreen.Core.Recovery;
using BlueGreen.Core.Routing;
using BlueGreen.Infrastructure.Etcd;

namespace BlueGreen.Infrastructure.Routing;

/// <summary>
/// Reads sites' routing back from Traefik's KV tree in etcd (ROUTING_STORE=etcd): the one reader the switch, deploy and
/// recovery (through the operations' EtcdRoutingStore) and status and the cockpit use, so that they never disagree on
/// what a site's keys say. A site's keys are those under its own router and service names (<see cref="RoutingKv.Owns"/>).
/// </summary>
public static class EtcdRouting
{
    /// <summary>Where the site's routing is, as plans and messages name it.</summary>
    public static string Where(EtcdStore etcd, string site) => $"etcd {etcd.RoutingPrefix}/http/…/{site}*";

    /// <summary>The keys the site owns now, read from its own prefixes (a few small range reads).</summary>
    public static List<KeyValuePair<string, string>> SiteKeys(EtcdStore etcd, string site) =>
        RoutingKv.SitePrefixes(site, etcd.RoutingPrefix).SelectMany(prefix => etcd.List(prefix))
            .Where(kv => RoutingKv.Owns(site, kv.Key, etcd.RoutingPrefix))
            .Select(kv => new KeyValuePair<string, string>(kv.Key, kv.Value)).ToList();

    /// <summary>What the site's keys make users reach: the truth recovery starts from (no key: the site was never routed).</summary>
    public static RoutingTruth Truth(string site, IReadOnlyCollection<KeyValuePair<string, string>> pairs, string rootKey)
    {
        if (pairs.Count == 0)
        {
            return RoutingTruth.NoFile.InEtcd();
        }

        var (config, error) = RoutingKv.Parse(pairs, rootKey);
        return (config is null ? RoutingTruth.Unknown($"etcd: {error}") : RoutingTruth.Of(config, site)).InEtcd();
    }

    /// <summary>
    /// The whole routing tree read once (one range read, whatever the number of sites), for readers of many sites
    /// (status, the cockpit): each site's keys are then picked from memory, as <see cref="SiteKeys"/> would read them.
    /// </summary>
    public sealed class Tree
    {
        private readonly Dictionary<(string Kind, string Name), List<EtcdValue>> _byName = [];

        /// <param name="revision">The tree as it was at that revision (0: now).</param>
        public Tree(EtcdStore etcd, long revision = 0)
        {
            RootKey = etcd.RoutingPrefix;
            foreach (var kv in etcd.List(RootKey + "/http/", revision))
            {
                // The site that owns a key is decided by its whole name, as RoutingKv.Owns does.
                if (RoutingKv.NameOf(kv.Key, RootKey) is not { } name)
                {
                    continue;
                }

                if (!_byName.TryGetValue(name, out var keys))
                {
                    _byName[name] = keys = [];
                }

                keys.Add(kv);
            }
        }

        public string RootKey { get; }

        /// <summary>The site's keys with the revisions that last changed them.</summary>
        public IReadOnlyList<EtcdValue> SiteValues(string site)
        {
            var (routers, services) = RoutingKv.OwnedNames(site);
            return [.. routers.SelectMany(n => Named("routers", n)), .. services.SelectMany(n => Named("services", n))];
        }

        public RoutingTruth Truth(string site) =>
            EtcdRouting.Truth(site, SiteValues(site).Select(kv => new KeyValuePair<string, string>(kv.Key, kv.Value)).ToList(), RootKey);

        private IEnumerable<EtcdValue> Named(string kind, string name) => _byName.TryGetValue((kind, name), out var keys) ? keys : [];
    }
}
