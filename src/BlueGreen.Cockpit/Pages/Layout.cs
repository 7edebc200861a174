using BlueGreen.Core.Configuration;

namespace BlueGreen.Cockpit.Pages;

/// <summary>The frame of every page: title, mode banner (always visible), navigation.</summary>
internal static class Layout
{
    /// <param name="refresh">false on pages holding a form the operator is filling (confirmation, login).</param>
    public static string Page(PageContext ctx, string title, string active, string body, bool refresh = true) =>
        Head(ctx, title, active, refresh) + body + Tail(refresh);

    /// <summary>Everything before a page's body, so a page can be streamed: head, body as it comes, tail.</summary>
    public static string Head(PageContext ctx, string title, string active, bool refresh)
    {
        var h = new Html();
        h.Raw("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Raw("<title>").Text(title).Raw(" · BlueGreen cockpit</title>")
            .Raw("<link rel=\"stylesheet\" href=\"/static/cockpit.css\"><script src=\"/static/cockpit.js\" defer></script></head>")
            .Raw(refresh ? "<body data-refresh=\"5\">" : "<body>");
        Banner(h, ctx);
        h.Raw("<header class=\"top\"><a class=\"brand\" href=\"/\">BlueGreen <span>cockpit</span></a><nav>");
        Nav(h, "/", "Board", active == "board");
        Nav(h, "/journal", "Journal", active == "journal");
        h.Raw("</nav><div class=\"home\" title=\"BLUEGREEN_HOME\">").Text(ctx.Home).Raw("</div>");
        if (ctx.CanAct)
        {
            h.Raw("<form method=\"post\" action=\"/logout\" class=\"logout\">").Raw(ctx.HiddenToken)
                .Raw("<span class=\"who\">session ").Text(ctx.SessionShort).Raw("</span><button type=\"submit\" class=\"btn small\">Log out</button></form>");
        }

        return h.Raw("</header><main id=\"main\">").ToString();
    }

    /// <summary>Everything after a page's body.</summary>
    public static string Tail(bool refresh) =>
        "</main><footer><span id=\"fresh\">" + (refresh ? "auto-refresh every 5 s" : "auto-refresh paused on this page") + "</span></footer></body></html>";

    private static void Banner(Html h, PageContext ctx)
    {
        if (ctx.Mode == CockpitMode.Safe)
        {
            h.Raw("<div class=\"mode safe\" role=\"status\"><strong>safe mode, read-only</strong> · this cockpit cannot change anything; switches are made with <code>./run.sh apply</code></div>");
        }
        else
        {
            h.Raw("<div class=\"mode admin\" role=\"status\"><strong>admin mode</strong> · actions here run <code>./run.sh</code> and switch production traffic · every action is journaled</div>");
        }
    }

    private static void Nav(Html h, string href, string text, bool active) => h.Link(href, text, active ? "active" : null);
}
