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
    /// <remarks>2: <see cref="CandidateWeight"/> (a stepwise apply); a format-1 file reads as no split.</remarks>
    public const int CurrentFormat = 2;

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

    public Deployment? SlotA { get; init; }

    public Deployment? SlotB { get; init; }

    public ValidationSummary? Validation { get; init; }

    public SwitchRecord? LastSwitch { get; init; }

    public static SiteState Empty(string site) => new() { Site = site };

    [JsonIgnore]
    public Slot CandidateSlot => Live?.Other() ?? Slot.A;

    public Deployment? DeploymentOn(Slot slot) => slot == Slot.A ? SlotA : SlotB;

    [JsonIgnore]
    public Deployment? Candidate => DeploymentOn(CandidateSlot);

    [JsonIgnore]
    public Deployment? LiveDeployment => Live is { } live ? DeploymentOn(live) : null;

    /// <summary>The candidate's validation, or null when the last validation judged another deployment.</summary>
    [JsonIgnore]
    public ValidationSummary? CandidateValidation =>
        Validation is { } v && Candidate is { } c && v.DeploymentId == c.Id ? v : null;

    public SiteState WithDeployment(Slot slot, Deployment? deployment) =>
        slot == Slot.A ? this with { SlotA = deployment } : this with { SlotB = deployment };

    /// <summary>
    /// The state while a slot's content changes (a deploy began on it, or one was interrupted): it holds no known
    /// deployment, so it is no rollback target either. The one place for that rule.
    /// </summary>
    public SiteState WithSlotCleared(Slot slot) =>
        WithDeployment(slot, null) with { RollbackTarget = RollbackTarget == slot ? null : RollbackTarget };
}
