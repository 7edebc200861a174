using System.Text.Json.Nodes;
using BlueGreen.Router.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BlueGreen.Router.Api;

/// <summary>
/// The read-only subset of Traefik's API that switch verification and operators use. Every answer comes
/// from the snapshot that serves traffic at that moment.
/// </summary>
internal static class TraefikApi
{
    public static void Map(WebApplication app, SnapshotHolder holder, bool accessLog)
    {
        app.MapGet("/ping", () => Results.Text("OK"));
        app.MapGet("/api/overview", () => Json(ApiJson.Overview(holder.Current, accessLog)));
        app.MapGet("/api/http/routers", () => List(holder.Current.Routers.Values.OrderBy(r => r.Name, StringComparer.Ordinal).Select(ApiJson.Router)));
        app.MapGet("/api/http/services", () => List(holder.Current.Services.Values.OrderBy(s => s.Name, StringComparer.Ordinal).Select(ApiJson.Service)));
        app.MapGet("/api/http/routers/{name}", (string name) =>
            holder.Current.Routers.TryGetValue(name, out var r) ? Json(ApiJson.Router(r)) : NotFound($"router not found: {name}"));
        app.MapGet("/api/http/services/{name}", (string name) =>
            holder.Current.Services.TryGetValue(name, out var s) ? Json(ApiJson.Service(s)) : NotFound($"service not found: {name}"));
        app.MapFallback(() => NotFound("404 page not found"));
    }

    private static IResult List(IEnumerable<JsonObject> items)
    {
        var array = new JsonArray(items.Cast<JsonNode>().ToArray());
        return Json(array);
    }

    private static IResult Json(JsonNode node, int status = StatusCodes.Status200OK) =>
        Results.Text(node.ToJsonString(), "application/json", System.Text.Encoding.UTF8, status);

    private static IResult NotFound(string message) => Json(ApiJson.Message(message), StatusCodes.Status404NotFound);
}
