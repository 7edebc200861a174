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
            return Json(new SitesJson(mode, mode == "safe", board.GeneratedAt, board.Sites.Select(Row).ToList()));
        });

        app.MapGet("/api/sites/{site}", async (string site, CancellationToken ct) =>
        {
            if (!rt.Reader.Exists(site))
            {
                return Results.Json(new ErrorJson($"no site named '{site}'"), Core.Json.Info<ErrorJson>(Core.Json.Options), statusCode: 404);
            }

            var d = await rt.Reader.SiteAsync(site, ct);
            return Json(new SiteJson(mode, d.GeneratedAt, Row(d.Row), d.State, d.Report, d.ReportError, new RoutingFileJson(d.RoutingPath, d.RoutingText), d.RoutingHistory, d.Journal));
        });

        app.MapGet("/api/journal", (string? site, string? action, string? outcome, int? page, int? size) =>
        {
            var d = rt.Reader.Journal(JournalQuery.From(site, action, outcome, page, size));
            return Json(new JournalJson(mode, d.GeneratedAt, d.Verdict, new FilterJson(d.Query.Site, d.Query.Action, d.Query.Outcome), d.Query.Page, d.Query.Size, d.Pages, d.Total, d.Entries));
        });
    }

    /// <summary>A site's status with the live slot's last health reading merged in.</summary>
    private static RowJson Row(SiteRow row) => new(row.Status, row.Health, row.Router, row.NeedsAttention, row.Attention);

    private static IResult Json<T>(T value) => Results.Json(value, Core.Json.Info<T>(Core.Json.Options));
}
