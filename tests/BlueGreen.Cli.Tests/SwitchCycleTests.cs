using System.Text.Json;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>Issue 2's full cycle, through the real run.sh, with real slot servers and a Traefik-shaped API.</summary>
public sealed class SwitchCycleTests : TwoSlotHomeTest
{
    private FakeTraefikApi _api = null!;

    protected override async Task SetUpAsync()
    {
        _api = await FakeTraefikApi.StartAsync(Home.Path_("var", "routes"));
        Home.WriteGlobal($"ROUTER_API={_api.Url}\nSWITCH_VERIFY_TIMEOUT=3\n");
        Home.AddSite("shop", A.Url, B.Url, "PREVIEW_RULE=Host(`preview.shop.example.com`)\n");
    }

    protected override async Task TearDownAsync()
    {
        await _api.DisposeAsync();
    }

    private async Task<JsonElement> StatusOf(string site)
    {
        var status = await Run("status", site, "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        return JsonDocument.Parse(status.Stdout).RootElement.GetProperty("sites")[0];
    }

    private void AssertRoutingFileValid()
    {
        var text = File.ReadAllText(Home.RoutingFile("shop"));
        Assert.Empty(RoutingSchema.Validate(text));
    }

    [Fact]
    public async Task A_full_cycle_deploys_validates_switches_and_rolls_back_with_every_step_journaled()
    {
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v1")).ExitCode);
        AssertRoutingFileValid(); // the preview route
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
        var apply1 = await Run("apply", "shop", "--yes");
        Assert.True(apply1.ExitCode == 0, apply1.ToString());
        AssertRoutingFileValid();
        Assert.Equal("a", (await StatusOf("shop")).GetProperty("live").GetProperty("slot").GetString());

        var deploy2 = await Run("deploy", "shop", "--version", "v2");
        Assert.True(deploy2.ExitCode == 0, deploy2.ToString());
        var afterDeploy = await StatusOf("shop");
        Assert.Equal("b", afterDeploy.GetProperty("candidate").GetProperty("slot").GetString());
        Assert.Equal("v2", afterDeploy.GetProperty("candidate").GetProperty("version").GetString());
        Assert.Equal("v1", afterDeploy.GetProperty("live").GetProperty("version").GetString()); // a untouched
        AssertRoutingFileValid();
        Assert.Contains("weight: 1", File.ReadAllText(Home.RoutingFile("shop")).Split("shop-a")[1]); // still live on a

        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
        Assert.Equal(0, (await Run("apply", "shop", "--yes")).ExitCode);
        AssertRoutingFileValid();
        var afterApply = await StatusOf("shop");
        Assert.Equal("b", afterApply.GetProperty("live").GetProperty("slot").GetString());
        Assert.Equal("v2", afterApply.GetProperty("live").GetProperty("version").GetString());

        var rollback = await Run("rollback", "shop", "--yes");
        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        AssertRoutingFileValid();
        var afterRollback = await StatusOf("shop");
        Assert.Equal("a", afterRollback.GetProperty("live").GetProperty("slot").GetString());
        Assert.Equal("v1", afterRollback.GetProperty("live").GetProperty("version").GetString());

        var journal = await Run("journal", "shop", "--json");
        var entries = JsonDocument.Parse(journal.Stdout).RootElement.EnumerateArray().ToList();
        var steps = entries.Where(e => e.GetProperty("outcome").GetString() == "succeeded")
            .Select(e => $"{e.GetProperty("action").GetString()} {e.GetProperty("to").GetProperty("slot").GetString()} {e.GetProperty("to").GetProperty("version").GetString()}")
            .ToList();
        Assert.Equal(["deploy a v1", "validate a v1", "apply a v1", "deploy b v2", "validate b v2", "apply b v2", "rollback a v1"], steps);
        Assert.All(entries, e => Assert.False(string.IsNullOrEmpty(e.GetProperty("actor").GetString())));
        Assert.All(entries, e => Assert.Equal("cli", e.GetProperty("via").GetString()));
        var switchToB = entries.Single(e => e.GetProperty("action").GetString() == "apply" && e.GetProperty("outcome").GetString() == "succeeded" && e.GetProperty("to").GetProperty("slot").GetString() == "b");
        Assert.Equal("v1", switchToB.GetProperty("from").GetProperty("version").GetString());

        Assert.Equal(0, (await Run("journal", "verify")).ExitCode);
    }

    [Fact]
    public async Task Journal_verify_fails_naming_the_line_after_one_byte_of_the_journal_changes()
    {
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v1")).ExitCode);
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
        Assert.Equal(0, (await Run("journal", "verify")).ExitCode);

        var bytes = File.ReadAllBytes(Home.JournalFile);
        var lines = File.ReadAllLines(Home.JournalFile);
        var third = lines[0].Length + 1 + lines[1].Length + 1; // first byte of line 3
        var at = third + lines[2].IndexOf("validat", StringComparison.Ordinal);
        bytes[at] = (byte)'V';
        File.WriteAllBytes(Home.JournalFile, bytes);

        var verify = await Run("journal", "verify");
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("journal.jsonl:3", verify.Stderr);
    }

    [Fact]
    public async Task A_second_rollback_has_nothing_to_roll_back_to()
    {
        foreach (var version in new[] { "v1", "v2" })
        {
            Assert.Equal(0, (await Run("deploy", "shop", "--version", version)).ExitCode);
            Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
            Assert.Equal(0, (await Run("apply", "shop", "--yes")).ExitCode);
        }

        Assert.Equal(0, (await Run("rollback", "shop", "--yes")).ExitCode);
        var second = await Run("rollback", "shop", "--yes");
        Assert.Equal(3, second.ExitCode);
        Assert.Contains("nothing to roll back to", second.All);
    }

    [Fact]
    public async Task Rollback_refuses_when_the_previous_slot_is_down_unless_forced()
    {
        foreach (var version in new[] { "v1", "v2" })
        {
            Assert.Equal(0, (await Run("deploy", "shop", "--version", version)).ExitCode);
            Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
            Assert.Equal(0, (await Run("apply", "shop", "--yes")).ExitCode);
        }

        A.HealthStatus = 503;
        var refused = await Run("rollback", "shop", "--yes");
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("health check", refused.All);

        var forced = await Run("rollback", "shop", "--yes", "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains("--force", File.ReadAllText(Home.JournalFile));
    }

    [Fact]
    public async Task A_router_that_never_shows_the_new_routing_makes_apply_fail_and_restore_the_previous_file()
    {
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v1")).ExitCode);
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
        var before = File.ReadAllBytes(Home.RoutingFile("shop"));

        _api.Frozen = true;
        var apply = await Run("apply", "shop", "--yes");

        Assert.Equal(1, apply.ExitCode);
        Assert.Contains("the previous routing file was put back", apply.All);
        Assert.Equal(before, File.ReadAllBytes(Home.RoutingFile("shop")));
        var status = await StatusOf("shop");
        Assert.False(status.TryGetProperty("live", out _));
        Assert.Contains("\"outcome\":\"failed\"", File.ReadLines(Home.JournalFile).Last());
    }
}
