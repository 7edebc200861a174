using BlueGreen.Cockpit.Pages;

namespace BlueGreen.Cockpit.Admin;

/// <summary>The per-site action controls, drawn only for a logged-in admin session.</summary>
internal static class AdminControls
{
    public static void Buttons(Html h, PageContext ctx, string site)
    {
        if (!ctx.CanAct)
        {
            return;
        }

        var enc = Uri.EscapeDataString(site);
        // Validate changes no routing: one click. Apply and Rollback go through a plan + confirmation page.
        h.Raw($"<form method=\"post\" action=\"/admin/sites/{Html.E(enc)}/validate\" class=\"inline\">").Raw(ctx.HiddenToken)
            .Raw("<button type=\"submit\" class=\"btn small\">Validate</button></form>")
            .Raw($"<a class=\"btn small green\" href=\"/admin/sites/{Html.E(enc)}/apply\">Apply…</a>")
            .Raw($"<a class=\"btn small\" href=\"/admin/sites/{Html.E(enc)}/rollback\">Rollback…</a>");
    }
}
