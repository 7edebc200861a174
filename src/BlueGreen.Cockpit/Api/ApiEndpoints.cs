using BlueGreen.Cockpit.Data;
using BlueGreen.Cockpit.Hosting;
using BlueGreen.Core;
using Core = BlueGreen.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace BlueGreen.Cockpit.Api;

/// <summary>The same data as the pages, as JSON with the product's conventions (snake_case). GET only.</summary>
internal static class ApiEndpoints
{
    public static void Map(IEndpointRouteBuilder app, CockpitRuntime rt)
    {
        var mode = rt.Options.Mode.ToString().ToLowerInvariant();
        app.MapGet("/api/sites", async (CancellationToken ct) =>
        {
            var board = await rt.Reader.BoardAsync(ct);
            return Json(new { mode, read_only = mode == "safe", generated_at = board.GeneratedAt, sites = board.Sites.Select(Row) });
        });

        app.MapGet("/api/sites/{site}", async (string site, CancellationToken ct) =>
        {
            if (!rt.Reader.Exists(site))
            {
                return Results.Json(new { error = $"no site named '{site}'" }, Core.Json.Options, statusCode: 404);
            }

            var d = await rt.Reader.SiteAsync(site, ct);
            return Json(new
            {
                mode,
                generated_at = d.GeneratedAt,
                site = Row(d.Row),
                state = d.State,
                validation_report = d.Report,
                validation_report_error = d.ReportError,
                routing_file = new { path = d.RoutingPath, text = d.RoutingText },
                routing_history = d.RoutingHistory,
                journal = d.Journal,
            });
        });

        app.MapGet("/api/journal", (string? site, string? action, string? outcome, int? page, int? size) =>
        {
            var d = rt.Reader.Journal(JournalQuery.From(site, action, outcome, page, size));
            return Json(new
            {
                mode,
                generated_at = d.GeneratedAt,
                verify = d.Verdict,
                filter = new { d.Query.Site, d.Query.Action, d.Query.Outcome },
                page = d.Query.Page,
                size = d.Query.Size,
                pages = d.Pages,
                total = d.Total,
                entries = d.Entries,
            });
        });
    }

    /// <summary>A site's status with the live slot's last health reading merged in.</summary>
    private static object Row(SiteRow row) => new { status = row.Status, live_health = row.Health, needs_attention = row.NeedsAttention };

    private static IResult Json(object value) => Results.Json(value, Core.Json.Options);
}
