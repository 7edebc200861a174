using BlueGreen.Cockpit.Data;
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

    public static IResult HtmlResult(string html, int status = 200) => Results.Content(html, "text/html; charset=utf-8", null, status);

    public static IResult NotFound(PageContext ctx, string message)
    {
        var h = new Html().Raw("<div class=\"summary\"><h1>Not found</h1></div>").El("p", "alert", message).Raw("<p>").Link("/", "← board").Raw("</p>");
        return HtmlResult(Layout.Page(ctx, "Not found", "", h.ToString(), refresh: false), StatusCodes.Status404NotFound);
    }
}
