using System.Text;
using System.Text.Json.Nodes;
using BlueGreen.Router.Configuration;
using BlueGreen.Router.Metrics;
using BlueGreen.Router.Proxy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace BlueGreen.Router.Api;

/// <summary>
/// The read-only subset of Traefik's API that switch verification and operators use. Every answer comes
/// from the snapshot that serves traffic at that moment. Requests are routed on the path as sent (Traefik's
/// gorilla/mux with UseEncodedPath), so a name holding an escaped '/' is one path segment, and the name is
/// decoded once, with url.PathUnescape, as Traefik's pkg/api/handler_http.go does.
/// </summary>
internal static class TraefikApi
{
    public static void Map(WebApplication app, SnapshotHolder holder, ServerLoads loads, TraefikMetrics metrics, bool accessLog) =>
        app.Run(context => ServeAsync(context, holder, loads, metrics, accessLog));

    /// <summary>What an escaped request path asks for (gorilla/mux templates; <c>{name}</c> is one non-empty segment).</summary>
    public static (ApiEndpoint Endpoint, string EscapedName) Resolve(string escapedPath)
    {
        switch (escapedPath)
        {
            case "/ping": return (ApiEndpoint.Ping, "");
            case "/metrics": return (ApiEndpoint.Metrics, "");
            case "/api/overview": return (ApiEndpoint.Overview, "");
            case "/api/http/routers": return (ApiEndpoint.Routers, "");
            case "/api/http/services": return (ApiEndpoint.Services, "");
        }

        foreach (var (prefix, endpoint) in new[] { ("/api/http/routers/", ApiEndpoint.Router), ("/api/http/services/", ApiEndpoint.Service) })
        {
            if (escapedPath.StartsWith(prefix, StringComparison.Ordinal) && escapedPath[prefix.Length..] is { Length: > 0 } name && !name.Contains('/'))
            {
                return (endpoint, name);
            }
        }

        return (ApiEndpoint.NotFound, "");
    }

    private static Task ServeAsync(HttpContext context, SnapshotHolder holder, ServerLoads loads, TraefikMetrics metrics, bool accessLog)
    {
        var (path, rawQuery) = SplitTarget(context);
        var (endpoint, escapedName) = Resolve(path);
        if (endpoint == ApiEndpoint.Ping)
        {
            return Results.Text("OK").ExecuteAsync(context);
        }

        if (endpoint == ApiEndpoint.Metrics)
        {
            // Traefik's promhttp handler answers any method.
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = TraefikMetrics.ContentType;
            return metrics.ExportAsync(context.Response.Body, holder.Current, context.RequestAborted);
        }

        if (endpoint == ApiEndpoint.NotFound)
        {
            return PlainErrorAsync(context, "404 page not found", StatusCodes.Status404NotFound);
        }

        // gorilla/mux answers a known path with another method 405, without a body.
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return Task.CompletedTask;
        }

        var snapshot = holder.Current;
        var query = GoUrl.ParseQuery(rawQuery);
        return endpoint switch
        {
            ApiEndpoint.Overview => JsonAsync(context, ApiJson.Overview(snapshot, accessLog)),
            ApiEndpoint.Routers => PageAsync(context, ApiListing.Routers(snapshot.Routers.Values, query), query, ApiJson.Router),
            ApiEndpoint.Services => PageAsync(context, ApiListing.Services(snapshot.Services.Values, query), query, s => ApiJson.Service(s, loads)),
            ApiEndpoint.Router => OneAsync(context, "router", escapedName, snapshot.Routers, ApiJson.Router),
            _ => OneAsync(context, "service", escapedName, snapshot.Services, s => ApiJson.Service(s, loads)),
        };
    }

    private static Task PageAsync<T>(HttpContext context, List<T> items, IReadOnlyDictionary<string, string> query, Func<T, JsonObject> render)
    {
        if (!ApiListing.TryPage(query, items.Count, out var page, out var error))
        {
            return JsonErrorAsync(context, error, StatusCodes.Status400BadRequest);
        }

        context.Response.Headers[ApiListing.NextPageHeader] = page.NextPage.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var array = new JsonArray(items.Take(new Range(page.Start, page.End)).Select(i => (JsonNode)render(i)).ToArray());
        return JsonAsync(context, array);
    }

    private static Task OneAsync<T>(HttpContext context, string kind, string escapedName, IReadOnlyDictionary<string, T> all, Func<T, JsonObject> render)
    {
        if (!GoUrl.TryPathUnescape(escapedName, out var name, out var error))
        {
            return JsonErrorAsync(context, $"unable to decode {kind}ID {GoUrl.Quote(escapedName)}: {error}", StatusCodes.Status400BadRequest);
        }

        return all.TryGetValue(name, out var item)
            ? JsonAsync(context, render(item))
            : JsonErrorAsync(context, $"{kind} not found: {name}", StatusCodes.Status404NotFound);
    }

    /// <summary>json.NewEncoder(rw).Encode: the document and a newline.</summary>
    private static Task JsonAsync(HttpContext context, JsonNode node)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(node.ToJsonString() + "\n", Encoding.UTF8);
    }

    /// <summary>Traefik's writeError: {"message": ...} sent through http.Error, so as text/plain.</summary>
    private static Task JsonErrorAsync(HttpContext context, string message, int status) =>
        PlainErrorAsync(context, ApiJson.Message(message).ToJsonString(), status);

    /// <summary>Go's http.Error: text/plain, nosniff, the text and a newline.</summary>
    private static Task PlainErrorAsync(HttpContext context, string text, int status)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        return context.Response.WriteAsync(text + "\n", Encoding.UTF8);
    }

    /// <summary>The request target's path and query as the client sent them (origin or absolute form).</summary>
    private static (string Path, string RawQuery) SplitTarget(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw
            ? raw
            : context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent();
        if (!target.StartsWith('/') && target.IndexOf("://", StringComparison.Ordinal) is >= 0 and var scheme)
        {
            var slash = target.IndexOfAny(['/', '?'], scheme + 3);
            target = slash < 0 ? "/" : target[slash] == '?' ? "/" + target[slash..] : target[slash..];
        }

        var q = target.IndexOf('?');
        return q < 0 ? (target, "") : (target[..q], target[(q + 1)..]);
    }
}

internal enum ApiEndpoint
{
    NotFound,
    Ping,
    Metrics,
    Overview,
    Routers,
    Router,
    Services,
    Service,
}
