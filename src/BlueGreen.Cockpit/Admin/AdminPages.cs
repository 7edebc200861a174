using BlueGreen.Cockpit.Pages;

namespace BlueGreen.Cockpit.Admin;

/// <summary>Login, plan-and-confirm, and result pages of admin mode.</summary>
internal static class AdminPages
{
    public static string Login(PageContext ctx, string? error)
    {
        var h = new Html();
        h.Raw("<div class=\"login card\"><h1>Admin login</h1><p class=\"muted\">Paste the admin token (the content of <code>COCKPIT_ADMIN_TOKEN_FILE</code>).</p>");
        if (error is not null)
        {
            h.El("div", "alert", error);
        }

        h.Raw("<form method=\"post\" action=\"/login\">").Raw(ctx.HiddenToken)
            .Raw("<label>Token <input type=\"password\" name=\"token\" autocomplete=\"off\" autofocus required></label>")
            .Raw("<button type=\"submit\" class=\"btn\">Log in</button></form></div>");
        return Layout.Page(ctx, "Login", "", h.ToString(), refresh: false);
    }

    /// <summary>The plan of a switch (its dry run) and, when the dry run says it would go through, the confirm button.</summary>
    public static string Confirm(PageContext ctx, string site, string action, RunResult plan)
    {
        var h = new Html();
        var verb = action == "apply" ? "Apply" : "Rollback";
        h.Raw("<div class=\"summary\"><h1>").Text($"{verb} {site}?").Raw("</h1>").El("span", plan.ExitCode == 0 ? "pill warn" : "pill bad", plan.ExitCode == 0 ? "confirmation needed" : "would be refused").Raw("</div>");
        h.Raw("<section class=\"card\"><h2>The plan</h2><p class=\"muted\">").Text($"output of {plan.CommandLine} (changes nothing)").Raw("</p>");
        h.Pre(plan.Output, "code full");
        h.Raw("</section>");
        if (plan.ExitCode == 0)
        {
            h.Raw($"<form method=\"post\" action=\"/admin/sites/{Html.E(Uri.EscapeDataString(site))}/{Html.E(action)}\" class=\"confirm\">").Raw(ctx.HiddenToken)
                .Raw("<input type=\"hidden\" name=\"confirm\" value=\"yes\">")
                .Raw("<p>").Text($"This runs ./run.sh {action} {site} --yes and switches production traffic of {site}.").Raw("</p>")
                .Raw("<button type=\"submit\" class=\"btn danger\" id=\"confirm\">").Text($"Yes, {action} {site} now").Raw("</button> ")
                .Link("/sites/" + site, "Cancel", "btn").Raw("</form>");
        }
        else
        {
            h.El("div", "alert", $"The dry run says this would not go through (exit {plan.ExitCode}: {plan.Meaning}). Nothing to confirm.")
                .Raw("<p>").Link("/sites/" + site, "← back to " + site).Raw("</p>");
        }

        return Layout.Page(ctx, $"{verb} {site}", "board", h.ToString(), refresh: false);
    }

    /// <summary>Where the output goes on the page of a running action: the page is sent up to here, then the output line by line.</summary>
    public const string OutputMarker = "\u0000output\u0000";

    /// <summary>
    /// The page of an action: the command, its output (streamed while it runs), then its result. Rendered
    /// once without a result (the part before <see cref="OutputMarker"/> is sent at once) and once with
    /// it (the part after the marker is sent when the command ends).
    /// </summary>
    public static string Action(PageContext ctx, string site, string action, string commandLine, RunResult? result)
    {
        var h = new Html();
        h.Raw("<div class=\"summary\"><h1>").Text($"{action} {site}").Raw("</h1>").El("span", "ago", commandLine).Raw("</div>");
        h.Raw("<section class=\"card\"><h2>Output</h2><pre class=\"code full\" id=\"output\">").Raw(OutputMarker).Raw("</pre></section>");
        if (result is not null)
        {
            var ok = result.ExitCode == 0;
            h.Raw("<div class=\"summary\" id=\"result\">")
                .El("span", ok ? "pill ok" : "pill bad", ok ? $"{action} succeeded" : $"{action} did not go through")
                .El("span", "exit", $"exit code {result.ExitCode}: {result.Meaning}")
                .El("span", "ago", $"took {Format.Duration(result.Duration)}").Raw("</div>");
            if (!ok)
            {
                h.El("div", "alert", $"{result.CommandLine} exited {result.ExitCode} ({result.Meaning}). Its output above says why.");
            }

            h.Raw("<p>").Link("/sites/" + site, "← back to " + site).Raw(" · ").Link("/", "board").Raw("</p>");
        }

        return Layout.Page(ctx, $"{action} {site}", "board", h.ToString(), refresh: false);
    }
}
