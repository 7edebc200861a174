using System.Collections.Concurrent;
using BlueGreen.Router.Configuration;
using Prometheus;

namespace BlueGreen.Router.Metrics;

/// <summary>
/// The router's Prometheus metrics under Traefik's names, labels and default buckets
/// (pkg/observability/metrics/prometheus.go, with addEntryPointsLabels, addRoutersLabels and addServicesLabels on),
/// so a Traefik dashboard reads them unchanged. The proxy path looks up a cached label child per
/// (router|service, code, method, protocol) without allocating; children are created once.
/// </summary>
internal sealed class TraefikMetrics
{
    /// <summary>Traefik's default histogram buckets, in seconds.</summary>
    public static readonly double[] Buckets = [0.1, 0.3, 1.2, 5.0];

    /// <summary>The Prometheus text format (version 0.0.4), as the /metrics answer's Content-Type.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly string _entryPoint;
    private readonly TimeProvider _time;

    private readonly Counter _configReloads;
    private readonly Gauge _lastReloadSuccess;
    private readonly Counter _entryPointRequests;
    private readonly Histogram _entryPointDurations;
    private readonly Counter _routerRequests;
    private readonly Histogram _routerDurations;
    private readonly Counter _serviceRequests;
    private readonly Histogram _serviceDurations;

    private readonly ConcurrentDictionary<int, Series> _entryPointSeries = new();
    private readonly ConcurrentDictionary<(string Router, string Service, int Key), Series> _routerSeries = new();
    private readonly ConcurrentDictionary<(string Service, int Key), Series> _serviceSeries = new();

    // Exports are serialised so the removal of stale series after one never races another.
    private readonly SemaphoreSlim _exporting = new(1, 1);

    public TraefikMetrics(string entryPoint, TimeProvider time)
    {
        _entryPoint = entryPoint;
        _time = time;
        var factory = Prometheus.Metrics.WithCustomRegistry(_registry);
        _configReloads = factory.CreateCounter("traefik_config_reloads_total", "Config reloads");
        _lastReloadSuccess = factory.CreateGauge("traefik_config_last_reload_success", "Last config reload success");
        _entryPointRequests = factory.CreateCounter(
            "traefik_entrypoint_requests_total",
            "How many HTTP requests processed on an entrypoint, partitioned by status code, protocol, and method.",
            ["code", "method", "protocol", "entrypoint"]);
        _entryPointDurations = factory.CreateHistogram(
            "traefik_entrypoint_request_duration_seconds",
            "How long it took to process the request on an entrypoint, partitioned by status code, protocol, and method.",
            new HistogramConfiguration { LabelNames = ["code", "method", "protocol", "entrypoint"], Buckets = Buckets });
        _routerRequests = factory.CreateCounter(
            "traefik_router_requests_total",
            "How many HTTP requests are processed on a router, partitioned by service, status code, protocol, and method.",
            ["code", "method", "protocol", "router", "service"]);
        _routerDurations = factory.CreateHistogram(
            "traefik_router_request_duration_seconds",
            "How long it took to process the request on a router, partitioned by service, status code, protocol, and method.",
            new HistogramConfiguration { LabelNames = ["code", "method", "protocol", "router", "service"], Buckets = Buckets });
        _serviceRequests = factory.CreateCounter(
            "traefik_service_requests_total",
            "How many HTTP requests processed on a service, partitioned by status code, protocol, and method.",
            ["code", "method", "protocol", "service"]);
        _serviceDurations = factory.CreateHistogram(
            "traefik_service_request_duration_seconds",
            "How long it took to process the request on a service, partitioned by status code, protocol, and method.",
            new HistogramConfiguration { LabelNames = ["code", "method", "protocol", "service"], Buckets = Buckets });

        // Traefik declares it too, but sets it only from a health check (active or passive); the router has
        // none, so, like Traefik on the same files, it exports no sample of it.
        factory.CreateGauge("traefik_service_server_up", "service server is up, described by gauge value of 0 or 1.", ["service", "url"]);
    }

    /// <summary>
    /// A configuration was applied (Traefik's watcher listener: every new configuration, the first one included).
    /// </summary>
    public void ConfigReloaded()
    {
        _configReloads.Inc();
        _lastReloadSuccess.Set(_time.GetUtcNow().ToUnixTimeSeconds());
    }

    /// <summary>
    /// One request has ended: counted on the entry point, and on its router and service when it had them
    /// (a 404 reached no router; a 503 with no available server reached a router but no server of a service).
    /// </summary>
    /// <param name="serviceName">The load-balancer service whose server answered (Traefik counts the service per server handler).</param>
    public void Observe(int code, int methodIndex, int protocolIndex, string? routerName, string? routerService, string? serviceName, TimeSpan elapsed)
    {
        var key = Key(code, methodIndex, protocolIndex);
        var seconds = elapsed.TotalSeconds;
        _entryPointSeries.GetOrAdd(key, static (k, m) => m.NewSeries(k, m._entryPointRequests, m._entryPointDurations, m._entryPoint), this).Observe(seconds);
        if (routerName is not null && routerService is not null)
        {
            _routerSeries.GetOrAdd((routerName, routerService, key), static (k, m) => m.NewSeries(k.Key, m._routerRequests, m._routerDurations, k.Router, k.Service), this).Observe(seconds);
        }

        if (serviceName is not null)
        {
            _serviceSeries.GetOrAdd((serviceName, key), static (k, m) => m.NewSeries(k.Key, m._serviceRequests, m._serviceDurations, k.Service), this).Observe(seconds);
        }
    }

    /// <summary>
    /// Writes every metric in the text format, then forgets the series of routers and services that the
    /// current configuration no longer has: like Traefik, a removed one is exported on one more scrape.
    /// </summary>
    public async Task ExportAsync(Stream destination, RoutingSnapshot current, CancellationToken ct)
    {
        await _exporting.WaitAsync(ct);
        try
        {
            await _registry.CollectAndExportAsTextAsync(destination, ct);
            RemoveStale(current);
        }
        finally
        {
            _exporting.Release();
        }
    }

    private void RemoveStale(RoutingSnapshot current)
    {
        foreach (var (key, series) in _routerSeries)
        {
            if (!current.Routers.ContainsKey(key.Router) && _routerSeries.TryRemove(key, out _))
            {
                series.Remove();
            }
        }

        foreach (var (key, series) in _serviceSeries)
        {
            if (!current.Services.ContainsKey(key.Service) && _serviceSeries.TryRemove(key, out _))
            {
                series.Remove();
            }
        }
    }

    /// <summary>One int for (code, method, protocol): the caches' key, compared without allocation.</summary>
    private static int Key(int code, int methodIndex, int protocolIndex) => (code << 8) | (methodIndex << 3) | protocolIndex;

    private Series NewSeries(int key, Counter requests, Histogram durations, params string[] names)
    {
        string[] labels = [(key >> 8).ToString(System.Globalization.CultureInfo.InvariantCulture), RequestLabels.Methods[(key >> 3) & 0x1F], RequestLabels.Protocols[key & 0x7], .. names];
        return new Series(requests.WithLabels(labels), durations.WithLabels(labels));
    }

    /// <summary>The counter and histogram children of one label set.</summary>
    private sealed record Series(Counter.Child Requests, Histogram.Child Durations)
    {
        public void Observe(double seconds)
        {
            Durations.Observe(seconds);
            Requests.Inc();
        }

        public void Remove()
        {
            Requests.Remove();
            Durations.Remove();
        }
    }
}
