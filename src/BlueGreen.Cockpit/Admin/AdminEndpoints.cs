using System.Net;
using System.Threading.Channels;
using BlueGreen.Cockpit.Hosting;
using BlueGreen.Cockpit.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace BlueGreen.Cockpit.Admin;

/// <summary>
/// Admin mode only: login/logout and the per-site actions, each one a run of run.sh. GET never acts:
/// every change is a POST from a cockpit page (Origin checked) carrying a token bound to its session.
/// </summary>
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

        // A machine client (the JSON API, a Prometheus scrape) gets a 401, not the login page.
        if (path.StartsWith("/api/", StringComparison.Ordinal) || path == "/metrics")
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
        // (The CancellationToken keeps these lambdas route handlers: with HttpContext alone they would be
        // taken for RequestDelegates and their results dropped.)
        app.MapPost("/login", (HttpContext http, CancellationToken _) => Guarded(http, rt, FormPurpose.Login, () => LoginAsync(http, rt)));
        app.MapPost("/logout", (HttpContext http, CancellationToken _) => Guarded(http, rt, FormPurpose.Session, () =>
        {
            if (rt.Sessions.Find(http) is { } session)
            {
                rt.Sessions.End(session);
            }

            http.Response.Cookies.Delete(Sessions.CookieName, Sessions.CookieOptions(http));
            return Task.FromResult(Results.Redirect("/login"));
        }));

        app.MapPost("/admin/sites/{site}/validate", (string site, HttpContext http, CancellationToken ct) =>
            Guarded(http, rt, FormPurpose.Session, () => RunAsync(http, rt, site, "validate", ["validate", site], ct)));

        // The plan: read from the files by the product's rules. No run.sh, no lock, no journal line.
        app.MapGet("/admin/sites/{site}/{action}", (string site, string action, HttpContext http) =>
            !Switches.Contains(action) || !rt.Reader.Exists(site)
                ? ReadEndpoints.NotFound(rt.PageFor(http), $"no action '{action}' for '{site}'")
                : ReadEndpoints.HtmlResult(AdminPages.Confirm(rt.PageFor(http), rt.Reader.Preview(site, action))));

        app.MapPost("/admin/sites/{site}/{action}", (string site, string action, HttpContext http, CancellationToken ct) =>
            Guarded(http, rt, FormPurpose.Session, async () =>
            {
                var form = await http.Request.ReadFormAsync(ct);
                if (!Switches.Contains(action) || form["confirm"] != "yes")
                {
                    return Results.BadRequest("a switch needs the confirmation form");
                }

                // The plan the operator confirmed: run.sh refuses (exit 3) when it is no longer the current one.
                if (Core.Switching.PlanId.Parse(form["plan"].ToString(), out var error) is not { } plan)
                {
                    return Results.BadRequest($"a switch needs the plan it confirms: {error}");
                }

                return await RunAsync(http, rt, site, action, [action, site, "--yes", "--expect", plan.ToString()], ct);
            }));
    }

    /// <summary>
    /// A POST goes on only when it comes from a page of this cockpit (Origin or Referer, else 403) and
    /// carries the form token of its session or login form (else 400).
    /// </summary>
    private static async Task<IResult> Guarded(HttpContext http, CockpitRuntime rt, FormPurpose purpose, Func<Task<IResult>> handle)
    {
        var request = http.Request;
        if (OriginCheck.Refusal(request.Scheme, request.Host.Value ?? "", request.Headers.Origin, request.Headers.Referer, rt.LoopbackOnly) is { } refusal)
        {
            return Results.Text($"refused: {refusal}; use the cockpit's own pages\n", "text/plain", null, StatusCodes.Status403Forbidden);
        }

        var boundTo = purpose == FormPurpose.Login ? request.Cookies[Sessions.LoginCookieName] : rt.Sessions.Find(http)?.Id;
        var presented = request.HasFormContentType ? (await request.ReadFormAsync(http.RequestAborted))[FormTokens.FieldName].ToString() : null;
        if (!rt.Forms.IsValid(purpose, boundTo, presented))
        {
            return Results.BadRequest("missing or invalid form token: reload the page and try again");
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

        var session = rt.Sessions.Find(http)!; // Guarded checked the session's token
        var page = rt.PageFor(http);
        var commandLine = rt.RunSh!.CommandLineOf(args);
        var head = AdminPages.ActionHead(page, site, action, commandLine);
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync(head, ct);
        await http.Response.Body.FlushAsync(ct);

        var lines = Channel.CreateUnbounded<string>();
        var run = rt.RunSh.RunAsync(args, session.Label, ct, line => lines.Writer.TryWrite(line));
        _ = run.ContinueWith(_ => lines.Writer.Complete(), TaskScheduler.Default);
        await foreach (var line in lines.Reader.ReadAllAsync(ct))
        {
            await http.Response.WriteAsync(Html.E(line) + "\n", ct);
            await http.Response.Body.FlushAsync(ct);
        }

        var result = await run;
        await http.Response.WriteAsync(AdminPages.ActionTail(site, action, result), ct);
        return Results.Empty;
    }

    /// <summary>
    /// One attempt: admitted by the throttle (or 429 unchecked), checked, and, when wrong, journaled
    /// before its answer is held back. Everything up to the journal line runs without awaiting, so
    /// a client that hangs up cannot skip the count or the line; only the wait is cut short.
    /// </summary>
    private static async Task<IResult> LoginAsync(HttpContext http, CockpitRuntime rt)
    {
        var from = SourceOf(http);
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        if (rt.Throttle.TryAdmit(from) is { } retryAfter)
        {
            var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return ReadEndpoints.HtmlResult(
                AdminPages.Login(rt.PageFor(http, withForms: true), $"Too many login attempts. The token was not checked; try again in {seconds} s."),
                StatusCodes.Status429TooManyRequests);
        }

        if (rt.Token!.Matches(form["token"].ToString()))
        {
            var session = rt.Sessions.Create(from);
            http.Response.Cookies.Append(Sessions.CookieName, session.Id, Sessions.CookieOptions(http));
            http.Response.Cookies.Delete(Sessions.LoginCookieName, Sessions.CookieOptions(http));
            rt.Logins.Succeeded(from, session);
            return Results.Redirect("/");
        }

        rt.Logins.Failed(from);
        try
        {
            await Task.Delay(rt.Throttle.FailureDelay(from), rt.Options.Clock, http.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return Results.Empty; // the client left; its attempt is counted and journaled all the same
        }

        return ReadEndpoints.HtmlResult(
            AdminPages.Login(rt.PageFor(http, withForms: true), "Wrong token. The attempt was journaled; attempts are limited to one every few seconds."),
            StatusCodes.Status401Unauthorized);
    }

    /// <summary>The client address the throttle counts against (IPv4 clients as IPv4, however they came in).</summary>
    private static string SourceOf(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : "unknown";
}
