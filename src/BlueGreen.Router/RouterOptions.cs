namespace BlueGreen.Router;

/// <summary>How the embedded router runs. Listen and ApiListen are "HOST:PORT" (port 0 picks a free one).</summary>
/// <param name="ApiListen">Where the Traefik-shaped API answers; null = no API.</param>
public sealed record RouterOptions(string RoutesDir, string Listen, string? ApiListen, bool AccessLog)
{
    /// <summary>
    /// ROUTING_STORE=etcd: the etcd client URLs the routing is read from (under <see cref="EtcdPrefix"/>) instead of
    /// <see cref="RoutesDir"/>. Null: the routes folder.
    /// </summary>
    public IReadOnlyList<string>? EtcdEndpoints { get; init; }

    /// <summary>Traefik's rootKey (ETCD_PREFIX).</summary>
    public string EtcdPrefix { get; init; } = "traefik";
}
