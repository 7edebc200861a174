using BlueGreen.Core.Slots;

namespace BlueGreen.Core.Status;

/// <summary>
/// What status and the cockpit know of one site, read from the files and (when probed) the network.
/// Null health or <see cref="RouterFinding.NotChecked"/> means "not looked at", never "fine".
/// </summary>
/// <param name="ConfigErrors">The site file's errors (its warnings are not here).</param>
/// <param name="StateError">Why the state file cannot be read, if it cannot.</param>
/// <param name="StateLive">The slot the state says is live; null before the first switch (or when unreadable).</param>
/// <param name="LiveHealth">"up", "down (why)", "unknown (why)" when the probe did not finish in time, or null when the live slot was not probed.</param>
/// <param name="Drift">Why the routing file and the state disagree (recovery would refuse), if they do.</param>
/// <param name="Interrupted">A command that died half-way and is not resolved yet (one still running is not here).</param>
/// <param name="ValidationFailed">The candidate's last validation failed.</param>
/// <param name="StateCandidateWeight">During a split, the candidate's share the state records (null: none).</param>
public sealed record SiteFacts(
    IReadOnlyList<string> ConfigErrors,
    string? StateError,
    Slot? StateLive,
    string? LiveHealth,
    RouterView Router,
    string? Drift,
    string? Interrupted,
    bool ValidationFailed,
    int? StateCandidateWeight = null);

/// <summary>
/// The one rule that decides whether a site needs an operator now (status exits 1, the cockpit marks the
/// row). Each reason is one short sentence; no reason means all is well, as far as was looked at.
/// </summary>
public static class SiteAttention
{
    public static IReadOnlyList<string> Reasons(SiteFacts f)
    {
        var reasons = new List<string>();
        reasons.AddRange(f.ConfigErrors.Select(e => $"configuration: {e}"));
        if (f.StateError is { } stateError)
        {
            reasons.Add($"state: {stateError}");
        }

        if (f.LiveHealth is { } health && health != "up")
        {
            // "unknown (...)": the probe did not finish by STATUS_DEADLINE; not known to be up is not fine.
            reasons.Add(health.StartsWith("unknown", StringComparison.Ordinal) ? $"the live slot's health is {health}" : $"the live slot is {health}");
        }

        if (RouterReason(f) is { } router)
        {
            reasons.Add(router);
        }

        if (f.Drift is { } drift)
        {
            reasons.Add($"drift: {drift}");
        }

        if (f.Interrupted is { } interrupted)
        {
            reasons.Add($"interrupted: {interrupted}");
        }

        if (f.ValidationFailed)
        {
            reasons.Add("the candidate's validation failed");
        }

        return reasons;
    }

    private static string StateSays(SiteFacts f) => f.StateLive is not { } s ? "no slot is live"
        : f.StateCandidateWeight is { } p ? $"slot {s.Name()} is live with {p} % to slot {s.Other().Name()}"
        : $"slot {s.Name()}";

    /// <summary>The router compared with the state: users must reach the slot the state calls live, and only it.</summary>
    private static string? RouterReason(SiteFacts f)
    {
        var r = f.Router;
        return r.Finding switch
        {
            RouterFinding.NotChecked => null,
            RouterFinding.Unreachable => $"the router's API is unreachable ({r.Detail})",
            RouterFinding.Disabled => $"the router has disabled the site's router ({r.Detail})",
            // Before the first switch there is nothing to serve; after it, a missing router means users get 404.
            RouterFinding.NoRouter when f.StateLive is null => null,
            RouterFinding.NoRouter => $"the router does not serve the site ({r.Detail})",
            RouterFinding.NoLiveSlot when f.StateLive is null => null,
            RouterFinding.NoLiveSlot => $"the router does not send all traffic to one slot ({r.Detail})",
            // Unknown state (unreadable) is already a reason; do not add a comparison with nothing.
            RouterFinding.Serving or RouterFinding.Splitting when f.StateError is not null => null,
            // A split is the state's split exactly: the same slot live, the same share to the candidate.
            RouterFinding.Serving or RouterFinding.Splitting when f.StateLive is not { } live || !r.Weights!.Value.SendsLike(Routing.SlotWeights.Of(live, f.StateCandidateWeight)) =>
                $"the router {(r.Finding == RouterFinding.Serving ? $"serves slot {r.Slot!.Value.Name()}" : $"sends {r.Weights!.Value.Describe()}")}, the state says {StateSays(f)}",
            _ => null,
        };
    }
}
