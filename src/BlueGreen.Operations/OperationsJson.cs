using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using BlueGreen.Operations.Deploying;
using BlueGreen.Operations.Recovering;
using BlueGreen.Operations.Switching;

namespace BlueGreen.Operations;

/// <summary>The outcomes operations hand back (written by --json), source-generated for the native build (see Core's Json).</summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(SwitchOutcome))]
[JsonSerializable(typeof(RecoverOutcome))]
[JsonSerializable(typeof(DeployOutcome))]
[JsonSerializable(typeof(Store.MigrationOutcome))]
internal sealed partial class OperationsJsonContext : JsonSerializerContext
{
    // Runs when the assembly loads, before any of its types can reach the serializer.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => Core.Json.Register(Default);
}
