namespace BlueGreen.Router.Proxy;

/// <summary>Where one request goes: a server base URL and whether the client's Host header is kept.</summary>
internal sealed record Upstream(string Prefix, bool PassHostHeader, string Service);

/// <summary>A compiled service: picks the upstream of the next request, or null when none can take it (503).</summary>
internal abstract class ServiceNode
{
    public abstract Upstream? Pick();
}

/// <summary>Round-robin over the servers of a loadBalancer service.</summary>
internal sealed class LoadBalancerNode(IReadOnlyList<Upstream> servers) : ServiceNode
{
    private readonly Upstream[] _servers = servers.ToArray();
    private int _next = -1;

    public override Upstream? Pick()
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

/// <summary>Weighted round-robin over child services; weight 0 gets nothing, all 0 gives null (503).</summary>
internal sealed class WeightedNode : ServiceNode
{
    private readonly ServiceNode[] _children;
    private readonly int[] _cumulative;
    private readonly int _total;
    private int _next = -1;

    public WeightedNode(IReadOnlyList<(ServiceNode Node, int Weight)> children)
    {
        _children = children.Where(c => c.Weight > 0).Select(c => c.Node).ToArray();
        _cumulative = new int[_children.Length];
        var sum = 0;
        var i = 0;
        foreach (var (_, weight) in children.Where(c => c.Weight > 0))
        {
            sum += weight;
            _cumulative[i++] = sum;
        }

        _total = sum;
    }

    public override Upstream? Pick()
    {
        if (_total == 0)
        {
            return null;
        }

        var n = (int)((uint)Interlocked.Increment(ref _next) % (uint)_total);
        for (var i = 0; i < _cumulative.Length; i++)
        {
            if (n < _cumulative[i])
            {
                return _children[i].Pick();
            }
        }

        return null;
    }
}
