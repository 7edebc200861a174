using BlueGreen.Cockpit.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace BlueGreen.Cockpit.Metrics;

/// <summary>GET /metrics: the product's metrics in the Prometheus text format, read at scrape time.</summary>
internal static class MetricsEndpoint
{
    public static void Map(IEndpointRouteBuilder app, CockpitRuntime rt) =>
        app.MapGet("/metrics", async (HttpContext http, CancellationToken ct) =>
        {
            var sites = await CockpitMetrics.ReadFactsAsync(rt.Sources, rt.Reader.SiteNames(), ct);
            var journal = rt.Reader.Verify();
            http.Response.ContentType = CockpitMetrics.ContentType;
            await CockpitMetrics.ExportAsync(http.Response.Body, sites, journal, rt.Options.Clock.GetUtcNow(), ct);
        });
}
