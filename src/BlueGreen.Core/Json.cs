using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Core.Validation;

namespace BlueGreen.Core;

/// <summary>The JSON conventions of every file and --json output the product writes: snake_case, no nulls.</summary>
/// <remarks>
/// Type information comes from source-generated contexts (no reflection, so the native build works):
/// Core's own, plus one per assembly whose types are written, each added by <see cref="Register"/> from
/// that assembly's module initializer. Use <see cref="Serialize{T}(T, JsonSerializerOptions)"/> and
/// <see cref="Deserialize{T}"/>: they go through that type information.
/// </remarks>
public static class Json
{
    private static readonly RegisteredResolvers Resolvers = new(CoreJsonContext.Default);

    public static readonly JsonSerializerOptions Options = Create(indented: false);

    public static readonly JsonSerializerOptions Indented = Create(indented: true);

    /// <summary>Adds an assembly's source-generated context; called from module initializers.</summary>
    public static void Register(IJsonTypeInfoResolver resolver) => Resolvers.Add(resolver);

    public static string Serialize<T>(T value, JsonSerializerOptions options) => JsonSerializer.Serialize(value, Info<T>(options));

    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize(json, Info<T>(Options));

    public static T? Deserialize<T>(System.Text.Json.Nodes.JsonNode json) => json.Deserialize(Info<T>(Options));

    public static JsonTypeInfo<T> Info<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = indented,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = Resolvers,
        };
        // Names only: a state file saying "live": 5 is damaged, not slot number 5.
        options.Converters.Add(new SnakeCaseEnumConverter<Slot>());
        options.Converters.Add(new SnakeCaseEnumConverter<SlotPhase>());
        options.Converters.Add(new SnakeCaseEnumConverter<SlotCondition>());
        options.Converters.Add(new SnakeCaseEnumConverter<ExitCode>());
        options.Converters.Add(new SnakeCaseEnumConverter<DiffKind>());
        options.Converters.Add(new SnakeCaseEnumConverter<RouterKind>());
        options.Converters.Add(new SnakeCaseEnumConverter<CockpitMode>());
        options.MakeReadOnly();
        return options;
    }

    /// <summary>An enum written as its snake_case name; numbers are refused. Put it on enums of other assemblies with [JsonConverter].</summary>
    public sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
        where TEnum : struct, Enum;

    /// <summary>The first registered context that knows a type answers for it.</summary>
    private sealed class RegisteredResolvers(IJsonTypeInfoResolver first) : IJsonTypeInfoResolver
    {
        private ImmutableArray<IJsonTypeInfoResolver> _all = [first];

        public void Add(IJsonTypeInfoResolver resolver) => ImmutableInterlocked.Update(ref _all, all => all.Contains(resolver) ? all : all.Add(resolver));

        public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options)
        {
            foreach (var resolver in _all)
            {
                if (resolver.GetTypeInfo(type, options) is { } info)
                {
                    return info;
                }
            }

            return null;
        }
    }
}

/// <summary>The types Core writes and reads as JSON (files and the values other types hold as <c>object</c>).</summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(JournalEntry))]
[JsonSerializable(typeof(JournalHead))]
[JsonSerializable(typeof(Notifications.SlackMessage))]
[JsonSerializable(typeof(List<JournalEntry>))]
[JsonSerializable(typeof(IReadOnlyList<JournalEntry>))]
[JsonSerializable(typeof(SiteState))]
[JsonSerializable(typeof(ValidationReport))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class CoreJsonContext : JsonSerializerContext;
