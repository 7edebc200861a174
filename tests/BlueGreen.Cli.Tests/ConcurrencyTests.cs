using System.Diagnostics;
using System.Text.Json;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>One switch at a time, for real: concurrent run.sh processes against one home.</summary>
public sealed class ConcurrencyTests : IAsyncLifetime
{
    private const int Sites = 10;
    private readonly TempHome _home = new();
    private readonly List<SlotServer> _slots = [];
    private FakeTraefikApi _api = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeTraefikApi.StartAsync(_home.Path_("var", "routes"));
        _home.WriteGlobal($"ROUTER_API={_api.Url}\n");
        for (var i = 0; i < Sites; i++)
        {
            var a = await SlotServer.StartAsync("a");
            var b = await SlotServer.StartAsync("b");
            _slots.AddRange([a, b]);
            _home.AddSite($"site{i}", a.Url, b.Url);
        }

        await Task.WhenAll(Enumerable.Range(0, Sites).Select(async i =>
        {
            Assert.Equal(0, (await CliRunner.RunAsync(_home.Root, "deploy", $"site{i}", "--version", "v1")).ExitCode);
            Assert.Equal(0, (await CliRunner.RunAsync(_home.Root, "validate", $"site{i}")).ExitCode);
        }));
    }

    public async Task DisposeAsync()
    {
        foreach (var slot in _slots)
        {
            await slot.DisposeAsync();
        }

        await _api.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task Ten_concurrent_applies_never_overlap_and_every_refused_one_names_the_holder()
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, Sites).Select(i => CliRunner.RunAsync(_home.Root, "apply", $"site{i}", "--yes")));

        Assert.All(runs, r => Assert.True(r.ExitCode is 0 or 4, r.ToString()));
        Assert.Contains(runs, r => r.ExitCode == 0);
        foreach (var refused in runs.Where(r => r.ExitCode == 4))
        {
            Assert.Matches(@"held by pid \d+ \(.+@.+, `run\.sh .*apply site\d+ --yes`, since ", refused.Stderr + refused.Stdout);
        }

        Assert.Equal(0, (await CliRunner.RunAsync(_home.Root, "journal", "verify")).ExitCode);
        AssertSwitchesNeverOverlap();

        var status = await CliRunner.RunAsync(_home.Root, "status", "--json", "--no-health");
        Assert.Equal(0, status.ExitCode); // every state file parses
        var live = JsonDocument.Parse(status.Stdout).RootElement.GetProperty("sites").EnumerateArray().Count(s => s.TryGetProperty("live", out _));
        Assert.Equal(runs.Count(r => r.ExitCode == 0), live);
    }

    private void AssertSwitchesNeverOverlap()
    {
        string? inProgress = null;
        foreach (var line in File.ReadLines(_home.JournalFile))
        {
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            if (e.GetProperty("action").GetString() != "apply")
            {
                continue;
            }

            var site = e.GetProperty("site").GetString();
            switch (e.GetProperty("outcome").GetString())
            {
                case "started":
                    Assert.True(inProgress is null, $"{site} started switching while {inProgress} was switching");
                    inProgress = site;
                    break;
                case "succeeded" or "failed" when inProgress == site:
                    inProgress = null;
                    break;
            }
        }

        Assert.Null(inProgress);
    }
}
