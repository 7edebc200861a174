using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Xunit;

namespace BlueGreen.Testing;

/// <summary>One sample of a parsed exposition: its name (with _bucket, _sum, _count), labels and value.</summary>
public sealed record PromSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public bool Has(params (string Name, string Value)[] labels) =>
        labels.All(l => Labels.TryGetValue(l.Name, out var v) && v == l.Value);
}

/// <summary>One metric family: name (without suffixes), type (counter, gauge, histogram, ...) and samples.</summary>
public sealed record PromFamily(string Name, string Type, string Help, IReadOnlyList<PromSample> Samples);

/// <summary>
/// Parses the Prometheus text exposition format with a real parser, the reference Python client's
/// (prometheus_client.parser, Debian's python3-prometheus-client, which .ci/run installs): a text it
/// rejects fails the test with the parser's message.
/// </summary>
public static class PrometheusText
{
    /// <summary>Debian's interpreter, where the apt package installs the module (another python3 on PATH may lack it).</summary>
    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import json, math, sys
        from prometheus_client.parser import text_string_to_metric_families
        def num(v):
            return v if math.isfinite(v) else "NaN" if math.isnan(v) else "Infinity" if v > 0 else "-Infinity"
        out = []
        for f in text_string_to_metric_families(sys.stdin.read()):
            out.append({"name": f.name, "type": f.type, "help": f.documentation,
                        "samples": [{"name": s.name, "labels": s.labels, "value": num(s.value)} for s in f.samples]})
        json.dump(out, sys.stdout)
        """;

    public static IReadOnlyDictionary<string, PromFamily> Parse(string text)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{Python} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(text);
        process.StandardInput.Close();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Assert.Fail($"the metrics do not parse as Prometheus text format: {stderr.Result.Trim()}\n--- text ---\n{text}");
        }

        var families = new Dictionary<string, PromFamily>(StringComparer.Ordinal);
        foreach (var f in JsonNode.Parse(stdout.Result)!.AsArray())
        {
            var samples = f!["samples"]!.AsArray().Select(s => new PromSample(
                s!["name"]!.GetValue<string>(),
                s["labels"]!.AsObject().ToDictionary(l => l.Key, l => l.Value!.GetValue<string>()),
                s["value"] is JsonValue v && v.TryGetValue<double>(out var d) ? d : double.Parse(s["value"]!.GetValue<string>(), CultureInfo.InvariantCulture))).ToList();
            var name = f["name"]!.GetValue<string>();
            families[name] = new PromFamily(name, f["type"]!.GetValue<string>(), f["help"]!.GetValue<string>(), samples);
        }

        return families;
    }

    /// <summary>The value of the one sample named so with these labels (among others), or null when there is none.</summary>
    public static double? Value(this IReadOnlyDictionary<string, PromFamily> families, string sample, params (string Name, string Value)[] labels)
    {
        var matches = families.Values.SelectMany(f => f.Samples).Where(s => s.Name == sample && s.Has(labels)).ToList();
        Assert.True(matches.Count <= 1, $"{matches.Count} samples of {sample} match {string.Join(",", labels.Select(l => $"{l.Name}={l.Value}"))}");
        return matches.Count == 0 ? null : matches[0].Value;
    }

    /// <summary>Every sample named so with these labels (among others).</summary>
    public static IReadOnlyList<PromSample> Samples(this IReadOnlyDictionary<string, PromFamily> families, string sample, params (string Name, string Value)[] labels) =>
        families.Values.SelectMany(f => f.Samples).Where(s => s.Name == sample && s.Has(labels)).ToList();
}
