namespace BlueGreen.Infrastructure.Tests;

/// <summary>Test helpers shared by the infrastructure tests.</summary>
internal static class TestDirs
{
    /// <summary>Every file below a directory, relative path to bytes: to prove that nothing changed.</summary>
    public static IReadOnlyDictionary<string, string> Snapshot(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(dir, f), f => Convert.ToBase64String(File.ReadAllBytes(f)));
}
