using System.Threading.Channels;
using BlueGreen.Cockpit.Hosting;
using BlueGreen.Cockpit.Pages;
using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure.Journal;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace BlueGreen.Cockpit.Admin;

/// <summary>Admin mode only: login/logout and the per-site actions, each one a run of run.sh.</summary>
internal static class AdminEndpoints
{
    private static readonly HashSet<string> Switches = new(StringComparer.Ordinal) { "apply", "rollback" };

    /// <summary>Every request but the login page and static files needs a session.</summary>
    public static async Task RequireSession(HttpContext http, CockpitRuntime rt, Func<Task> next)
    {
        var path = http.Request.Path.Value ?? "/";
        if (path is "/login" || path.StartsWith("/static/", StringComparison.Ordinal) || rt.Sessions.Find(http) is not null)
        {
            await next();
            return;
        }

        if (path.StartsWith("/api/", StringComparison.Ordinal))
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await http.Response.WriteAsync("log in first (admin mode)");
            return;
        }

        http.Response.Redirect("/login");
    }

    public static void Map(IEndpointRouteBuilder app, CockpitRuntime rt)
    {
        app.MapGet("/login", (HttpContext http) => ReadEndpoints.HtmlResult(AdminPages.Login(rt.PageFor(http, withForms: true), null)));
        app.MapPost("/login", (HttpContext http, CancellationToken ct) => WithAntiforgery(http, () => LoginAsync(http, rt)));
        app.MapPost("/logout", (HttpContext http, CancellationToken ct) => WithAntiforgery(http, () =>
        {
            if (rt.Sessions.Find(http) is { } session)
            {
                rt.Sessions.End(session);
            }

            http.Response.Cookies.Delete(Sessions.CookieName, Sessions.CookieOptions(http));
            return Task.FromResult(Results.Redirect("/login"));
        }));

        app.MapPost("/admin/sites/{site}/validate", (string site, HttpContext http, CancellationToken ct) =>
            WithAntiforgery(http, () => RunAsync(http, rt, site, "validate", ["validate", site], ct)));

        app.MapGet("/admin/sites/{site}/{action}", async (string site, string action, HttpContext http, CancellationToken ct) =>
        {
            if (!Switches.Contains(action) || !rt.Reader.Exists(site))
            {
                return ReadEndpoints.NotFound(rt.PageFor(http), $"no action '{action}' for '{site}'");
            }

            var plan = await rt.RunSh!.RunAsync([action, site, "--dry-run"], Actor(http, rt), ct);
            return ReadEndpoints.HtmlResult(AdminPages.Confirm(rt.PageFor(http), site, action, plan));
        });

        app.MapPost("/admin/sites/{site}/{action}", (string site, string action, HttpContext http, CancellationToken ct) =>
            WithAntiforgery(http, async () =>
            {
                var form = await http.Request.ReadFormAsync(ct);
                if (!Switches.Contains(action) || form["confirm"] != "yes")
                {
                    return Results.BadRequest("a switch needs the confirmation form");
                }

                return await RunAsync(http, rt, site, action, [action, site, "--yes"], ct);
            }));
    }

    /// <summary>Every admin POST carries ASP.NET Core's antiforgery token, or is refused with 400.</summary>
    private static async Task<IResult> WithAntiforgery(HttpContext http, Func<Task<IResult>> handle)
    {
        var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Results.BadRequest("missing or invalid antiforgery token: reload the page and try again");
        }

        return await handle();
    }

    /// <summary>Runs run.sh and streams its output into the page as it comes, then the exit code and what it means.</summary>
    private static async Task<IResult> RunAsync(HttpContext http, CockpitRuntime rt, string site, string action, string[] args, CancellationToken ct)
    {
        if (!rt.Reader.Exists(site))
        {
            return ReadEndpoints.NotFound(rt.PageFor(http), $"no site named '{site}'");
        }

        var page = rt.PageFor(http);
        var commandLine = rt.RunSh!.CommandLineOf(args);
        var head = AdminPages.Action(page, site, action, commandLine, null).Split(AdminPages.OutputMarker)[0];
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync(head, ct);
        await http.Response.Body.FlushAsync(ct);

        var lines = Channel.CreateUnbounded<string>();
        var run = rt.RunSh.RunAsync(args, Actor(http, rt), ct, line => lines.Writer.TryWrite(line));
        _ = run.ContinueWith(_ => lines.Writer.Complete(), TaskScheduler.Default);
        await foreach (var line in lines.Reader.ReadAllAsync(ct))
        {
            await http.Response.WriteAsync(Html.E(line) + "\n", ct);
            await http.Response.Body.FlushAsync(ct);
        }

        var result = await run;
        await http.Response.WriteAsync(AdminPages.Action(page, site, action, commandLine, result).Split(AdminPages.OutputMarker)[1], ct);
        return Results.Empty;
    }

    private static string Actor(HttpContext http, CockpitRuntime rt) =>
        $"cockpit:{rt.Sessions.Find(http)?.Short ?? "anonymous"}@{Environment.MachineName}";

    private static async Task<IResult> LoginAsync(HttpContext http, CockpitRuntime rt)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var token = form["token"].ToString();
        var ok = await rt.Throttle.RunAsync(() => rt.Token!.Matches(token), matched => matched, http.RequestAborted);
        var from = http.Connection.RemoteIpAddress?.ToString() ?? "?";
        if (!ok)
        {
            Journal(rt, "refused", $"cockpit:anonymous@{from}", $"wrong admin token from {from}");
            return ReadEndpoints.HtmlResult(AdminPages.Login(rt.PageFor(http, withForms: true), "Wrong token. The attempt was journaled; each further failure waits longer."), StatusCodes.Status401Unauthorized);
        }

        var session = rt.Sessions.Create();
        http.Response.Cookies.Append(Sessions.CookieName, session.Id, Sessions.CookieOptions(http));
        Journal(rt, "succeeded", $"cockpit:{session.Short}@{Environment.MachineName}", $"admin session {session.Short} opened from {from}");
        return Results.Redirect("/");
    }

    /// <summary>A login note in the product's journal. It records, and switches nothing.</summary>
    private static void Journal(CockpitRuntime rt, string outcome, string actor, string message)
    {
        try
        {
            rt.Sources.Journal.Append(new JournalEntry { Action = "cockpit-login", Outcome = outcome, Actor = actor, Via = "cockpit", Message = message });
        }
        catch (JournalWriteException e)
        {
            rt.Log.WriteLine($"cockpit: {e.Message}");
        }
    }
}
