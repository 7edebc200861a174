using BlueGreen.Cockpit.Data;
using BlueGreen.Core.Journal;

namespace BlueGreen.Cockpit.Pages;

/// <summary>The audit journal, newest first, filtered and paged, with the hash chain's verdict on top.</summary>
internal static class JournalPage
{
    public static string Render(PageContext ctx, JournalPageData d)
    {
        var h = new Html();
        h.Raw("<div class=\"summary\"><h1>Journal</h1>");
        if (d.Verdict.Ok)
        {
            h.El("span", "pill ok", $"journal verify: ok · chain intact · {d.Verdict.Entries} entries");
            if (d.Verdict.HeadHash is { } hash)
            {
                // Kept elsewhere, this pair proves later that no line was removed or rewritten.
                h.El("span", "pill", $"head: seq {d.Verdict.HeadSeq} · {hash}");
            }
        }
        else
        {
            h.El("span", "pill bad", $"journal verify: BROKEN at line {d.Verdict.BrokenLine}: {d.Verdict.Reason}");
        }

        h.El("span", "ago", "as of " + Format.Utc(d.GeneratedAt)).Raw("</div>");
        Filters(h, d);
        h.Raw("<p class=\"muted\">").Text($"{d.Total} matching entr{(d.Total == 1 ? "y" : "ies")}, newest first · page {d.Query.Page} of {d.Pages}").Raw("</p>");
        Table(h, d.Entries, showSite: true);
        Pager(h, d);
        return Layout.Page(ctx, "Journal", "journal", h.ToString());
    }

    public static void Table(Html h, IReadOnlyList<JournalEntry> entries, bool showSite)
    {
        if (!showSite)
        {
            h.Raw("<h2>Journal</h2>");
        }

        if (entries.Count == 0)
        {
            h.El("p", "muted", "no entries");
            return;
        }

        h.Raw("<div class=\"scroll\"><table class=\"grid journal\"><thead><tr><th>#</th><th>Time (UTC)</th>").Raw(showSite ? "<th>Site</th>" : "")
            .Raw("<th>Action</th><th>Outcome</th><th>Actor</th><th>Via</th><th>From → To</th><th>Message</th></tr></thead><tbody>");
        foreach (var e in entries)
        {
            h.Raw(e.Outcome == JournalOutcome.Failed ? "<tr class=\"attention\">" : "<tr>").El("td", "num", e.Seq.ToString()).El("td", "time", e.Time);
            if (showSite)
            {
                h.Raw("<td>");
                if (e.Site is { } site)
                {
                    h.Link("/sites/" + site, site);
                }

                h.Raw("</td>");
            }

            h.El("td", "action", e.Action).Raw("<td>").El("span", "pill " + Format.OutcomeClass(e.Outcome), e.Outcome).Raw("</td>")
                .El("td", "actor", e.Actor).El("td", e.Via == "cockpit" ? "via cockpit" : "via", e.Via)
                .El("td", null, $"{e.From?.ToString() ?? "—"} → {e.To?.ToString() ?? "—"}").El("td", "message", e.Message).Raw("</tr>");
        }

        h.Raw("</tbody></table></div>");
    }

    private static void Filters(Html h, JournalPageData d)
    {
        h.Raw("<form method=\"get\" action=\"/journal\" class=\"filters\">");
        Select(h, "site", "all sites", d.Sites, d.Query.Site);
        Select(h, "action", "all actions", d.Actions, d.Query.Action);
        Select(h, "outcome", "all outcomes", d.Outcomes, d.Query.Outcome);
        h.Raw("<button type=\"submit\" class=\"btn\">Filter</button> ").Link("/journal", "clear").Raw("</form>");
    }

    private static void Select(Html h, string name, string all, IReadOnlyList<string> values, string? selected)
    {
        h.Raw($"<label>{name} <select name=\"{name}\"><option value=\"\">").Text(all).Raw("</option>");
        foreach (var v in values)
        {
            h.Raw("<option value=\"").Text(v).Raw(v == selected ? "\" selected>" : "\">").Text(v).Raw("</option>");
        }

        h.Raw("</select></label> ");
    }

    private static void Pager(Html h, JournalPageData d)
    {
        if (d.Pages <= 1)
        {
            return;
        }

        h.Raw("<nav class=\"pager\">");
        if (d.Query.Page > 1)
        {
            h.Link(Url(d.Query with { Page = d.Query.Page - 1 }), "← newer");
        }

        h.El("span", null, $"page {d.Query.Page} of {d.Pages}");
        if (d.Query.Page < d.Pages)
        {
            h.Link(Url(d.Query with { Page = d.Query.Page + 1 }), "older →");
        }

        h.Raw("</nav>");
    }

    public static string Url(JournalQuery q)
    {
        var parts = new List<string>();
        void Add(string key, string? value)
        {
            if (value is not null)
            {
                parts.Add(key + "=" + Uri.EscapeDataString(value));
            }
        }

        Add("site", q.Site);
        Add("action", q.Action);
        Add("outcome", q.Outcome);
        Add("page", q.Page.ToString());
        if (q.Size != JournalQuery.DefaultSize)
        {
            Add("size", q.Size.ToString());
        }

        return "/journal?" + string.Join('&', parts);
    }
}
