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

    /// <summary>A site as most pages show it: 1.0.0 live on slot a, 1.1.0 on slot b, validated (an apply would go through).</summary>
    public static async Task LiveWithValidatedCandidateAsync(string home, string site)
    {
        await MustAsync(home, "deploy", site, "--version", "1.0.0");
        await MustAsync(home, "validate", site);
        await MustAsync(home, "apply", site, "--yes");
        await MustAsync(home, "deploy", site, "--version", "1.1.0");
        await MustAsync(home, "validate", site);
    }

    /// <summary>Two real slot servers per site (site i on slots 2i and 2i+1, added to <paramref name="slots"/>), each site added to the home.</summary>
    public static async Task AddSitesAsync(TempHome home, List<SlotServer> slots, params string[] sites)
    {
        foreach (var site in sites)
        {
            var a = await SlotServer.StartAsync("slot" + slots.Count);
            slots.Add(a);
            var b = await SlotServer.StartAsync("slot" + slots.Count);
            slots.Add(b);
            home.AddSite(site, a.Url, b.Url);
        }
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
