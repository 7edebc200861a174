using BlueGreen.Cockpit.Data;
using BlueGreen.Core.State;
using BlueGreen.Core.Status;
using BlueGreen.Infrastructure.Status;

namespace BlueGreen.Cockpit.Pages;

/// <summary>Pieces shared by the board and the site page, so that both say the same thing the same way.</summary>
internal static class Fragments
{
    public static void Live(Html h, SiteRow row)
    {
        if (row.Status.Live is not { } live)
        {
            h.Raw("<span class=\"muted\">no live slot yet (never switched)</span>");
            return;
        }

        h.Raw("<span class=\"slot blue\">").Text(live.Slot).Raw("</span> ")
            .El("span", "version blue", live.Version ?? "?");
        h.Raw(" ");
        Health(h, row.Health);
        Split(h, row.Status);
    }

    /// <summary>During a stepwise apply, the shares of new requests: the operator must see both slots carry users.</summary>
    public static void Split(Html h, SiteStatus status)
    {
        if (status.Split is { } split)
        {
            h.Raw(" ");
            h.El("span", "pill warn", $"split: {split}", $"apply --weight step: {split.CandidatePercent} % of new requests go to slot {split.Candidate}; ./run.sh apply {status.Site} completes it, rollback ends it");
        }
    }

    public static void Health(Html h, HealthReading? reading)
    {
        if (reading is null)
        {
            h.El("span", "pill muted", "health: not probed yet");
            return;
        }

        h.El("span", "pill " + Format.HealthClass(reading.Health), reading.Health, $"probed {Format.Utc(reading.At)} at {reading.Url}");
    }

    /// <summary>What the router's API says it serves for the site, red when it is not what the state says.</summary>
    public static void Router(Html h, SiteRow row)
    {
        if (row.Router is not { } reading)
        {
            h.El("span", "pill muted", "router: not read yet");
            return;
        }

        var view = reading.View;
        var wrong = row.Attention.Any(a => a.StartsWith("the router", StringComparison.Ordinal));
        var css = view.Finding == RouterFinding.NotChecked ? "pill muted" : wrong ? "pill bad" : view.Finding == RouterFinding.Serving ? "pill ok" : "pill muted";
        h.El("span", css + " router", view.Short, $"{view.Detail} (read {Format.Utc(reading.At)})");
    }

    public static void Candidate(Html h, SlotStatus candidate)
    {
        h.Raw("<span class=\"slot green\">").Text(candidate.Slot).Raw("</span> ");
        if (candidate.Version is null)
        {
            h.El("span", candidate.Phase == SlotCondition.DeployFailed ? "pill bad" : "muted", candidate.Shown);
        }
        else
        {
            h.El("span", "version green", candidate.Version);
        }
    }

    public static void Validation(Html h, SiteStatus status, DateTimeOffset now)
    {
        if (status.Validation is not { } v)
        {
            h.El("span", "muted", status.Candidate.Version is null ? "—" : "not validated");
            return;
        }

        if (v.Passed)
        {
            h.El("span", "pill ok", "passed");
        }
        else
        {
            h.El("span", "pill bad", "FAILED").Raw(" ").El("span", "gate", v.FailedGate ?? "?", v.Reason);
        }

        h.Raw(" ").El("span", "ago", Format.Ago(v.At, now), Format.Utc(v.At));
    }

    public static void LastSwitch(Html h, SwitchRecord? sw, DateTimeOffset now)
    {
        if (sw is null)
        {
            h.El("span", "muted", "never");
            return;
        }

        h.El("span", "action", sw.Action).Raw(" ").El("span", "ago", Format.Ago(sw.At, now), Format.Utc(sw.At))
            .Raw("<br>").El("span", "actor", $"{sw.Actor} via {sw.Via}");
    }

    public static void Notes(Html h, SiteStatus status)
    {
        if (status.Error is { } error)
        {
            h.El("div", "alert", "ERROR: " + error);
        }

        if (status.Drift is { } drift)
        {
            h.El("div", "alert", "DRIFT: " + drift);
        }

        if (status.Interrupted is { } interrupted)
        {
            h.El("div", "alert", "INTERRUPTED: " + interrupted);
        }

        if (status.Error is null && status.Drift is null && status.RollbackTo is { } back)
        {
            h.El("span", "muted", "rollback target: " + back);
        }
    }
}
