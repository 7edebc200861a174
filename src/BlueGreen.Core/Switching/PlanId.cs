using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;

namespace BlueGreen.Core.Switching;

/// <summary>
/// What a switch's plan is bound to, as terraform binds a saved plan to the state it was made from: the
/// deployment the switch makes live and the routing it would write (the first 12 hex digits of the SHA-256
/// of the routing file's text, comments aside). Shown as DEPLOYMENT@ROUTING by `--dry-run`, `--json` and the
/// cockpit; `--expect` refuses a switch whose plan is no longer this one. Pure: the CLI and the cockpit
/// compute it with this one function, so the same files give the same id.
/// </summary>
public sealed partial record PlanId(string DeploymentId, string RoutingHash)
{
    public const int HashLength = 12;

    [GeneratedRegex(@"\A(?<deployment>[A-Za-z0-9][A-Za-z0-9._:-]{0,127})@(?<routing>[0-9a-f]{12})\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public override string ToString() => $"{DeploymentId}@{RoutingHash}";

    /// <summary>The plan of an allowed switch of <paramref name="state"/> (<see cref="SwitchPolicy"/>'s plan).</summary>
    public static PlanId Of(SiteConfig site, SiteState state, SwitchPlan plan)
    {
        var deployment = state.DeploymentOn(plan.NewLive)?.Id ?? "none";
        return new PlanId(deployment, RoutingHashOf(RoutingOf(site, plan)));
    }

    /// <summary>The routing file a switch writes, without its comments (those say who wrote it and when).</summary>
    public static string RoutingOf(SiteConfig site, SwitchPlan plan) =>
        RoutingFileFormat.Serialize(RoutingPlanner.Build(site, plan.LiveAfter, plan.LiveAfter.Other(), plan.Weight), []);

    public static string RoutingHashOf(string routingText) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(routingText)))[..HashLength];

    /// <summary>Parses `--expect` (or a cockpit form's field); null and a one-line reason when it is not a plan id.</summary>
    public static PlanId? Parse(string? text, out string? error)
    {
        var match = text is null ? null : Pattern().Match(text);
        if (match is null || !match.Success)
        {
            error = $"'{Input.OperatorInput.Printable(text ?? "", 80)}' is not a plan id: expected DEPLOYMENT@ROUTING as printed by --dry-run (e.g. 20250101T120000-a1b2c3@0123456789ab)";
            return null;
        }

        error = null;
        return new PlanId(match.Groups["deployment"].Value, match.Groups["routing"].Value);
    }

    /// <summary>What changed between the plan the operator saw and the current one; null when it is still current.</summary>
    public static string? WhatChanged(PlanId expected, PlanId current)
    {
        var changes = new List<string>();
        if (expected.DeploymentId != current.DeploymentId)
        {
            changes.Add($"the deployment it makes live is now {current.DeploymentId}, not {expected.DeploymentId}");
        }

        if (expected.RoutingHash != current.RoutingHash)
        {
            changes.Add($"the routing it would write is now {current.RoutingHash}, not {expected.RoutingHash}");
        }

        return changes.Count == 0 ? null : $"the plan changed since {expected} was shown: {string.Join("; ", changes)}";
    }
}
