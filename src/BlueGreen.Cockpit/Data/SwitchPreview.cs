using BlueGreen.Core.Configuration;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Core.Switching;

namespace BlueGreen.Cockpit.Data;

/// <summary>
/// What apply or rollback would do, worked out from the files by the product's own rules
/// (<see cref="SwitchPolicy"/>, <see cref="RoutingPlanner"/>) without running anything: showing a
/// plan takes no lock and writes no journal line. run.sh decides again, under its lock, when the
/// switch is confirmed (including the target's health right then).
/// </summary>
/// <param name="Problem">Why no plan can be worked out (unreadable configuration or state).</param>
/// <param name="Drift">The routing file and the state disagree: what run.sh will report.</param>
/// <param name="Diff">The routing file's change, comments aside (run.sh writes its own header).</param>
/// <param name="Plan">What the plan is bound to (<see cref="PlanId"/>): the confirmation passes it as --expect, so
/// run.sh refuses when the candidate or the routing changed since this page was shown.</param>
public sealed record SwitchPreview(
    string Site,
    string Action,
    SwitchDecision? Decision,
    string? Problem,
    string? Drift,
    string RoutingPath,
    IReadOnlyList<DiffLine> Diff,
    PlanId? Plan = null)
{
    public bool WouldGoThrough => Problem is null && Decision is SwitchDecision.Allowed;

    /// <summary>Why run.sh would refuse this switch now (null when it would go through): one text for the plan page and the buttons.</summary>
    public string? Refusal => WouldGoThrough ? null : Problem ?? (Decision as SwitchDecision.Refused)?.Reason ?? "unknown";

    /// <summary>What the operator can do about the refusal (null when none is known).</summary>
    public string? Hint => (Decision as SwitchDecision.Refused)?.Hint;

    /// <summary>The switch run.sh would make now (null when it would refuse).</summary>
    public SwitchPlan? Switch => Problem is null ? (Decision as SwitchDecision.Allowed)?.Plan : null;

    public static SwitchPreview Unavailable(string site, string action, string routingPath, string problem) =>
        new(site, action, null, problem, null, routingPath, []);

    /// <summary>Pure: the same files and time give the same plan.</summary>
    /// <param name="withDiff">False: the decision alone (what the buttons need), without rendering the new routing file and its diff.</param>
    public static SwitchPreview Decide(
        string action, SiteConfig site, SiteState state, string? currentRouting, string routingPath, string? drift, DateTimeOffset now, TimeSpan validationMaxAge,
        bool withDiff = true)
    {
        // Unresolved drift: run.sh refuses every switch until `recover` (docs/failure-modes.md); so does the plan.
        var decision = drift is not null ? new SwitchDecision.Refused(drift, $"run ./run.sh recover {site.Name}")
            : action == "apply" ? SwitchPolicy.DecideApply(state, now, validationMaxAge) : SwitchPolicy.DecideRollback(state);
        if (decision is not SwitchDecision.Allowed { Plan: var plan } || !withDiff)
        {
            return new SwitchPreview(site.Name, action, decision, null, drift, routingPath, []);
        }

        var after = PlanId.RoutingOf(site, plan);
        var diff = LineDiff.Compute(WithoutComments(currentRouting ?? ""), WithoutComments(after));
        return new SwitchPreview(site.Name, action, decision, null, drift, routingPath, diff, PlanId.Of(site, state, plan));
    }

    private static string WithoutComments(string yaml) =>
        string.Join('\n', yaml.Split('\n').Where(l => !l.TrimStart().StartsWith('#')));
}
