using System.Globalization;

namespace BlueGreen.Core.Routing;

/// <summary>
/// A site's routing in Traefik's KV layout (ROUTING_STORE=etcd): the keys Traefik's etcd provider reads under its
/// rootKey (docs/content/reference/routing-configuration/other-providers/kv.md; pkg/provider/kv): one leaf per
/// value, list items numbered `/0`, `/1`. Pure: the same <see cref="DynamicConfig"/> always gives the same pairs.
/// </summary>
/// <remarks>
/// Keys are written in Traefik's documented lower case (Traefik matches them case-insensitively, and reads them
/// that way back here). The config is the one <see cref="RoutingPlanner.Build"/> gives the file renderer, so the
/// two stores never disagree on what a site's routing is.
/// </remarks>
public static class RoutingKv
{
    /// <summary>Every leaf of the configuration under <paramref name="rootKey"/>, ordered by key.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Pairs(DynamicConfig config, string rootKey)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        void Put(string key, string value) => pairs.Add(new($"{rootKey}/{key}", value));

        foreach (var (name, router) in config.Http?.Routers ?? [])
        {
            var at = $"http/routers/{name}";
            Put($"{at}/rule", router.Rule);
            Put($"{at}/service", router.Service);
            for (var i = 0; i < (router.EntryPoints?.Count ?? 0); i++)
            {
                Put($"{at}/entrypoints/{i}", router.EntryPoints![i]);
            }

            if (router.Priority is { } priority)
            {
                Put($"{at}/priority", priority.ToString(CultureInfo.InvariantCulture));
            }
        }

        foreach (var (name, service) in config.Http?.Services ?? [])
        {
            var at = $"http/services/{name}";
            if (service.LoadBalancer is { } lb)
            {
                for (var i = 0; i < lb.Servers.Count; i++)
                {
                    Put($"{at}/loadbalancer/servers/{i}/url", lb.Servers[i].Url);
                }

                if (lb.PassHostHeader is { } pass)
                {
                    Put($"{at}/loadbalancer/passhostheader", pass ? "true" : "false");
                }
            }

            if (service.Weighted is { } weighted)
            {
                for (var i = 0; i < weighted.Services.Count; i++)
                {
                    Put($"{at}/weighted/services/{i}/name", weighted.Services[i].Name);
                    Put($"{at}/weighted/services/{i}/weight", weighted.Services[i].Weight.ToString(CultureInfo.InvariantCulture));
                }

                // The product writes only the cookie's name; Traefik's KV key is lower case like the others.
                if (weighted.Sticky?.Cookie?.Name is { } cookie)
                {
                    Put($"{at}/weighted/sticky/cookie/name", cookie);
                }
            }
        }

        pairs.Sort((x, y) => string.CompareOrdinal(x.Key, y.Key));
        return pairs;
    }

    /// <summary>
    /// The routers and the services a site's rendering names (production, preview, slots): the site owns exactly the
    /// keys under these names, and nothing else. Routers and services are two namespaces in Traefik.
    /// </summary>
    public static (IReadOnlyList<string> Routers, IReadOnlyList<string> Services) OwnedNames(string site) =>
        ([site, RoutingPlanner.PreviewRouter(site), RoutingPlanner.PreviewHeaderRouter(site)], [site, RoutingPlanner.SlotService(site, Slots.Slot.A), RoutingPlanner.SlotService(site, Slots.Slot.B)]);

    /// <summary>
    /// The key prefixes (each ending in '/') of the site's owned names (<see cref="OwnedNames"/>): where a switch reads
    /// the site's current keys, so that a key the new routing lacks is deleted, not left behind. The closing '/' makes
    /// a prefix one name exactly (`services/shop-a/` is not `services/shop-ab/`); <see cref="Owns"/> checks it again.
    /// </summary>
    public static IReadOnlyList<string> SitePrefixes(string site, string rootKey)
    {
        var (routers, services) = OwnedNames(site);
        return [.. routers.Select(n => $"{rootKey}/http/routers/{n}/"), .. services.Select(n => $"{rootKey}/http/services/{n}/")];
    }

    /// <summary>True when the key lies under one of the site's own router or service names, compared whole (never as a prefix of a name).</summary>
    public static bool Owns(string site, string key, string rootKey)
    {
        if (NameOf(key, rootKey) is not { } named)
        {
            return false;
        }

        var (routers, services) = OwnedNames(site);
        return named.Kind switch
        {
            "routers" => routers.Contains(named.Name, StringComparer.Ordinal),
            "services" => services.Contains(named.Name, StringComparer.Ordinal),
            _ => false,
        };
    }

    /// <summary>
    /// The kind (`routers`, `services`, …) and the whole name a key lies under, `ROOT/http/KIND/NAME/…`; null for a key
    /// outside that layout. The one place a key is split into its name: what decides which site owns it.
    /// </summary>
    public static (string Kind, string Name)? NameOf(string key, string rootKey)
    {
        var root = rootKey + "/http/";
        if (!key.StartsWith(root, StringComparison.Ordinal))
        {
            return null;
        }

        var path = key[root.Length..].Split('/', 3);
        return path.Length < 3 ? null : (path[0], path[1]);
    }

    /// <summary>
    /// The router and service names <paramref name="site"/>'s rendering shares with another site's (`shop`'s slot
    /// service `shop-a` is site `shop-a`'s production service): Traefik would read the two as one, and a switch of one
    /// site would rewrite the other's keys. Each clash as (kind, name, other site), in the others' order.
    /// </summary>
    public static IReadOnlyList<(string Kind, string Name, string Other)> NameClashes(string site, IEnumerable<string> others)
    {
        var (routers, services) = OwnedNames(site);
        var clashes = new List<(string, string, string)>();
        foreach (var other in others.Where(o => o != site))
        {
            var (otherRouters, otherServices) = OwnedNames(other);
            clashes.AddRange(routers.Intersect(otherRouters, StringComparer.Ordinal).Select(n => ("router", n, other)));
            clashes.AddRange(services.Intersect(otherServices, StringComparer.Ordinal).Select(n => ("service", n, other)));
        }

        return clashes;
    }

    /// <summary>The one line that refuses a site whose names clash (<see cref="NameClashes"/>), or null when none does.</summary>
    public static string? NameClashError(string site, IEnumerable<string> others) =>
        NameClashes(site, others) is [var (kind, name, other), ..]
            ? $"sites '{site}' and '{other}' both name the Traefik {kind} '{name}' (a site owns SITE, SITE-preview, SITE-preview-header, SITE-a, SITE-b): a switch of one would rewrite the other's routing; rename one of them"
            : null;

    /// <summary>The pairs as text, one `key = value` line each: what a plan's diff shows in etcd mode.</summary>
    public static string Text(IEnumerable<KeyValuePair<string, string>> pairs) =>
        string.Concat(pairs.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} = {p.Value}\n"));

    /// <summary>
    /// Reads pairs back (the inverse of <see cref="Pairs"/> for the keys it writes), as Traefik's KV provider decodes
    /// its tree (pkg/config/kv, paerser): keys case-insensitive, list items by index. Keys outside http routers and
    /// services, and leaves Traefik knows but this product does not write (middlewares, sticky cookie options other than its name,
    /// health checks, tcp…),
    /// are left out. Null config with an error naming the key when Traefik would refuse the whole tree: a value it
    /// could not read there (a weight that is no number), or a field Traefik has not (paerser's "field not found";
    /// Traefik then keeps its previous configuration).
    /// </summary>
    public static (DynamicConfig? Config, string? Error) Parse(IEnumerable<KeyValuePair<string, string>> pairs, string rootKey)
    {
        var routers = new Dictionary<string, RouterConfig>(StringComparer.Ordinal);
        var services = new Dictionary<string, ServiceConfig>(StringComparer.Ordinal);
        var root = rootKey + "/";
        foreach (var (key, value) in pairs.OrderBy(p => p.Key, ListOrder.Instance))
        {
            if (!key.StartsWith(root, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var path = key[root.Length..].ToLowerInvariant().Split('/');
            if (path[0] == "http" && UnknownField(path) is { } unknown)
            {
                return (null, $"{key}: {unknown}");
            }

            if (path.Length < 4 || path[0] != "http")
            {
                continue;
            }

            // Names keep their case: only the structural parts of a key are case-insensitive.
            var name = key[root.Length..].Split('/')[2];
            var error = path[1] switch
            {
                "routers" => ReadRouter(routers.TryGetValue(name, out var r) ? r : routers[name] = new RouterConfig(), path[3..], value),
                "services" => ReadService(services.TryGetValue(name, out var s) ? s : services[name] = new ServiceConfig(), path[3..], value),
                _ => null,
            };
            if (error is not null)
            {
                return (null, $"{key}: {error}");
            }
        }

        return (new DynamicConfig { Http = new HttpConfig { Routers = routers.Count > 0 ? routers : null, Services = services.Count > 0 ? services : null } }, null);
    }

    /// <summary>
    /// Traefik's field names on the levels the product writes (pkg/config/dynamic/http_config.go, lower case; fields
    /// tagged kv:"-" left out). Deeper levels (middlewares, sticky, health checks) are Traefik's to check: this product
    /// neither writes nor reads them.
    /// </summary>
    private static readonly Dictionary<string, string[]> Fields = new(StringComparer.Ordinal)
    {
        ["http"] = ["routers", "services", "middlewares", "models", "serverstransports"],
        ["router"] = ["entrypoints", "middlewares", "service", "rule", "parentrefs", "rulesyntax", "priority", "tls", "observability"],
        ["service"] = ["middlewares", "loadbalancer", "highestrandomweight", "weighted", "mirroring", "failover"],
        ["weighted"] = ["services", "sticky", "healthcheck"],
        ["weighted service"] = ["name", "weight"],
        ["loadbalancer"] = ["sticky", "servers", "strategy", "healthcheck", "passivehealthcheck", "passhostheader", "responseforwarding", "serverstransport"],
        ["server"] = ["url", "weight", "preservepath", "fenced"],
    };

    /// <summary>Why Traefik would refuse the key as a field it has not, or null (<paramref name="path"/>: lower case, from "http").</summary>
    private static string? UnknownField(string[] path)
    {
        string? Check(string level, int at) =>
            path.Length <= at || Fields[level].Contains(path[at], StringComparer.Ordinal) ? null : $"Traefik has no field '{path[at]}' in an HTTP {level} (field not found)";

        return Check("http", 1) ?? (path.Length > 1 ? path[1] : "") switch
        {
            "routers" => Check("router", 3),
            "services" => Check("service", 3) ?? (path.Length > 3 ? path[3] : "") switch
            {
                "weighted" => Check("weighted", 4) ?? (path.Length > 4 && path[4] == "services" ? Check("weighted service", 6) : null),
                "loadbalancer" => Check("loadbalancer", 4) ?? (path.Length > 4 && path[4] == "servers" ? Check("server", 6) : null),
                _ => null,
            },
            _ => null,
        };
    }

    private static string? ReadRouter(RouterConfig router, string[] leaf, string value)
    {
        switch (leaf)
        {
            case ["rule"]:
                router.Rule = value;
                return null;
            case ["service"]:
                router.Service = value;
                return null;
            case ["priority"]:
                if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var priority))
                {
                    return $"'{value}' is not a whole number";
                }

                router.Priority = priority;
                return null;
            case ["entrypoints", var index]:
                return At(router.EntryPoints ??= [], index, value, v => v);
            default:
                return null;
        }
    }

    private static string? ReadService(ServiceConfig service, string[] leaf, string value)
    {
        switch (leaf)
        {
            case ["loadbalancer", "servers", var index, "url"]:
                return At((service.LoadBalancer ??= new LoadBalancerConfig()).Servers, index, value, v => new ServerConfig { Url = v });
            case ["loadbalancer", "passhostheader"]:
                if (!bool.TryParse(value, out var pass))
                {
                    return $"'{value}' is not true or false";
                }

                (service.LoadBalancer ??= new LoadBalancerConfig()).PassHostHeader = pass;
                return null;
            case ["weighted", "sticky", "cookie", "name"]:
                ((service.Weighted ??= new WeightedConfig()).Sticky ??= new StickyConfig()).Cookie = new CookieConfig { Name = value };
                return null;
            case ["weighted", "services", var index, "name"]:
                return Child(service, index, out var named) ?? Set(() => named.Name = value);
            case ["weighted", "services", var index, "weight"]:
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var weight))
                {
                    return $"'{value}' is not a weight (a whole number from 0)";
                }

                return Child(service, index, out var weighed) ?? Set(() => weighed.Weight = weight);
            default:
                return null;
        }
    }

    private static string? Set(Action set)
    {
        set();
        return null;
    }

    private static string? Child(ServiceConfig service, string index, out WeightedServiceConfig child)
    {
        var children = (service.Weighted ??= new WeightedConfig()).Services;
        child = null!;
        if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var i) || i > children.Count)
        {
            return $"list index '{index}' is not the next one ({children.Count})";
        }

        if (i == children.Count)
        {
            // A child without a weight key has Traefik's default weight, 1 (WRRService.SetDefaults).
            children.Add(new WeightedServiceConfig { Weight = 1 });
        }

        child = children[i];
        return null;
    }

    /// <summary>Sets list item <paramref name="index"/>; pairs are read in <see cref="ListOrder"/>, so items arrive 0, 1, 2, …</summary>
    private static string? At<T>(List<T> list, string index, string value, Func<string, T> make)
    {
        if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var i) || i > list.Count)
        {
            return $"list index '{index}' is not the next one ({list.Count})";
        }

        if (i == list.Count)
        {
            list.Add(make(value));
        }
        else
        {
            list[i] = make(value);
        }

        return null;
    }

    /// <summary>Key order with list indexes compared as numbers (`…/2/…` before `…/10/…`).</summary>
    private sealed class ListOrder : IComparer<string>
    {
        public static readonly ListOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var a = (x ?? "").Split('/');
            var b = (y ?? "").Split('/');
            for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
            {
                var c = int.TryParse(a[i], NumberStyles.None, CultureInfo.InvariantCulture, out var m) && int.TryParse(b[i], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                    ? m.CompareTo(n)
                    : string.CompareOrdinal(a[i], b[i]);
                if (c != 0)
                {
                    return c;
                }
            }

            return a.Length.CompareTo(b.Length);
        }
    }
}
