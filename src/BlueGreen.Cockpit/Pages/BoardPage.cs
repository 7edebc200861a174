using BlueGreen.Cockpit.Data;

namespace BlueGreen.Cockpit.Pages;

/// <summary>All sites at a glance: one dense row each, the ones needing attention first.</summary>
internal static class BoardPage
{
    public static string Render(PageContext ctx, Board board)
    {
        var h = new Html();
        var attention = board.Sites.Count(s => s.NeedsAttention);
        h.Raw("<div class=\"summary\"><h1>Sites</h1>")
            .El("span", "count", $"{board.Sites.Count} site{(board.Sites.Count == 1 ? "" : "s")}")
            .El("span", attention > 0 ? "pill bad" : "pill ok", attention > 0 ? $"{attention} need attention" : "all clear")
            .El("span", "ago", "as of " + Format.Utc(board.GeneratedAt))
            .Raw("</div>");
        if (board.Sites.Count == 0)
        {
            h.Raw("<p class=\"empty\">No sites: add <code>conf/sites/SITE.conf</code>.</p>");
            return Layout.Page(ctx, "Board", "board", h.ToString());
        }

        h.Raw("<table class=\"grid board\"><thead><tr><th>Site</th><th class=\"blue\">Live (blue)</th><th>Router</th><th class=\"green\">Candidate (green)</th>")
            .Raw("<th>Validation</th><th>Last switch</th><th>Notes</th>")
            .Raw(ctx.CanAct ? "<th>Actions</th>" : "").Raw("</tr></thead><tbody>");
        foreach (var row in board.Sites.OrderByDescending(s => s.NeedsAttention).ThenBy(s => s.Site, StringComparer.Ordinal))
        {
            Row(h, ctx, row, board.GeneratedAt);
        }

        h.Raw("</tbody></table>");
        return Layout.Page(ctx, "Board", "board", h.ToString());
    }

    private static void Row(Html h, PageContext ctx, SiteRow row, DateTimeOffset now)
    {
        h.Raw(row.NeedsAttention ? "<tr class=\"attention\" data-site=\"" : "<tr data-site=\"").Text(row.Site).Raw("\"><td class=\"site\">")
            .Link("/sites/" + row.Site, row.Site).Raw("</td><td>");
        Fragments.Live(h, row);
        h.Raw("</td><td class=\"router\">");
        Fragments.Router(h, row);
        h.Raw("</td><td>");
        Fragments.Candidate(h, row.Status.Candidate);
        h.Raw("</td><td>");
        Fragments.Validation(h, row.Status, now);
        h.Raw("</td><td>");
        Fragments.LastSwitch(h, row.Status.LastSwitch, now);
        h.Raw("</td><td class=\"notes\">");
        Fragments.Notes(h, row.Status);
        h.Raw("</td>");
        if (ctx.CanAct)
        {
            h.Raw("<td class=\"actions\">");
            Admin.AdminControls.Buttons(h, ctx, row);
            h.Raw("</td>");
        }

        h.Raw("</tr>");
    }
}
