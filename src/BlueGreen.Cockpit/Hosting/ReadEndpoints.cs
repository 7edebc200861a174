using BlueGreen.Cockpit.Api;
using BlueGreen.Cockpit.Data;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Cockpit.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace BlueGreen.Cockpit.Hosting;

/// <summary>The read-only pages, the same in both modes. GET only.</summary>
internal static class ReadEndpoints
{
    public static void Map(IEndpointRouteBuilder app, CockpitRuntime rt)
    {
        app.MapGet("/", async (HttpContext http, CancellationToken ct) =>
        {
            var ctx = rt.PageFor(http);
            return HtmlResult(BoardPage.Render(ctx, await rt.Reader.BoardAsync(ct, withPlans: ctx.CanAct)));
        });

        // Plans are worked out only for an admin, whose Apply/Rollback buttons they enable or disable.
        app.MapGet("/sites/{site}", async (string site, HttpContext http, CancellationToken ct) =>
        {
            var ctx = rt.PageFor(http);
            return rt.Reader.Exists(site)
                ? HtmlResult(SitePage.Render(ctx, await rt.Reader.SiteAsync(site, ct, withPlans: ctx.CanAct)))
                : NotFound(ctx, $"no site named '{site}'");
        });

        app.MapGet("/journal", (HttpContext http, string? site, string? action, string? outcome, int? page, int? size) =>
            HtmlResult(JournalPage.Render(rt.PageFor(http), rt.Reader.Journal(JournalQuery.From(site, action, outcome, page, size)))));

        app.MapGet("/static/{file}", (string file) => StaticFiles.Serve(file));
    }

    /// <summary>
    /// With ROUTING_STORE=etcd and no member answering, a read cannot show anything true: the page (or the API's JSON)
    /// says so in one line, 503, and refreshes until the cluster answers again, instead of failing the request.
    /// </summary>
    public static async Task StoreUnavailable(HttpContext http, CockpitRuntime rt, Func<Task> next)
    {
        try
        {
            await next();
        }
        catch (EtcdUnavailableException e) when (!http.Response.HasStarted)
        {
            var message = $"{e.Message}; is the etcd cluster up? (ETCD_ENDPOINTS in conf/global.conf)";
            var result = http.Request.Path.StartsWithSegments("/api")
                ? Results.Json(new ErrorJson(message), Core.Json.Info<ErrorJson>(Core.Json.Options), statusCode: StatusCodes.Status503ServiceUnavailable)
                : HtmlResult(Layout.Page(rt.PageFor(http), "etcd unreachable", "",
                    new Html().Raw("<div class=\"summary\"><h1>etcd unreachable</h1></div>").El("p", "alert", message).ToString()), StatusCodes.Status503ServiceUnavailable);
            await result.ExecuteAsync(http);
        }
    }

    public static IResult HtmlResult(string html, int status = 200) => Results.Content(html, "text/html; charset=utf-8", null, status);

    public static IResult NotFound(PageContext ctx, string message)
    {
        var h = new Html().Raw("<div class=\"summary\"><h1>Not found</h1></div>").El("p", "alert", message).Raw("<p>").Link("/", "← board").Raw("</p>");
        return HtmlResult(Layout.Page(ctx, "Not found", "", h.ToString(), refresh: false), StatusCodes.Status404NotFound);
    }
}
