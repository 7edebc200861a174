using System.Diagnostics;
using System.Text.Json;
using BlueGreen.Core.Routing;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>kill -9 of an apply at any moment leaves a whole routing file; the next command takes the stale lock over and reports drift.</summary>
public sealed class CrashTests : TwoSlotHomeTest
{
    private FakeTraefikApi _api = null!;

    protected override async Task SetUpAsync()
    {
        _api = await FakeTraefikApi.StartAsync(Home.Path_("var", "routes"));
        Home.WriteGlobal($"ROUTER_API={_api.Url}\nSWITCH_VERIFY_TIMEOUT=5\n");
        Home.AddSite("shop", A.Url, B.Url, "PREVIEW_RULE=Host(`preview.shop.example.com`)\n");
        foreach (var version in new[] { "v1", "v2" })
        {
            Assert.Equal(0, (await Run("deploy", "shop", "--version", version)).ExitCode);
            Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
            Assert.Equal(0, (await Run("apply", "shop", "--yes")).ExitCode);
        }
    }

    protected override async Task TearDownAsync()
    {
        await _api.DisposeAsync();
    }

    [Theory]
    [InlineData(100)]
    [InlineData(250)]
    [InlineData(400)]
    [InlineData(550)]
    [InlineData(700)]
    [InlineData(1000)]
    public async Task Killing_an_apply_leaves_a_whole_routing_file_and_the_next_command_recovers(int killAfterMs)
    {
        // live b (v2); candidate a (v1) validated again so that apply would switch back to a.
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
        _api.Frozen = true; // the verification step waits: a wide window after the rename

        using (var apply = CliRunner.Start(Home.Root, ["apply", "shop", "--yes"]))
        {
            await Task.Delay(killAfterMs);
            apply.Kill(); // SIGKILL on Unix: no cleanup runs
            await apply.WaitForExitAsync();
        }

        var text = File.ReadAllText(Home.RoutingFile("shop"));
        Assert.Empty(RoutingSchema.Validate(text));
        var (config, error) = RoutingFileFormat.Parse(text);
        Assert.Null(error);
        Assert.NotNull(RoutingPlanner.LiveSlotIn(config!, "shop")); // old (b) or new (a), never neither
        Assert.Empty(Directory.GetFiles(Home.Path_("var", "routes"), "*.tmp"));

        var holderLeft = File.Exists(Home.Path_("var", "locks", "switch.holder"));
        var status = await Run("status", "shop", "--json");
        var site = JsonDocument.Parse(status.Stdout).RootElement.GetProperty("sites")[0];
        var fileLive = RoutingPlanner.LiveSlotIn(config!, "shop")!.Value == Core.Slots.Slot.A ? "a" : "b";
        var stateLive = site.GetProperty("live").GetProperty("slot").GetString();
        Assert.Equal(fileLive != stateLive, site.TryGetProperty("drift", out _));

        _api.Frozen = false;
        var next = await Run("validate", "shop");
        if (holderLeft)
        {
            Assert.Contains("stale", next.All);
            Assert.Contains("\"action\":\"lock-takeover\"", File.ReadAllText(Home.JournalFile));
        }

        Assert.Equal(0, (await Run("journal", "verify")).ExitCode);
    }
}
