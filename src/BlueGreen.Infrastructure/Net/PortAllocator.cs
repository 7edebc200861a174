using System.Net;
using System.Net.Sockets;

namespace BlueGreen.Infrastructure.Net;

/// <summary>
/// Loopback ports for one run of throw-away servers (a demo's routers, slots and etcd members): each is picked by
/// binding port 0 and letting go, and never handed out twice in the run, so two of the run's own servers cannot be
/// given the same port. Another program may still take a port between the pick and its server's bind (rare; a
/// caller that can retries).
/// </summary>
public sealed class PortAllocator(Func<int> probe)
{
    private readonly HashSet<int> _given = [];

    public PortAllocator()
        : this(ProbeLoopback)
    {
    }

    /// <summary>A port free a moment ago and not given before by this allocator.</summary>
    public int Next()
    {
        lock (_given)
        {
            // The kernel hands released ports out again; a bounded number of tries keeps a broken probe from spinning.
            for (var tries = 0; tries < 1000; tries++)
            {
                var port = probe();
                if (_given.Add(port))
                {
                    return port;
                }
            }

            throw new InvalidOperationException("no loopback port that was not already given out (1000 tries)");
        }
    }

    public int[] Next(int count) => Enumerable.Range(0, count).Select(_ => Next()).ToArray();

    private static int ProbeLoopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
