using System.Text.Json;
using BlueGreen.Testing;

namespace BlueGreen.Cockpit.Tests.Support;

/// <summary>The real CLI, run as an operator would: the only way the tests change a home's state.</summary>
public static class Cli
{
    /// <summary>The first call may build the program (about a minute); later ones are quick.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    public static Task<CliResult> RunAsync(string home, params string[] args) => CliRunner.RunAsync(home, args, null, Patience);

    public static async Task<CliResult> MustAsync(string home, params string[] args)
    {
        var result = await RunAsync(home, args);
        Assert.True(result.ExitCode == 0, $"run.sh {string.Join(' ', args)}: {result}");
        return result;
    }

    /// <summary>`status SITE --json`: the CLI's own view, the reference the cockpit must agree with.</summary>
    public static async Task<JsonElement> StatusAsync(string home, string site)
    {
        var result = await RunAsync(home, "status", site, "--json", "--no-health");
        using var doc = JsonDocument.Parse(result.Stdout);
        return doc.RootElement.GetProperty("sites")[0].Clone();
    }

    public static async Task<IReadOnlyList<JsonElement>> JournalAsync(string home)
    {
        var result = await MustAsync(home, "journal", "--json");
        using var doc = JsonDocument.Parse(result.Stdout);
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }
}
