using System.Text.Json;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>deploy runs DEPLOY_CMD on the candidate slot only, keeps its output, and fails cleanly.</summary>
public sealed class DeployCommandTests : TwoSlotHomeTest
{
    [Fact]
    public async Task DEPLOY_CMD_gets_the_candidate_slot_and_version_and_its_output_goes_to_a_log()
    {
        var marker = Home.Path_("deployed.txt");
        Home.AddSite("shop", A.Url, B.Url, $"DEPLOY_CMD=echo \"$BG_SITE $BG_SLOT $BG_VERSION $BG_SLOT_URL\" >> {marker}\n");

        var first = await Run("deploy", "shop", "--version", "v1", "--json");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
        Assert.Equal(0, (await Run("apply", "shop", "--yes")).ExitCode);
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v2")).ExitCode);

        Assert.Equal([$"shop a v1 {A.Url.AbsoluteUri.TrimEnd('/')}", $"shop b v2 {B.Url.AbsoluteUri.TrimEnd('/')}"], File.ReadAllLines(marker));
        var log = JsonDocument.Parse(first.Stdout).RootElement.GetProperty("result").GetProperty("log_file").GetString()!;
        Assert.True(File.Exists(log), log);
    }

    [Fact]
    public async Task A_failing_DEPLOY_CMD_exits_1_showing_its_last_lines_and_leaves_the_slot_without_a_deployment()
    {
        Home.AddSite("shop", A.Url, B.Url, "DEPLOY_CMD=echo building the release; echo 'disk full: cannot unpack' >&2; exit 3\n");

        var deploy = await Run("deploy", "shop", "--version", "v1");

        Assert.Equal(1, deploy.ExitCode);
        Assert.Contains("disk full: cannot unpack", deploy.All);
        Assert.Contains("exit code 3", deploy.All);
        var journal = File.ReadLines(Home.JournalFile).Last();
        Assert.Contains("\"outcome\":\"failed\"", journal);
        var apply = await Run("apply", "shop", "--yes");
        Assert.Equal(3, apply.ExitCode);
        Assert.Contains("no deployment", apply.All);
    }

    [Fact]
    public async Task A_version_with_spaces_or_shell_characters_is_refused_as_bad_usage()
    {
        Home.AddSite("shop", A.Url, B.Url);
        var deploy = await Run("deploy", "shop", "--version", "v1; rm -rf /");
        Assert.Equal(2, deploy.ExitCode);
        Assert.False(File.Exists(Home.JournalFile));
    }
}
