using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using BlueGreen.Cockpit.Data;
using BlueGreen.Core.Journal;
using BlueGreen.Core.State;
using BlueGreen.Core.Validation;
using BlueGreen.Infrastructure.Status;

namespace BlueGreen.Cockpit.Api;

// The documents of the cockpit's JSON API (snake_case through Core's Json options).

internal sealed record ErrorJson(string Error);

/// <param name="Attention">The same rule as `status`, with the cockpit's background readings of health and router.</param>
internal sealed record RowJson(SiteStatus Status, HealthReading? LiveHealth, RouterReading? Router, bool NeedsAttention, IReadOnlyList<string> Attention);

internal sealed record SitesJson(string Mode, bool ReadOnly, DateTimeOffset GeneratedAt, IReadOnlyList<RowJson> Sites);

internal sealed record RoutingFileJson(string Path, string? Text);

internal sealed record SiteJson(
    string Mode,
    DateTimeOffset GeneratedAt,
    RowJson Site,
    SiteState? State,
    ValidationReport? ValidationReport,
    string? ValidationReportError,
    RoutingFileJson RoutingFile,
    IReadOnlyList<RoutingVersion> RoutingHistory,
    IReadOnlyList<JournalEntry> Journal);

internal sealed record FilterJson(string? Site, string? Action, string? Outcome);

internal sealed record JournalJson(
    string Mode,
    DateTimeOffset GeneratedAt,
    JournalVerdict Verify,
    FilterJson Filter,
    int Page,
    int Size,
    int Pages,
    int Total,
    IReadOnlyList<JournalEntry> Entries);

/// <summary>The cockpit's JSON documents, source-generated for the native build (see Core's Json).</summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(ErrorJson))]
[JsonSerializable(typeof(SitesJson))]
[JsonSerializable(typeof(SiteJson))]
[JsonSerializable(typeof(JournalJson))]
internal sealed partial class CockpitJsonContext : JsonSerializerContext
{
    // Runs when the assembly loads, before any of its types can reach the serializer.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => Core.Json.Register(Default);
}
