using BlueGreen.Cockpit.Data;
using BlueGreen.Cockpit.Pages;

namespace BlueGreen.Cockpit.Admin;

/// <summary>The per-site action controls, drawn only for a logged-in admin session.</summary>
internal static class AdminControls
{
    /// <summary>
    /// Validate, Apply…, Rollback…. A switch whose plan would be refused (<see cref="SwitchPlans"/>, the
    /// same decision its plan page shows) is a disabled button with the reason under it.
    /// </summary>
    public static void Buttons(Html h, PageContext ctx, SiteRow row)
    {
        if (!ctx.CanAct)
        {
            return;
        }

        var enc = Html.E(Uri.EscapeDataString(row.Site));
        // Validate changes no routing: one click. Apply and Rollback go through a plan + confirmation page.
        h.Raw($"<form method=\"post\" action=\"/admin/sites/{enc}/validate\" class=\"inline\">").Raw(ctx.HiddenToken)
            .Raw("<button type=\"submit\" class=\"btn small\">Validate</button></form>");
        Switch(h, enc, "apply", "Apply…", "btn small green", row.Plans?.Apply);
        Switch(h, enc, "rollback", "Rollback…", "btn small", row.Plans?.Rollback);
        foreach (var (verb, plan) in new[] { ("Apply", row.Plans?.Apply), ("Rollback", row.Plans?.Rollback) })
        {
            if (plan?.Refusal is { } why)
            {
                h.Raw($"<div class=\"why\" data-for=\"{verb.ToLowerInvariant()}\"><b>{verb}:</b> ").Text(why).Raw("</div>");
            }
        }
    }

    private static void Switch(Html h, string encodedSite, string action, string label, string cssClass, SwitchPreview? plan)
    {
        if (plan?.Refusal is { } why)
        {
            h.Raw($"<button type=\"button\" class=\"{cssClass}\" data-action=\"{action}\" disabled title=\"").Text("run.sh would refuse: " + why).Raw("\">")
                .Text(label).Raw("</button>");
            return;
        }

        h.Raw($"<a class=\"{cssClass}\" data-action=\"{action}\" href=\"/admin/sites/{encodedSite}/{action}\">").Text(label).Raw("</a>");
    }
}
