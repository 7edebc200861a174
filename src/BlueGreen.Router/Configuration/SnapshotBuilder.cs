using BlueGreen.Core.Routing;
using BlueGreen.Core.Routing.Rules;
using BlueGreen.Router.Proxy;

namespace BlueGreen.Router.Configuration;

/// <summary>The last good configuration of one routing file.</summary>
internal sealed record GoodFile(string FileName, DynamicConfig Config);

/// <summary>
/// Merges the last good version of every file into one snapshot, as Traefik's file provider does with a
/// directory (pkg/provider/merge.go, ResourceStrategySkipDuplicates): one namespace for all files, names
/// suffixed @file, files in name order, the first definition of a name kept and later ones skipped with a
/// warning. A router or service that is invalid on its own is disabled alone; the rest of its file serves.
/// </summary>
internal static class SnapshotBuilder
{
    public const string Provider = "file";

    /// <summary>The provider of the etcd source (ROUTING_STORE=etcd): Traefik's KV provider names its items `@etcd`.</summary>
    public const string EtcdProvider = "etcd";

    public static string Qualify(string name, string provider = Provider) => name.Contains('@') ? name : $"{name}@{provider}";

    /// <summary>The provider part of a qualified name (what the API shows as `provider`).</summary>
    public static string ProviderOf(string qualifiedName) => qualifiedName[(qualifiedName.LastIndexOf('@') + 1)..];

    public static RoutingSnapshot Build(long revision, IReadOnlyList<GoodFile> files, string provider = Provider)
    {
        var ordered = files.OrderBy(f => f.FileName, StringComparer.Ordinal).ToList();
        var routers = Collect(ordered, f => f.Config.Http?.Routers, "HTTP router", () => new RouterConfig(), RouterErrors, provider);
        var services = Collect(ordered, f => f.Config.Http?.Services, "HTTP service", () => new ServiceConfig(), ServiceErrors, provider);
        var compiled = new ServiceCompiler(services, provider);
        var serviceErrors = services.ToDictionary(s => s.Key, s => compiled.ErrorsOf(s.Key));

        var routerViews = new Dictionary<string, RouterView>(StringComparer.Ordinal);
        var routes = new List<CompiledRoute>();
        foreach (var (name, def) in routers)
        {
            var errors = new List<string>(def.Errors);
            var serviceName = Qualify(def.Value.Service, provider);
            var node = errors.Count == 0 ? compiled.Get(serviceName, errors) : null;
            var rule = errors.Count == 0 ? RuleParser.Parse(def.Value.Rule).Rule : null;
            if (node is not null && rule is not null && errors.Count == 0)
            {
                // Traefik: an explicit priority wins, otherwise the rule's length.
                var priority = def.Value.Priority is > 0 ? def.Value.Priority.Value : RuleParser.DefaultPriority(def.Value.Rule);
                routes.Add(new CompiledRoute(name, priority, RuleMatcher.Compile(rule), node, serviceName));
            }

            routerViews[name] = new RouterView(name, def.Value, errors, def.Warnings) { File = def.File };
        }

        var usedBy = routers
            .GroupBy(r => Qualify(r.Value.Value.Service, provider), r => r.Key)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Order(StringComparer.Ordinal).ToList());
        var serviceViews = services.ToDictionary(
            s => s.Key,
            s => new ServiceView(s.Key, s.Value.Value, serviceErrors[s.Key], usedBy.GetValueOrDefault(s.Key) ?? [], s.Value.Warnings) { File = s.Value.File },
            StringComparer.Ordinal);

        var byPriority = routes.OrderByDescending(r => r.Priority).ThenBy(r => r.Name, StringComparer.Ordinal).ToArray();
        return new RoutingSnapshot(revision, ordered.Select(f => f.FileName).ToList(), byPriority, routerViews, serviceViews);
    }

    private sealed record Definition<T>(T Value, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings, string File);

    /// <summary>The first definition of every name, with its own errors and the duplicates that were skipped.</summary>
    private static SortedDictionary<string, Definition<T>> Collect<T>(
        IReadOnlyList<GoodFile> files,
        Func<GoodFile, Dictionary<string, T>?> select,
        string kind,
        Func<T> empty,
        Func<string, T?, IReadOnlyList<string>> validate,
        string provider)
        where T : class
    {
        var first = new Dictionary<string, (string File, T? Value)>(StringComparer.Ordinal);
        var skipped = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var (name, value) in select(file) ?? [])
            {
                var key = Qualify(name, provider);
                if (first.TryAdd(key, (file.FileName, value)))
                {
                    continue;
                }

                if (!skipped.TryGetValue(key, out var list))
                {
                    skipped[key] = list = [];
                }

                list.Add(file.FileName);
            }
        }

        var result = new SortedDictionary<string, Definition<T>>(StringComparer.Ordinal);
        foreach (var (name, (file, value)) in first)
        {
            IReadOnlyList<string> warnings = skipped.TryGetValue(name, out var others)
                ? others.Select(other => $"{kind} {name} already configured in {file}, skipping the definition in {other}").ToList()
                : [];
            var shortName = name.EndsWith("@" + provider, StringComparison.Ordinal) ? name[..^(provider.Length + 1)] : name;
            result[name] = new Definition<T>(value ?? empty(), validate(shortName, value), warnings, file);
        }

        return result;
    }

    // One item checked alone by the validator the CLI uses too, so that a bad router or service
    // disables only itself (Traefik), with the same message `config check` gives.
    private static IReadOnlyList<string> RouterErrors(string name, RouterConfig? router) =>
        DynamicConfigValidator.Validate(new DynamicConfig { Http = new HttpConfig { Routers = new() { [name] = router! } } }, RuleParser.EmbeddedMatchers);

    private static IReadOnlyList<string> ServiceErrors(string name, ServiceConfig? service) =>
        DynamicConfigValidator.Validate(new DynamicConfig { Http = new HttpConfig { Services = new() { [name] = service! } } });

    /// <summary>Compiles services on demand, detecting missing children and cycles.</summary>
    private sealed class ServiceCompiler(SortedDictionary<string, Definition<ServiceConfig>> services, string provider)
    {
        private readonly Dictionary<string, (ServiceNode? Node, IReadOnlyList<string> Errors)> _done = new(StringComparer.Ordinal);
        private readonly HashSet<string> _visiting = new(StringComparer.Ordinal);

        public IReadOnlyList<string> ErrorsOf(string name) => Compile(name).Errors;

        public ServiceNode? Get(string name, List<string> errors)
        {
            if (!services.ContainsKey(name))
            {
                errors.Add($"the service \"{name}\" does not exist");
                return null;
            }

            var (node, serviceErrors) = Compile(name);
            if (node is null)
            {
                errors.Add($"the service \"{name}\" has errors: {string.Join("; ", serviceErrors)}");
            }

            return node;
        }

        private (ServiceNode? Node, IReadOnlyList<string> Errors) Compile(string name)
        {
            if (_done.TryGetValue(name, out var done))
            {
                return done;
            }

            if (!_visiting.Add(name))
            {
                return (null, [$"{name} is part of a cycle of weighted services"]);
            }

            var result = CompileUncached(name);
            _visiting.Remove(name);
            _done[name] = result;
            return result;
        }

        private (ServiceNode? Node, IReadOnlyList<string> Errors) CompileUncached(string name)
        {
            var def = services[name];
            if (def.Errors.Count > 0)
            {
                return (null, def.Errors);
            }

            if (def.Value.LoadBalancer is { } lb)
            {
                var pass = lb.PassHostHeader ?? true;
                return (new LoadBalancerNode(lb.Servers.Select(s => new Upstream(s.Url.TrimEnd('/'), pass, name)).ToList()), []);
            }

            var errors = new List<string>();
            var children = new List<(string, ServiceNode, int)>();
            foreach (var child in def.Value.Weighted!.Services)
            {
                var childNode = Get(Qualify(child.Name, provider), errors);
                if (childNode is not null)
                {
                    // Traefik keys the sticky cookie on the child's name as the configuration writes it.
                    children.Add((child.Name, childNode, child.Weight));
                }
            }

            return errors.Count > 0 ? (null, errors) : (new WeightedNode(children, def.Value.Weighted.Sticky?.Cookie, name), []);
        }
    }
}
