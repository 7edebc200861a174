using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using YamlDotNet.RepresentationModel;

namespace BlueGreen.Testing;

/// <summary>Validates routing files against Traefik's v3 file-provider schema (tests/fixtures/traefik-v3-file-provider.json) (YAML turned into JSON first).</summary>
public static class RoutingSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(RepoPaths.TraefikV3Schema)));

    /// <summary>Empty when valid; otherwise the schema's complaints.</summary>
    public static IReadOnlyList<string> Validate(string yaml)
    {
        var json = YamlToJson(yaml);
        var element = JsonSerializer.SerializeToElement(json);
        var result = Schema.Value.Evaluate(element, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid)
        {
            return [];
        }

        return (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))
            .DefaultIfEmpty("invalid")
            .ToList();
    }

    public static JsonNode? YamlToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, Convert(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is YamlDotNet.Core.ScalarStyle.Plain)
        {
            if (long.TryParse(value, out var n))
            {
                return JsonValue.Create(n);
            }

            if (value is "true" or "false")
            {
                return JsonValue.Create(value == "true");
            }

            if (value is "null" or "~" or "")
            {
                return null;
            }
        }

        return JsonValue.Create(value);
    }
}
