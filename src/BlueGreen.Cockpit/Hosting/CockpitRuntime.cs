using BlueGreen.Cockpit.Admin;
using BlueGreen.Cockpit.Data;
using BlueGreen.Cockpit.Pages;
using BlueGreen.Core.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Cockpit.Hosting;

/// <summary>What the endpoints share. Admin parts (Token, RunSh) are null in safe mode: nothing there can act.</summary>
internal sealed class CockpitRuntime(CockpitOptions options, CockpitReader reader, CockpitSources sources, ILoggerFactory loggers)
{
    public CockpitOptions Options => options;

    public CockpitReader Reader => reader;

    public CockpitSources Sources => sources;

    public bool IsAdmin => options.Mode == CockpitMode.Admin;

    public AdminToken? Token { get; init; }

    public RunSh? RunSh { get; init; }

    public Sessions Sessions { get; } = new(options.Clock);

    public FormTokens Forms { get; } = new();

    public LoginThrottle Throttle { get; } = new(options.Clock);

    public LoginJournal Logins { get; } = new(sources.AppendToJournal, loggers.CreateLogger<LoginJournal>());

    /// <summary>Admin mode on loopback: a POST's Host must be a loopback name (see <see cref="OriginCheck"/>).</summary>
    public bool LoopbackOnly { get; init; }

    /// <summary>The page context of a request: in admin mode, forms carry a token bound to the session (or to the login form).</summary>
    public PageContext PageFor(HttpContext http, bool withForms = false)
    {
        var session = IsAdmin ? Sessions.Find(http) : null;
        FormToken? token = null;
        if (session is not null)
        {
            token = new FormToken(FormTokens.FieldName, Forms.For(FormPurpose.Session, session.Id));
        }
        else if (IsAdmin && withForms)
        {
            token = new FormToken(FormTokens.FieldName, Forms.For(FormPurpose.Login, LoginCookie(http)));
        }

        // The login page has a form but no session: it must not draw action controls.
        return new PageContext(options.Mode, sources.Home.Root, session is null ? null : token, session?.Short) { LoginToken = token };
    }

    /// <summary>The login form's cookie: kept when the browser has one, else a new one.</summary>
    private static string LoginCookie(HttpContext http)
    {
        if (http.Request.Cookies[Sessions.LoginCookieName] is { Length: 64 } existing)
        {
            return existing;
        }

        var id = Sessions.NewId();
        http.Response.Cookies.Append(Sessions.LoginCookieName, id, Sessions.CookieOptions(http));
        return id;
    }
}
