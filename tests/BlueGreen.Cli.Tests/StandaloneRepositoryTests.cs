using System.Diagnostics;
using System.Text.RegularExpressions;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// A clone of the repository alone builds, tests and documents itself: nothing tracked points above its
/// root (no sibling folder), and every fixture copied from elsewhere is inside it with
/// its provenance (tests/fixtures/PROVENANCE.md).
/// </summary>
public sealed partial class StandaloneRepositoryTests
{
    /// <summary>This file names the patterns it looks for, so it is the one file not searched.</summary>
    private const string ThisFile = "tests/BlueGreen.Cli.Tests/StandaloneRepositoryTests.cs";

    /// <summary>Texts that only ever appear in a path to something beside or above the repository.</summary>
    private static readonly string[] OutsideMarkers = ["/shared/", "\"..\","];

    [Fact]
    public void No_tracked_file_points_above_the_repository()
    {
        var hits = new List<string>();
        foreach (var file in TrackedTextFiles())
        {
            var depth = file.Count(c => c == '/');
            var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, file));
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                var escapes = ParentSteps().Matches(line).Any(m => Regex.Matches(m.Value, @"\.\.").Count > depth);
                if (escapes || OutsideMarkers.Any(marker => line.Contains(marker, StringComparison.Ordinal)))
                {
                    hits.Add($"{file}:{i + 1}: {line.Trim()}");
                }
            }
        }

        Assert.True(hits.Count == 0, "paths above the repository root:\n" + string.Join('\n', hits));
    }

    [Fact]
    public void Every_fixture_is_in_the_repository_and_named_in_its_provenance_note()
    {
        var provenance = File.ReadAllText(Path.Combine(RepoPaths.Fixtures, "PROVENANCE.md"));
        var fixtures = Directory.EnumerateFiles(RepoPaths.Fixtures, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepoPaths.Fixtures, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(f => f != "PROVENANCE.md")
            .ToList();

        Assert.Contains("traefik-v3-file-provider.json", fixtures);
        Assert.True(File.Exists(RepoPaths.TraefikV3Schema), RepoPaths.TraefikV3Schema);
        Assert.All(["router-bar.json", "routers.json", "service-bar.json", "services.json", "overview-dynamic.json"], sample =>
            Assert.True(File.Exists(RepoPaths.TraefikApiSample(sample)), RepoPaths.TraefikApiSample(sample)));
        Assert.All(fixtures, f => Assert.True(provenance.Contains(Path.GetFileName(f), StringComparison.Ordinal), $"{f} is not in tests/fixtures/PROVENANCE.md"));
    }

    /// <summary>A run of "../" steps (also "../.." at the end of a path); more steps than the file's depth leave the repository.</summary>
    [GeneratedRegex(@"(?<![\w.])(?:\.\.[/\\])+(?:\.\.(?![\w.]))?|(?<![\w./])\.\.(?=[""'`\s]|$)")]
    private static partial Regex ParentSteps();

    private static IEnumerable<string> TrackedTextFiles()
    {
        var info = new ProcessStartInfo("git", "ls-files -z") { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, UseShellExecute = false };
        using var git = Process.Start(info)!;
        var output = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git ls-files failed in {RepoPaths.Root}");
        return output.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Where(f => f != ThisFile)
            // A patch kept for later (wip/README.md) is data, read by nothing: its own relative paths are not reads.
            .Where(f => !(f.StartsWith("wip/", StringComparison.Ordinal) && f.EndsWith(".patch", StringComparison.Ordinal)))
            .Where(f => File.Exists(Path.Combine(RepoPaths.Root, f)) && !IsBinary(Path.Combine(RepoPaths.Root, f)));
    }

    private static bool IsBinary(string path)
    {
        using var stream = File.OpenRead(path);
        var head = new byte[8000];
        var read = stream.Read(head, 0, head.Length);
        return Array.IndexOf(head, (byte)0, 0, read) >= 0;
    }
}
