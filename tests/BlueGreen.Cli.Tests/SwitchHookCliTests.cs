using System.Text.Json;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// Switch hooks through run.sh (docs/reference.md, "Switch hooks"): the exit code of a switch whose POST_SWITCH_CMD
/// failed (5, the switch stands), a pre-hook's refusal (3), and a dry run that names the hooks without running them.
/// </summary>
public sealed class SwitchHookCliTests : TwoSlotHomeTest
{
    protected override async Task SetUpAsync()
    {
        Home.AddSite("shop", A.Url, B.Url);
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v1")).ExitCode);
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
        Assert.Equal(0, (await Run("apply", "shop", "--yes")).ExitCode);
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v2")).ExitCode);
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
    }

    /// <summary>The site with hooks added: live a (v1), candidate b (v2) validated.</summary>
    private void WithHooks(string hooks) => Home.AddSite("shop", A.Url, B.Url, hooks);

    [Fact]
    public async Task A_failing_post_hook_exits_5_and_the_switch_stands()
    {
        WithHooks("POST_SWITCH_CMD=echo purge refused; exit 9\n");

        var result = await Run("apply", "shop", "--yes");

        Assert.True(result.ExitCode == 5, result.ToString());
        Assert.Contains("switched, hook failed: shop: slot b (v2) is live", result.All);
        Assert.Contains("POST_SWITCH_CMD exit code 9", result.All);
        Assert.Contains("purge refused", result.All);
        var status = await Run("status", "shop", "--json");
        Assert.Equal("b", JsonDocument.Parse(status.Stdout).RootElement.GetProperty("sites")[0].GetProperty("live").GetProperty("slot").GetString());
    }

    [Fact]
    public async Task A_failing_pre_hook_exits_3_and_leaves_the_routing_file_byte_identical()
    {
        WithHooks("PRE_SWITCH_CMD=echo database not ready; exit 1\n");
        var routing = File.ReadAllBytes(Home.RoutingFile("shop"));

        var result = await Run("apply", "shop", "--yes");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("PRE_SWITCH_CMD exit code 1", result.All);
        Assert.Contains("last output: database not ready", result.All);
        Assert.Equal(routing, File.ReadAllBytes(Home.RoutingFile("shop")));
    }

    [Fact]
    public async Task A_dry_run_names_the_hooks_in_text_and_json_and_runs_neither()
    {
        WithHooks("PRE_SWITCH_CMD=touch pre.ran\nPOST_SWITCH_CMD=touch post.ran\n");

        var text = await CliRunner.RunAsync(Home.Root, ["apply", "shop", "--yes"], new Dictionary<string, string> { ["DRY_RUN"] = "1" });
        var json = await Run("apply", "shop", "--yes", "--dry-run", "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("would run PRE_SWITCH_CMD `touch pre.ran` before the routing is written", text.All);
        Assert.Contains("would run POST_SWITCH_CMD `touch post.ran` after the outcome is journaled", text.All);
        Assert.True(json.ExitCode == 0, json.ToString());
        var hooks = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("result").GetProperty("hooks");
        Assert.Equal(["PRE_SWITCH_CMD", "POST_SWITCH_CMD"], hooks.EnumerateArray().Select(h => h.GetProperty("key").GetString()));
        Assert.False(File.Exists(Home.Path_("pre.ran")));
        Assert.False(File.Exists(Home.Path_("post.ran")));
    }
}
