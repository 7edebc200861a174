using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>DRY_RUN=1 and --dry-run print the exact plan and change nothing under var/ but the journal.</summary>
public sealed class DryRunTests : TwoSlotHomeTest
{
    protected override async Task SetUpAsync()
    {
        Home.AddSite("shop", A.Url, B.Url, "PREVIEW_RULE=Host(`preview.shop.example.com`)\n");
        foreach (var version in new[] { "v1", "v2" })
        {
            Assert.Equal(0, (await Run("deploy", "shop", "--version", version)).ExitCode);
            Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
            Assert.Equal(0, (await Run("apply", "shop", "--yes")).ExitCode);
        }

        // Live is b (v2); the candidate a (v1) is the rollback target too: validated again, both plans exist.
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
    }

    private Task<CliResult> RunWith(Dictionary<string, string> env, params string[] args) => CliRunner.RunAsync(Home.Root, args, env);

    public static TheoryData<string, string[], string> Plans => new()
    {
        { "env", ["apply", "shop", "--yes"], "          - name: shop-a\n  -           weight: 0\n  +           weight: 1\n" },
        { "flag", ["apply", "shop", "--yes", "--dry-run"], "          - name: shop-a\n  -           weight: 0\n  +           weight: 1\n" },
        { "flag", ["rollback", "shop", "--yes", "--dry-run"], "plan" },
        { "env", ["rollback", "shop", "--yes"], "plan" },
        { "flag", ["deploy", "shop", "--version", "v4", "--dry-run"], "would record the version" },
        { "env", ["deploy", "shop", "--version", "v4"], "would" },
    };

    [Theory]
    [MemberData(nameof(Plans))]
    public async Task A_dry_run_prints_the_plan_journals_it_and_changes_nothing_else(string how, string[] args, string expected)
    {
        var before = Home.SnapshotVar(Path.Combine("var", "journal"), Path.Combine("var", "state", "journal-head.json"));
        var journalLines = File.ReadAllLines(Home.JournalFile).Length;

        var env = how == "env" ? new Dictionary<string, string> { ["DRY_RUN"] = "1" } : [];
        var result = await RunWith(env, args);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(expected, result.Stdout);
        Assert.Contains("nothing was changed", result.All);
        Assert.Equal(before, Home.SnapshotVar(Path.Combine("var", "journal"), Path.Combine("var", "state", "journal-head.json")));
        var added = File.ReadAllLines(Home.JournalFile).Skip(journalLines).ToList();
        Assert.Single(added);
        Assert.Contains("\"outcome\":\"dry-run\"", added[0]);
    }

    [Fact]
    public async Task A_dry_run_of_a_refused_apply_says_why_and_exits_3()
    {
        A.HealthStatus = 500; // the candidate
        var result = await RunWith(new() { ["DRY_RUN"] = "1" }, "apply", "shop", "--yes");
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("health check", result.All);
    }
}
