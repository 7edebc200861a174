using BlueGreen.Cockpit.Admin;
using BlueGreen.Cockpit.Data;
using BlueGreen.Cockpit.Pages;
using BlueGreen.Core.Configuration;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace BlueGreen.Cockpit.Hosting;

/// <summary>What the endpoints share. Admin parts (Token, RunSh) are null in safe mode: nothing there can act.</summary>
internal sealed class CockpitRuntime(CockpitOptions options, CockpitReader reader, CockpitSources sources, TextWriter log)
{
    public CockpitOptions Options => options;

    public CockpitReader Reader => reader;

    public CockpitSources Sources => sources;

    public TextWriter Log => log;

    public bool IsAdmin => options.Mode == CockpitMode.Admin;

    public AdminToken? Token { get; init; }

    public RunSh? RunSh { get; init; }

    public Sessions Sessions { get; } = new(options.Clock);

    public LoginThrottle Throttle { get; } = new();

    /// <summary>The page context of a request: in admin mode with a session, forms get an antiforgery token.</summary>
    public PageContext PageFor(HttpContext http, bool withForms = false)
    {
        var session = IsAdmin ? Sessions.Find(http) : null;
        FormToken? token = null;
        if (IsAdmin && (session is not null || withForms))
        {
            var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
            token = tokens is { FormFieldName: { } name, RequestToken: { } value } ? new FormToken(name, value) : null;
        }

        // The login page has a form but no session: it must not draw action controls.
        return new PageContext(options.Mode, sources.Home.Root, session is null ? null : token, session?.Short) { LoginToken = token };
    }
}
