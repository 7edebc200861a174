using Microsoft.AspNetCore.Http;

namespace BlueGreen.Router.Proxy;

/// <summary>Where one request goes: a server base URL and whether the client's Host header is kept.</summary>
internal sealed record Upstream(string Prefix, bool PassHostHeader, string Service);

/// <summary>A compiled service: picks the upstream of the next request, or null when none can take it (503).</summary>
internal abstract class ServiceNode
{
    /// <param name="context">The request (a sticky cookie is read from it and set on its answer).</param>
    public abstract Upstream? Pick(HttpContext context);
}

/// <summary>Round-robin over the servers of a loadBalancer service.</summary>
internal sealed class LoadBalancerNode(IReadOnlyList<Upstream> servers) : ServiceNode
{
    private readonly Upstream[] _servers = servers.ToArray();
    private int _next = -1;

    public override Upstream? Pick(HttpContext context)
    {
        if (_servers.Length == 0)
        {
            return null;
        }

        // uint keeps the index positive once the counter wraps around.
        var n = (uint)Interlocked.Increment(ref _next);
        return _servers[n % (uint)_servers.Length];
    }
}

/// <summary>
/// Traefik's weighted round robin over child services (pkg/server/service/loadbalancer/wrr): earliest deadline first,
/// each child's next deadline 1/weight after its last pick, the earliest popped from a binary heap that orders and
/// breaks ties as Go's container/heap does, so the same weights give Traefik's sequence (Traefik shuffles the children
/// once when it builds the service; here they keep the file's order, which is one of those shuffles). A child with
/// weight 0 is left out, as Traefik does: all 0 gives null (503). With a sticky cookie, a request whose cookie names
/// a child (Traefik's hashes, <see cref="StickyCookie"/>) goes to it; any other gets a pick and the cookie.
/// </summary>
internal sealed class WeightedNode : ServiceNode
{
    private sealed class Child(string name, ServiceNode node, int weight)
    {
        public string Name { get; } = name;

        public ServiceNode Node { get; } = node;

        public double Weight { get; } = weight;

        public double Deadline { get; set; }
    }

    private readonly List<Child> _heap = [];
    private readonly Lock _lock = new();
    private readonly StickyCookie? _sticky;
    private readonly Dictionary<string, (Child Child, bool Rewrite)> _byCookie = new(StringComparer.Ordinal);
    private double _currentDeadline;

    /// <param name="service">The weighted service's qualified name: Traefik names a sticky cookie without a name after it.</param>
    public WeightedNode(IReadOnlyList<(string Name, ServiceNode Node, int Weight)> children, Core.Routing.CookieConfig? cookie = null, string service = "")
    {
        _sticky = cookie is null ? null : new StickyCookie(cookie, service);
        foreach (var (name, node, weight) in children.Where(c => c.Weight > 0))
        {
            var child = new Child(name, node, weight) { Deadline = _currentDeadline + 1.0 / weight };
            Push(child);
            if (_sticky is not null)
            {
                // Traefik's sticky map (sha256) first; its compatibility map (the name, its FNV-64 hash, hashed twice) asks for a rewrite.
                _byCookie[StickyCookie.Sha256Value(name)] = (child, false);
                foreach (var old in new[] { name, StickyCookie.Fnv64(name), StickyCookie.Fnv64(StickyCookie.Fnv64(name)) })
                {
                    _byCookie.TryAdd(old, (child, true));
                }
            }
        }
    }

    public override Upstream? Pick(HttpContext context)
    {
        if (_sticky is not null && context.Request.Cookies[_sticky.Name] is { } value && _byCookie.TryGetValue(value, out var stuck))
        {
            // Every child here is up: the embedded router has no health checks that would mark one down.
            if (stuck.Rewrite)
            {
                _sticky.Write(context, stuck.Child.Name);
            }

            return stuck.Child.Node.Pick(context);
        }

        var next = Next();
        if (next is null)
        {
            return null;
        }

        _sticky?.Write(context, next.Name);
        return next.Node.Pick(context);
    }

    private Child? Next()
    {
        lock (_lock)
        {
            if (_heap.Count == 0)
            {
                return null;
            }

            var child = Pop();
            _currentDeadline = child.Deadline;
            child.Deadline += 1 / child.Weight;
            Push(child);
            return child;
        }
    }

    // Go's container/heap: Push appends and sifts up; Pop swaps the root with the last, sifts down, removes the last.
    private void Push(Child child)
    {
        _heap.Add(child);
        var j = _heap.Count - 1;
        while (true)
        {
            var i = (j - 1) / 2;
            if (i == j || !Less(j, i))
            {
                break;
            }

            Swap(i, j);
            j = i;
        }
    }

    private Child Pop()
    {
        var n = _heap.Count - 1;
        Swap(0, n);
        var i = 0;
        while (true)
        {
            var j1 = 2 * i + 1;
            if (j1 >= n)
            {
                break;
            }

            var j = j1;
            if (j1 + 1 < n && Less(j1 + 1, j1))
            {
                j = j1 + 1;
            }

            if (!Less(j, i))
            {
                break;
            }

            Swap(i, j);
            i = j;
        }

        var last = _heap[n];
        _heap.RemoveAt(n);
        return last;
    }

    private bool Less(int i, int j) => _heap[i].Deadline < _heap[j].Deadline;

    private void Swap(int i, int j) => (_heap[i], _heap[j]) = (_heap[j], _heap[i]);
}
