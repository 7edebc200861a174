using System.Text.Json.Serialization;

namespace BlueGreen.Core.State;

/// <summary>
/// Where a slot is in its life, as the state stores it. Validation is no phase: a verdict is bound to a
/// deployment's id (<see cref="SiteState.Validation"/>), and <see cref="SlotCondition"/> derives it.
/// </summary>
public enum SlotPhase
{
    /// <summary>Never deployed (or, in a file from before format 3, no deployment recorded).</summary>
    Empty,

    /// <summary>A deploy began and has not ended: what the slot runs is not known.</summary>
    Deploying,

    /// <summary>A deploy succeeded: the slot holds <see cref="SlotLife.Deployment"/>.</summary>
    Deployed,

    /// <summary>The last deploy failed: its DEPLOY_CMD may have run part-way.</summary>
    Failed,

    /// <summary>The last deploy died mid-way (kill -9, power loss) and recovery found it.</summary>
    Interrupted,
}

/// <summary>What status and the cockpit show of a slot: its phase, a deployed slot's verdict read from the validation bound to it.</summary>
public enum SlotCondition
{
    Empty,
    Deploying,
    Deployed,
    Validated,
    ValidationFailed,
    DeployFailed,
    Interrupted,
}

/// <summary>
/// A deploy that began on a slot: the version it puts there, when, by whom. <paramref name="DeploymentId"/> names its
/// deploy log; null when recovery knows the deploy only from its journal line.
/// </summary>
public sealed record DeployAttempt(string? DeploymentId, string Version, DateTimeOffset At, string Actor);

/// <summary>
/// One slot's life (state format 3): only <see cref="SlotPhase.Deployed"/> holds a <see cref="Deployment"/>;
/// deploying, failed and interrupted slots hold the <see cref="Attempt"/>; a failed one its one-line <see cref="Reason"/>.
/// Built by <see cref="SiteState"/>'s transitions; <see cref="Problem"/> checks one read from a file.
/// </summary>
public sealed record SlotLife
{
    public static SlotLife Empty { get; } = new();

    public SlotPhase Phase { get; init; }

    public Deployment? Deployment { get; init; }

    public DeployAttempt? Attempt { get; init; }

    public string? Reason { get; init; }

    /// <summary>A slot holding <paramref name="deployment"/>. The other phases come only from <see cref="SiteState"/>'s transitions.</summary>
    public static SlotLife Deployed(Deployment deployment) => new() { Phase = SlotPhase.Deployed, Deployment = deployment };

    internal static SlotLife Deploying(DeployAttempt attempt) => new() { Phase = SlotPhase.Deploying, Attempt = attempt };

    internal static SlotLife Failed(DeployAttempt attempt, string reason) => new() { Phase = SlotPhase.Failed, Attempt = attempt, Reason = reason };

    internal static SlotLife Interrupted(DeployAttempt attempt) => new() { Phase = SlotPhase.Interrupted, Attempt = attempt };

    /// <summary>Null when the fields fit the phase; otherwise what does not, for a state file's error.</summary>
    [JsonIgnore]
    public string? Problem => Phase switch
    {
        SlotPhase.Empty when Deployment is not null || Attempt is not null => "an empty slot holds a deployment or an attempt",
        SlotPhase.Deployed when Deployment is null => "a deployed slot names no deployment",
        SlotPhase.Deploying or SlotPhase.Failed or SlotPhase.Interrupted when Attempt is null || Deployment is not null =>
            $"a slot in phase {Phase.ToString().ToLowerInvariant()} must name its attempt and no deployment",
        SlotPhase.Failed when string.IsNullOrWhiteSpace(Reason) => "a failed slot names no reason",
        _ => null,
    };
}
