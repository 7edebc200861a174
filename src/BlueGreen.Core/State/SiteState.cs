using System.Text.Json.Serialization;
using BlueGreen.Core.Slots;

namespace BlueGreen.Core.State;

/// <summary>
/// A version put on a slot by one `deploy`. Its id binds validations to it. <paramref name="Log"/> is where
/// the slot's LOG_FILE stood when the deploy began (null when no LOG_FILE): the log gate counts after it.
/// </summary>
public sealed record Deployment(string Id, string Version, DateTimeOffset DeployedAt, string Actor, LogMark? Log = null);

/// <summary>
/// A position in a log file: its size (<paramref name="Offset"/>) and identity (<paramref name="Inode"/>,
/// null when the file did not exist or the identity is unknown) at <paramref name="At"/>.
/// </summary>
public sealed record LogMark(string File, long Offset, ulong? Inode, DateTimeOffset At);

/// <summary>The outcome of the last `validate`, bound to the deployment it judged.</summary>
public sealed record ValidationSummary(
    string DeploymentId,
    bool Passed,
    DateTimeOffset At,
    string? FailedGate,
    string? Reason,
    string ReportFile);

/// <summary>A slot and the version on it, as the journal and status show them.</summary>
public sealed record SlotVersion(string Slot, string? Version)
{
    public static SlotVersion Of(Slot slot, Deployment? deployment) => new(slot.Name(), deployment?.Version);

    public override string ToString() => Version is null ? Slot : $"{Slot} ({Version})";
}

/// <summary>The last switch (apply or rollback) of a site.</summary>
public sealed record SwitchRecord(string Action, DateTimeOffset At, string Actor, string Via, SlotVersion? From, SlotVersion To);

/// <summary>
/// What the product knows of one site. Roles are derived, never stored twice: the candidate is
/// always the slot that is not live (slot a before the first switch).
/// </summary>
public sealed record SiteState
{
    /// <summary>The state file layout this release writes. A later release keeps reading every earlier one.</summary>
    /// <remarks>
    /// 2: <see cref="CandidateWeight"/> (a stepwise apply); a format-1 file reads as no split.
    /// 3: <see cref="SlotA"/> and <see cref="SlotB"/> are each a <see cref="SlotLife"/>; up to format 2 they were the
    /// slot's deployment or nothing, read as deployed or empty (<see cref="StateLayout.Upgrade"/>).
    /// </remarks>
    public const int CurrentFormat = 3;

    /// <summary>
    /// The layout the file was written in: 0 for a file from before layouts were numbered, which is format 1.
    /// A file with a format above <see cref="CurrentFormat"/> comes from a newer release and is not read.
    /// </summary>
    public int Format { get; init; }

    public required string Site { get; init; }

    /// <summary>Grows by one at every write; lets readers notice a change.</summary>
    public long Revision { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public Slot? Live { get; init; }

    /// <summary>The slot that was live before the last apply: the rollback target. Null when there is none.</summary>
    public Slot? RollbackTarget { get; init; }

    /// <summary>
    /// During a stepwise apply (`apply --weight P`), P: the candidate's share of new requests in percent; <see cref="Live"/>
    /// stays the slot that was live before the first step and has the rest. Null when the live slot has all traffic.
    /// </summary>
    public int? CandidateWeight { get; init; }

    public SlotLife SlotA { get; init; } = SlotLife.Empty;

    public SlotLife SlotB { get; init; } = SlotLife.Empty;

    public ValidationSummary? Validation { get; init; }

    public SwitchRecord? LastSwitch { get; init; }

    public static SiteState Empty(string site) => new() { Site = site };

    [JsonIgnore]
    public Slot CandidateSlot => Live?.Other() ?? Slot.A;

    public SlotLife LifeOf(Slot slot) => slot == Slot.A ? SlotA : SlotB;

    /// <summary>The deployment on a slot: only a deployed slot holds one (a deploying, failed or interrupted one runs unknown code).</summary>
    public Deployment? DeploymentOn(Slot slot) => LifeOf(slot) is { Phase: SlotPhase.Deployed, Deployment: { } d } ? d : null;

    [JsonIgnore]
    public Deployment? Candidate => DeploymentOn(CandidateSlot);

    [JsonIgnore]
    public Deployment? LiveDeployment => Live is { } live ? DeploymentOn(live) : null;

    /// <summary>The candidate's validation, or null when the last validation judged another deployment.</summary>
    [JsonIgnore]
    public ValidationSummary? CandidateValidation =>
        Validation is { } v && Candidate is { } c && v.DeploymentId == c.Id ? v : null;

    /// <summary>What status shows of a slot: its phase, and for a deployed slot the verdict bound to its deployment.</summary>
    public SlotCondition ConditionOf(Slot slot) => LifeOf(slot).Phase switch
    {
        SlotPhase.Deployed when DeploymentOn(slot) is { } d && Validation is { } v && v.DeploymentId == d.Id =>
            v.Passed ? SlotCondition.Validated : SlotCondition.ValidationFailed,
        SlotPhase.Deployed => SlotCondition.Deployed,
        SlotPhase.Deploying => SlotCondition.Deploying,
        SlotPhase.Failed => SlotCondition.DeployFailed,
        SlotPhase.Interrupted => SlotCondition.Interrupted,
        _ => SlotCondition.Empty,
    };

    // The transitions of a slot's life, the one place for them (docs/reference.md, "State").

    /// <summary>A deploy begins on <paramref name="slot"/>: from now until it ends the slot runs unknown code.</summary>
    public SiteState WithDeployBegun(Slot slot, DeployAttempt attempt) => WithLife(slot, SlotLife.Deploying(attempt));

    /// <summary>The deploy that began on <paramref name="slot"/> succeeded: the slot holds <paramref name="deployment"/>.</summary>
    /// <exception cref="InvalidOperationException">No deploy of that deployment is running on the slot.</exception>
    public SiteState WithDeploySucceeded(Slot slot, Deployment deployment) =>
        LifeOf(slot) is { Phase: SlotPhase.Deploying, Attempt: { } a } && a.DeploymentId == deployment.Id
            ? WithLife(slot, SlotLife.Deployed(deployment))
            : throw new InvalidOperationException($"slot {slot.Name()} is {LifeOf(slot).Phase}, not deploying {deployment.Id}: only a deploy that began can succeed");

    /// <summary>The deploy that began on <paramref name="slot"/> failed, for <paramref name="reason"/> (one line).</summary>
    /// <exception cref="InvalidOperationException">No deploy is running on the slot.</exception>
    public SiteState WithDeployFailed(Slot slot, string reason) =>
        LifeOf(slot) is { Phase: SlotPhase.Deploying, Attempt: { } a }
            ? WithLife(slot, SlotLife.Failed(a, reason))
            : throw new InvalidOperationException($"slot {slot.Name()} is {LifeOf(slot).Phase}, not deploying: only a deploy that began can fail");

    /// <summary>
    /// Recovery found a deploy on <paramref name="slot"/> that died mid-way: its DEPLOY_CMD may have run part-way, so
    /// the slot holds no known deployment until the next deploy.
    /// </summary>
    public SiteState WithDeployInterrupted(Slot slot, DeployAttempt attempt) => WithLife(slot, SlotLife.Interrupted(attempt));

    /// <summary>A slot whose content changes is no rollback target: what it held is gone. The one place for that rule.</summary>
    private SiteState WithLife(Slot slot, SlotLife life)
    {
        var next = slot == Slot.A ? this with { SlotA = life } : this with { SlotB = life };
        return next with { RollbackTarget = RollbackTarget == slot ? null : RollbackTarget };
    }
}
