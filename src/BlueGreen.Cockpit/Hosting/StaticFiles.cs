using Microsoft.AspNetCore.Http;

namespace BlueGreen.Cockpit.Hosting;

/// <summary>The stylesheet and script, embedded in the assembly (no front-end build, nothing beside the program).</summary>
internal static class StaticFiles
{
    private static readonly Dictionary<string, (byte[] Bytes, string Type)> Files = Load();

    public static IResult Serve(string name) =>
        Files.TryGetValue(name, out var f) ? Results.Bytes(f.Bytes, f.Type) : Results.NotFound();

    private static Dictionary<string, (byte[], string)> Load()
    {
        var assembly = typeof(StaticFiles).Assembly;
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("cockpit/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource["cockpit/".Length..];
            files[name] = (copy.ToArray(), name.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
        }

        return files;
    }
}
