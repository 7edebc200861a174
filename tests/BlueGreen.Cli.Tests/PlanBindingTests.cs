using System.Text.Json;
using System.Text.RegularExpressions;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// A plan is bound to what it applies (as terraform refuses a stale plan): `--dry-run` prints it, `--expect`
/// applies only that plan and refuses (exit 3, journaled) when the candidate or the routing changed since.
/// </summary>
public sealed partial class PlanBindingTests : TwoSlotHomeTest
{
    protected override async Task SetUpAsync()
    {
        Home.AddSite("shop", A.Url, B.Url);
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v1")).ExitCode);
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
    }

    [GeneratedRegex(@"--expect (?<plan>\S+@[0-9a-f]{12})")]
    private static partial Regex ExpectHint();

    private async Task<string> PlanOf(string action)
    {
        var json = await Run(action, "shop", "--dry-run", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        using var doc = JsonDocument.Parse(json.Stdout);
        var plan = doc.RootElement.GetProperty("result").GetProperty("plan").GetString()!;

        var text = await Run(action, "shop", "--dry-run");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Equal(plan, ExpectHint().Match(text.All).Groups["plan"].Value); // text and --json print the same plan
        return plan;
    }

    [Fact]
    public async Task Expect_with_the_current_plan_applies_it()
    {
        var plan = await PlanOf("apply");
        var state = JsonDocument.Parse(File.ReadAllText(Home.StateFile("shop"))).RootElement;
        Assert.StartsWith(state.GetProperty("slot_a").GetProperty("deployment").GetProperty("id").GetString() + "@", plan);

        var applied = await Run("apply", "shop", "--yes", "--expect", plan);

        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Contains("shop: slot a (v1) is live", applied.Stdout);
    }

    [Fact]
    public async Task A_plan_made_stale_by_another_deploy_and_validate_is_refused_with_exit_3_naming_the_deployment()
    {
        var plan = await PlanOf("apply");
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v2")).ExitCode);
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
        string[] journal = [Path.Combine("var", "journal"), Path.Combine("var", "state", "journal-head.json")];
        var before = Home.SnapshotVar(except: journal);

        var refused = await Run("apply", "shop", "--yes", "--expect", plan);

        Assert.True(refused.ExitCode == 3, refused.ToString());
        Assert.Contains($"the plan changed since {plan} was shown: the deployment it makes live is now", refused.Stderr);
        Assert.DoesNotContain("routing it would write", refused.Stderr); // same slot, same routing: only the deployment changed
        Assert.Equal(before, Home.SnapshotVar(except: journal));
        var last = JsonDocument.Parse(File.ReadAllLines(Home.JournalFile)[^1]).RootElement;
        Assert.Equal("apply", last.GetProperty("action").GetString());
        Assert.Equal("refused", last.GetProperty("outcome").GetString());

        var current = await PlanOf("apply");
        Assert.NotEqual(plan, current);
        Assert.Equal(0, (await Run("apply", "shop", "--yes", "--expect", current)).ExitCode);
    }

    [Fact]
    public async Task A_plan_whose_routing_changed_is_refused_naming_the_routing()
    {
        var plan = await PlanOf("apply");
        Home.AddSite("shop", A.Url, B.Url, "ENTRYPOINTS=websecure\n"); // the routing an apply would write is not the one planned

        var refused = await Run("apply", "shop", "--yes", "--expect", plan);

        Assert.True(refused.ExitCode == 3, refused.ToString());
        Assert.Contains("the routing it would write is now", refused.Stderr);
        Assert.DoesNotContain("the deployment it makes live", refused.Stderr);
    }

    [Fact]
    public async Task Rollback_is_bound_to_its_plan_too()
    {
        Assert.Equal(0, (await Run("apply", "shop", "--yes")).ExitCode);
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v2")).ExitCode);
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
        Assert.Equal(0, (await Run("apply", "shop", "--yes")).ExitCode);
        var plan = await PlanOf("rollback");

        var rolledBack = await Run("rollback", "shop", "--yes", "--expect", plan);

        Assert.True(rolledBack.ExitCode == 0, rolledBack.ToString());
        var again = await Run("rollback", "shop", "--yes", "--expect", plan);
        Assert.Equal(3, again.ExitCode); // nothing to roll back to any more
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("20250101T120000-a1b2c3@XYZ")]
    [InlineData("20250101T120000-a1b2c3@0123456789")]
    [InlineData("a b@0123456789ab")]
    public async Task A_malformed_plan_is_a_one_line_usage_error(string expect)
    {
        var result = await Run("apply", "shop", "--yes", "--expect", expect);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not a plan id", result.Stderr);
        Assert.DoesNotContain("   at ", result.All);
    }
}
