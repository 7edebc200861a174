using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using BlueGreen.Cli.Commands;
using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure.Status;

namespace BlueGreen.Cli.Output;

/// <summary>What --json prints for an operation: its exit code, one sentence, the next step, its outcome.</summary>
public sealed record ResultJson(int ExitCode, bool Ok, string Message, string? Hint, object? Result);

/// <summary>
/// What status --json prints: every site (each with its own attention reasons), the journal's head, and the newest
/// line of var/log/notify.log (docs/notifications.md), absent when no notification ever failed.
/// </summary>
public sealed record StatusJson(IReadOnlyList<SiteStatus> Sites, JournalHeadView Journal, Core.Notifications.NotifyFailure? NotifyLastFailure = null)
{
    /// <summary>True when status exits 1: some site needs an operator.</summary>
    public bool NeedsAttention => Sites.Any(s => s.NeedsAttention);
}

/// <summary>What config check --json prints.</summary>
public sealed record ConfigCheckJson(bool Ok, IEnumerable<string> Sites, IEnumerable<string> Errors, IEnumerable<string> Warnings);

/// <summary>What lock status --json prints.</summary>
public sealed record LockStatusJson(IReadOnlyList<LockJson> Locks, Infrastructure.Locking.MaintenanceHold? Maintenance);

/// <summary>One lock in lock status --json.</summary>
public sealed record LockJson(string Name, string State, Infrastructure.Locking.LockHolder? Holder);

/// <summary>What journal verify --json prints: Line and Reason name the first bad line when the chain is broken.</summary>
public sealed record JournalVerifyJson(bool Ok, string Path, long Entries, string? Head, long? Line, string? Reason, JournalVerifyEtcdJson? Etcd = null);

/// <summary>With ROUTING_STORE=etcd: the journal in etcd, and where this host's mirror first differs from it.</summary>
public sealed record JournalVerifyEtcdJson(bool Ok, string Endpoints, long Entries, long? BrokenAt, string? Reason, long? MirrorDiffersAt, string? MirrorDifference);

/// <summary>What version --json prints.</summary>
public sealed record VersionJson(string Version);

/// <summary>The CLI's --json documents, source-generated for the native build (see Core's Json).</summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(ResultJson))]
[JsonSerializable(typeof(StatusJson))]
[JsonSerializable(typeof(ConfigCheckJson))]
[JsonSerializable(typeof(LockStatusJson))]
[JsonSerializable(typeof(JournalVerifyJson))]
[JsonSerializable(typeof(JournalVerifyEtcdJson))]
[JsonSerializable(typeof(VersionJson))]
[JsonSerializable(typeof(List<JournalEntry>))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    // Runs when the assembly loads, before any of its types can reach the serializer.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => Core.Json.Register(Default);
}
