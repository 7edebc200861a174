using BlueGreen.Cockpit.Data;
using BlueGreen.Cockpit.Pages;
using BlueGreen.Core.Routing;

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

    /// <summary>
    /// The plan of a switch, worked out from the files (nothing was run), and, when the product's
    /// rules allow it, the confirm button.
    /// </summary>
    public static string Confirm(PageContext ctx, SwitchPreview plan)
    {
        var (site, action) = (plan.Site, plan.Action);
        var h = new Html();
        var verb = action == "apply" ? "Apply" : "Rollback";
        h.Raw("<div class=\"summary\"><h1>").Text($"{verb} {site}?").Raw("</h1>").El("span", plan.WouldGoThrough ? "pill warn" : "pill bad", plan.WouldGoThrough ? "confirmation needed" : "would be refused").Raw("</div>");
        // The summary first: what becomes live, or why nothing would; then the change; the explanation last.
        if (plan.Refusal is { } why)
        {
            var hint = plan.Hint is { } x ? $" What to do: {x}." : "";
            h.El("div", "alert", $"This would not go through: {why}.{hint} Nothing to confirm.")
                .Raw("<p>").Link("/sites/" + site, "← back to " + site).Raw("</p>");
        }

        h.Raw("<section class=\"card\" id=\"plan\"><h2>The plan</h2>");
        if (plan.Drift is { } drift)
        {
            h.El("div", "alert", $"Drift: {drift}. run.sh reports it before anything else.");
        }

        if (plan.Switch is { } sw)
        {
            var added = plan.Diff.Count(d => d.Kind == DiffKind.Added);
            var removed = plan.Diff.Count(d => d.Kind == DiffKind.Removed);
            h.Raw("<dl class=\"plan\">")
                .Raw("<dt>Becomes live</dt><dd id=\"plan-to\">").Text($"slot {sw.To}").Raw("</dd>")
                .Raw("<dt>Live now</dt><dd id=\"plan-from\">").Text(sw.From is { } from ? $"slot {from}" : "nothing (first switch)").Raw("</dd>")
                .Raw("<dt>Plan</dt><dd id=\"plan-id\"><code>").Text(plan.Plan?.ToString() ?? "").Raw("</code></dd>")
                .Raw("<dt>Routing file</dt><dd id=\"plan-diffstat\">").El("span", "added", $"+{added}").Raw(" ").El("span", "removed", $"−{removed}")
                .Text($" lines in {plan.RoutingPath} (comments aside)").Raw("</dd>")
                .Raw("</dl>");
            Diff(h, plan.Diff);
        }

        h.Raw("<p class=\"muted\">")
            .Text($"Worked out from the state and routing files by the rules ./run.sh {action} applies; showing it ran nothing. On confirmation, run.sh checks everything again under its lock, including the target's health, and refuses if the candidate or the routing changed since (the plan id above).")
            .Raw("</p></section>");

        if (plan.WouldGoThrough)
        {
            h.Raw($"<form method=\"post\" action=\"/admin/sites/{Html.E(Uri.EscapeDataString(site))}/{Html.E(action)}\" class=\"confirm\">").Raw(ctx.HiddenToken)
                .Raw("<input type=\"hidden\" name=\"confirm\" value=\"yes\">")
                .Raw($"<input type=\"hidden\" name=\"plan\" value=\"{Html.E(plan.Plan!.ToString())}\">")
                .Raw("<p>").Text($"This runs ./run.sh {action} {site} --yes --expect {plan.Plan} and switches production traffic of {site}, only if the plan is still this one.").Raw("</p>")
                .Raw("<button type=\"submit\" class=\"btn danger\" id=\"confirm\">").Text($"Yes, {action} {site} now").Raw("</button> ")
                .Link("/sites/" + site, "Cancel", "btn").Raw("</form>");
        }

        return Layout.Page(ctx, $"{verb} {site}", "board", h.ToString(), refresh: false);
    }

    /// <summary>The routing file's change, line by line: added lines green, removed lines red (and marked + / - for those who cannot see colour).</summary>
    private static void Diff(Html h, IReadOnlyList<DiffLine> diff)
    {
        h.Raw("<pre class=\"code full diff\">");
        for (var i = 0; i < diff.Count; i++)
        {
            var css = diff[i].Kind switch { DiffKind.Added => "add", DiffKind.Removed => "del", _ => "same" };
            // The line break inside the block span: between spans it would show as an empty line.
            h.Raw($"<span class=\"{css}\">").Text(diff[i].ToString()).Raw(i < diff.Count - 1 ? "\n</span>" : "</span>");
        }

        h.Raw("</pre>");
    }

    /// <summary>
    /// The page of an action up to its output: sent at once, then the command's output line by line
    /// (escaped by the caller), then <see cref="ActionTail"/> when the command ends.
    /// </summary>
    public static string ActionHead(PageContext ctx, string site, string action, string commandLine)
    {
        var h = new Html();
        h.Raw(Layout.Head(ctx, $"{action} {site}", "board", refresh: false));
        h.Raw("<div class=\"summary\"><h1>").Text($"{action} {site}").Raw("</h1>").El("span", "ago", commandLine).Raw("</div>");
        h.Raw("<section class=\"card\"><h2>Output</h2><pre class=\"code full\" id=\"output\">");
        return h.ToString();
    }

    /// <summary>The rest of an action's page once the command has ended: its exit code, what it means, where to go next.</summary>
    public static string ActionTail(string site, string action, RunResult result)
    {
        var h = new Html();
        h.Raw("</pre></section>");
        var ok = result.ExitCode == 0;
        // Exit 5: the switch went through and stands; only its POST_SWITCH_CMD failed.
        var hookFailed = result.ExitCode == (int)Core.ExitCode.HookFailed;
        h.Raw("<div class=\"summary\" id=\"result\">")
            .El("span", ok ? "pill ok" : hookFailed ? "pill warn" : "pill bad", ok ? $"{action} succeeded" : hookFailed ? $"{action} succeeded, POST_SWITCH_CMD failed" : $"{action} did not go through")
            .El("span", "exit", $"exit code {result.ExitCode}: {result.Meaning}")
            .El("span", "ago", $"took {Format.Duration(result.Duration)}").Raw("</div>");
        if (!ok)
        {
            h.El("div", "alert", $"{result.CommandLine} exited {result.ExitCode} ({result.Meaning}). Its output above says why.");
        }

        h.Raw("<p>").Link("/sites/" + site, "← back to " + site).Raw(" · ").Link("/", "board").Raw("</p>");
        return h.Raw(Layout.Tail(refresh: false)).ToString();
    }
}
