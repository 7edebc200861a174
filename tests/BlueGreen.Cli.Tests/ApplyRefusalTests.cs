using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>apply refuses (exit 3) whenever a safety rule says no; the routing file stays byte-identical and the refusal is journaled.</summary>
public sealed class ApplyRefusalTests : TwoSlotHomeTest
{
    protected override async Task SetUpAsync()
    {
        Home.WriteGlobal("ROUTER_API=\n");
        Home.AddSite("shop", A.Url, B.Url, "HEALTH_RETRIES=1\nPREVIEW_RULE=Host(`preview.shop.example.com`)\n");
    }

    private async Task AssertApplyRefused(string because)
    {
        var before = File.Exists(Home.RoutingFile("shop")) ? File.ReadAllBytes(Home.RoutingFile("shop")) : null;
        var apply = await Run("apply", "shop", "--yes");
        Assert.True(apply.ExitCode == 3, apply.ToString());
        Assert.Contains(because, apply.All);
        var after = File.Exists(Home.RoutingFile("shop")) ? File.ReadAllBytes(Home.RoutingFile("shop")) : null;
        Assert.Equal(before, after);
        var last = File.ReadLines(Home.JournalFile).Last();
        Assert.Contains("\"action\":\"apply\"", last);
        Assert.Contains("\"outcome\":\"refused\"", last);
    }

    [Fact]
    public async Task Apply_refuses_a_site_with_no_deployment()
    {
        await AssertApplyRefused("no deployment");
    }

    [Fact]
    public async Task Apply_refuses_a_candidate_that_was_never_validated_and_says_what_to_run()
    {
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v1")).ExitCode);
        await AssertApplyRefused($"./run.sh --home {Home.Root} validate shop");
    }

    [Fact]
    public async Task Apply_refuses_a_candidate_whose_validation_failed_and_names_the_gate()
    {
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v1")).ExitCode);
        A.HealthStatus = 500;
        Assert.Equal(1, (await Run("validate", "shop")).ExitCode);
        A.HealthStatus = 200;
        await AssertApplyRefused("gate http failed");
    }

    [Fact]
    public async Task Apply_refuses_a_validation_older_than_VALIDATION_MAX_AGE()
    {
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v1")).ExitCode);
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
        Home.WriteGlobal("ROUTER_API=\nVALIDATION_MAX_AGE=60\n");
        // Age the validation on disk instead of waiting for it to age.
        var state = File.ReadAllText(Home.StateFile("shop"));
        var aged = System.Text.RegularExpressions.Regex.Replace(state, "(\"validation\": \\{[^}]*\"at\": \")[^\"]+", m => m.Groups[1].Value + DateTimeOffset.UtcNow.AddMinutes(-2).ToString("O"));
        Assert.NotEqual(state, aged);
        File.WriteAllText(Home.StateFile("shop"), aged);
        await AssertApplyRefused("older than VALIDATION_MAX_AGE");
    }

    [Fact]
    public async Task Apply_refuses_a_candidate_that_is_down_at_switch_time()
    {
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v1")).ExitCode);
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
        A.HealthStatus = 503;
        await AssertApplyRefused("fails its health check right now");
    }

    [Fact]
    public async Task A_new_deploy_voids_the_earlier_validation()
    {
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v1")).ExitCode);
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v1.1")).ExitCode);
        await AssertApplyRefused("not validated");
    }

    [Fact]
    public async Task Without_a_terminal_apply_needs_yes()
    {
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v1")).ExitCode);
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
        var apply = await Run("apply", "shop");
        Assert.Equal(3, apply.ExitCode);
        Assert.Contains("--yes", apply.All);
        Assert.DoesNotContain("\"apply\",\"outcome\":\"succeeded\"", File.ReadAllText(Home.JournalFile));
    }
}
