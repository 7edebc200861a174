using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace BlueGreen.Core.Routing;

/// <summary>Turns a <see cref="DynamicConfig"/> into Traefik file-provider YAML and back. Pure: text in, text out.</summary>
public static class RoutingFileFormat
{
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .DisableAliases()
        .Build();

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    public static string Serialize(DynamicConfig config, IEnumerable<string> headerComments)
    {
        var header = string.Concat(headerComments.Select(c => $"# {c}\n"));
        return header + Serializer.Serialize(config);
    }

    /// <summary>Parses a routing file; an error message names the line and column.</summary>
    public static (DynamicConfig? Config, string? Error) Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, "the file is empty");
        }

        try
        {
            var config = Deserializer.Deserialize<DynamicConfig?>(text);
            return config is null ? (null, "the file holds no configuration") : (config, null);
        }
        catch (YamlException e)
        {
            var inner = e.InnerException is { } i ? $": {i.Message}" : "";
            return (null, $"line {e.Start.Line}, column {e.Start.Column}: {e.Message}{inner}");
        }
    }
}
