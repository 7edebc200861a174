using BlueGreen.Cockpit.Data;
using BlueGreen.Core.Slots;
using BlueGreen.Infrastructure.Status;

namespace BlueGreen.Cockpit.Pages;

/// <summary>One site: both slots, the validation report gate by gate, the routing file and its history, the site's journal.</summary>
internal static class SitePage
{
    public static string Render(PageContext ctx, SiteDetail d)
    {
        var h = new Html();
        var s = d.Row.Status;
        h.Raw("<div class=\"summary\"><h1>").Text(s.Site).Raw("</h1>");
        if (d.Row.NeedsAttention)
        {
            h.El("span", "pill bad", "needs attention");
        }
        else
        {
            h.El("span", s.Live is null ? "pill muted" : "pill ok", s.Live is null ? "not live yet" : "no issue");
        }

        h.Raw(" ");
        Fragments.Router(h, d.Row);
        h.El("span", "ago", "as of " + Format.Utc(d.GeneratedAt)).Raw("</div>");
        Fragments.Notes(h, s);
        if (ctx.CanAct)
        {
            h.Raw("<div class=\"actionbar\">");
            Admin.AdminControls.Buttons(h, ctx, d.Row);
            h.Raw("</div>");
        }

        Slots(h, d);
        Validation(h, d);
        Routing(h, d);
        JournalPage.Table(h, d.Journal, showSite: false);
        h.Raw("<p>").Link("/journal?site=" + Uri.EscapeDataString(s.Site), "full journal of " + s.Site + " →").Raw("</p>");
        return Layout.Page(ctx, s.Site, "board", h.ToString());
    }

    private static void Slots(Html h, SiteDetail d)
    {
        // The live slot's card always comes first (left, or on top on a phone) and the candidate's second,
        // whichever slot is which: before the first switch the first place holds the unused slot.
        var s = d.Row.Status;
        var first = s.Live is { } live ? Named(live.Slot) : Named(s.Candidate.Slot).Other();
        h.Raw("<section class=\"slots\">");
        foreach (var slot in new[] { first, first.Other() })
        {
            SlotCard(h, d, slot);
        }

        h.Raw("</section>");
    }

    private static Slot Named(string name) => name == Slot.B.Name() ? Slot.B : Slot.A;

    private static void SlotCard(Html h, SiteDetail d, Slot slot)
    {
        var s = d.Row.Status;
        var name = slot.Name();
        var isLive = s.Live?.Slot == name;
        var isCandidate = s.Candidate.Slot == name;
        var role = isLive ? "blue" : isCandidate ? "green" : "idle";
        var deployment = d.State?.DeploymentOn(slot);
        h.Raw($"<div class=\"card {role}\"><div class=\"card-head\"><span class=\"slot {role}\">").Text(name).Raw("</span>")
            .El("span", "role", isLive ? "LIVE (blue)" : isCandidate ? "CANDIDATE (green)" : "UNUSED (no role before the first switch)");
        if (isLive)
        {
            Fragments.Health(h, d.Row.Health);
        }

        var shown = d.State is { } state ? SlotStatus.Of(null, state, slot, null) : null;
        // "?" when the state cannot be read, as status says it.
        h.Raw("</div>").El("div", "version big " + role, shown?.Shown ?? "?").Raw("<dl>");
        Field(h, "URL", d.SlotUrls.GetValueOrDefault(name));
        if (s.Split is { } split)
        {
            Field(h, "share of new requests", $"{(isLive ? split.LivePercent : split.CandidatePercent)} % (split)");
        }

        if (deployment is not null)
        {
            Field(h, "deployed", $"{Format.Ago(deployment.DeployedAt, d.GeneratedAt)} · {Format.Utc(deployment.DeployedAt)}");
            Field(h, "by", deployment.Actor);
            Field(h, "deployment", deployment.Id);
        }

        if (isCandidate)
        {
            h.Raw("<dt>validation</dt><dd>");
            Fragments.Validation(h, s, d.GeneratedAt);
            h.Raw("</dd>");
        }

        h.Raw("</dl></div>");
    }

    private static void Field(Html h, string name, string? value) => h.El("dt", null, name).El("dd", null, value);

    private static void Validation(Html h, SiteDetail d)
    {
        h.Raw("<section><h2>Validation report</h2>");
        if (d.ReportError is { } error)
        {
            h.El("div", "alert", "the report cannot be read: " + error);
        }
        else if (d.Report is not { } r)
        {
            h.El("p", "muted", d.Row.Status.Candidate.Version is null ? "no candidate deployed" : "the candidate has not been validated");
        }
        else
        {
            h.Raw("<p>").El("span", r.Passed ? "pill ok" : "pill bad", r.Passed ? "PASSED" : "FAILED")
                .Text($" {r.Version} on slot {r.Slot} · started {Format.Utc(r.StartedAt)} ({Format.Ago(r.StartedAt, d.GeneratedAt)}) · took {Format.Duration(r.Duration)}")
                .Raw("</p><div class=\"scroll\"><table class=\"grid gates\"><thead><tr><th>Gate</th><th>Verdict</th><th>Time</th><th>Reason</th></tr></thead><tbody>");
            foreach (var g in r.Gates)
            {
                h.Raw(g.Passed ? "<tr>" : "<tr class=\"attention\">").El("td", "gate", g.Gate)
                    .Raw("<td>").El("span", g.Passed ? "pill ok" : "pill bad", g.Passed ? "passed" : "failed").Raw("</td>")
                    .El("td", "num", Format.Duration(g.Duration)).Raw("<td>").Text(g.Reason);
                if (g.Details is { Count: > 0 } details)
                {
                    h.Pre(string.Join('\n', details), "code small");
                }

                h.Raw("</td></tr>");
            }

            h.Raw("</tbody></table></div>");
        }

        h.Raw("</section>");
    }

    private static void Routing(Html h, SiteDetail d)
    {
        h.Raw("<section><h2>Routing file</h2><p class=\"path\">").Text(d.RoutingPath).Raw("</p>");
        if (d.RoutingText is null)
        {
            h.El("p", "muted", "no routing file yet");
        }
        else
        {
            h.Pre(d.RoutingText);
        }

        h.Raw("<h3>History</h3>");
        if (d.RoutingHistory.Count == 0)
        {
            h.El("p", "muted", "no earlier version");
        }

        foreach (var v in d.RoutingHistory)
        {
            h.Raw("<details><summary>").Text(v.File).Raw("</summary>").Pre(v.Text).Raw("</details>");
        }

        h.Raw("</section>");
    }
}
