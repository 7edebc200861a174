using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Infrastructure.Locking;
using BlueGreen.Infrastructure.Status;

namespace BlueGreen.Infrastructure;

/// <summary>The types Infrastructure writes as JSON, source-generated for the native build (see Core's Json).</summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(LockHolder))]
[JsonSerializable(typeof(MaintenanceHold))]
[JsonSerializable(typeof(SiteStatus))]
[JsonSerializable(typeof(IReadOnlyList<SiteStatus>))]
[JsonSerializable(typeof(JournalCheckpoint))]
[JsonSerializable(typeof(JournalIndex.IndexedUpTo))]
[JsonSerializable(typeof(Etcd.EtcdJournalHead))]
internal sealed partial class InfrastructureJsonContext : JsonSerializerContext
{
    // Runs when the assembly loads, before any of its types can reach the serializer.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => Core.Json.Register(Default);
}
