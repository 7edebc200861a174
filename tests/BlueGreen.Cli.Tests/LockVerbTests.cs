using System.Text;
using System.Text.Json;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// `lock status|acquire|release` and `--lock-wait`, across real run.sh processes: the maintenance lock outlives
/// the process that took it and stops every mutating command (exit 4, naming who and why); a busy lock is waited
/// for on request, and a signal ends that wait cleanly.
/// </summary>
public sealed class LockVerbTests : TwoSlotHomeTest
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private string Go => Home.Path_("go");

    private string Started => Home.Path_("deploy-started");

    protected override async Task SetUpAsync()
    {
        // The deploy command holds the site lock until the test creates the file `go`: a holder that ends on a condition.
        Home.AddSite("shop", A.Url, B.Url, $"DEPLOY_CMD=touch {Started}; while [ ! -e {Go} ]; do sleep 0.05; done\n");
        File.WriteAllText(Go, "");
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v1")).ExitCode);
        File.Delete(Go);
        File.Delete(Started);
    }

    [Fact]
    public async Task The_maintenance_lock_outlives_its_process_stops_every_mutating_command_and_release_ends_it()
    {
        var acquired = await Run("lock", "acquire", "--message", "database migration until 14:00");
        Assert.True(acquired.ExitCode == 0, acquired.ToString());

        var status = await Run("lock", "status");
        Assert.Equal(0, status.ExitCode);
        Assert.Matches(@"maintenance: held by pid \d+ \(.+@.+, `run\.sh .*lock acquire --message database migration until 14:00`, since .*\): ""database migration until 14:00""", status.Stdout);
        var json = JsonDocument.Parse((await Run("lock", "status", "--json")).Stdout).RootElement;
        Assert.Equal("database migration until 14:00", json.GetProperty("maintenance").GetProperty("message").GetString());

        foreach (var args in new[] { new[] { "deploy", "shop", "--version", "v2" }, ["validate", "shop"], ["apply", "shop", "--yes"], ["rollback", "shop", "--yes"], ["recover", "shop"], ["lock", "acquire", "-m", "me too"] })
        {
            var refused = await Run(args);
            Assert.True(refused.ExitCode == 4, $"{string.Join(' ', args)}: {refused}");
            Assert.Contains("the maintenance lock is held by pid", refused.Stderr);
            Assert.Contains("\"database migration until 14:00\"", refused.Stderr);
            Assert.Contains($"./run.sh --home {Home.Root} lock release", refused.Stderr);
        }

        var released = await Run("lock", "release");
        Assert.True(released.ExitCode == 0, released.ToString());
        Assert.Contains("maintenance: free", (await Run("lock", "status")).Stdout);
        File.WriteAllText(Go, "");
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v2")).ExitCode);

        var journal = File.ReadAllLines(Home.JournalFile).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(journal, e => e.GetProperty("action").GetString() == "lock-acquire" && e.GetProperty("outcome").GetString() == "succeeded"
            && e.GetProperty("message").GetString()!.Contains("database migration until 14:00"));
        Assert.Contains(journal, e => e.GetProperty("action").GetString() == "lock-release" && e.GetProperty("outcome").GetString() == "succeeded");
        Assert.Contains(journal, e => e.GetProperty("action").GetString() == "deploy" && e.GetProperty("outcome").GetString() == "refused");
        Assert.Equal(0, (await Run("journal", "verify")).ExitCode);
    }

    [Fact]
    public async Task Status_names_the_holder_of_a_busy_lock_acquire_refuses_it_and_lock_wait_proceeds_when_it_ends()
    {
        using var holder = RunningCli.Start(Home.Root, "deploy", "shop", "--version", "v2");
        await Poll.UntilAsync(() => File.Exists(Started), "the holder's deploy command to start");

        var status = await Run("lock", "status");
        Assert.Matches(@"site-shop: held by pid \d+ \(.+, `run\.sh .*deploy shop --version v2`", status.Stdout);
        var acquire = await Run("lock", "acquire", "--message", "maintenance");
        Assert.True(acquire.ExitCode == 4, acquire.ToString());
        Assert.Contains("the site-shop lock is held by pid", acquire.Stderr);
        var impatient = await Run("validate", "shop");
        Assert.Equal(4, impatient.ExitCode);

        using var waiter = RunningCli.Start(Home.Root, "deploy", "shop", "--version", "v3", "--lock-wait", "60");
        await waiter.WaitForOutputAsync("waiting (up to", Deadline);
        Assert.Contains("the site-shop lock is held by pid", waiter.Output);
        Assert.False(waiter.HasExited);

        File.WriteAllText(Go, "");
        Assert.Equal(0, await holder.WaitForExitAsync(Deadline));
        var waited = await waiter.WaitForExitAsync(Deadline);
        Assert.True(waited == 0, waiter.Output);

        var deploys = File.ReadAllLines(Home.JournalFile).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("action").GetString() == "deploy").Select(e => e.GetProperty("outcome").GetString() + " " + e.GetProperty("to").GetProperty("version").GetString()).ToList();
        Assert.Equal(["started v2", "succeeded v2", "started v3", "succeeded v3"], deploys.SkipWhile(d => !d.EndsWith("v2")).ToList());
        Assert.Equal(0, (await Run("lock", "acquire", "--message", "now it is free")).ExitCode);
    }

    [Fact]
    public async Task Lock_wait_waits_for_the_maintenance_lock_and_a_signal_ends_the_wait_cleanly()
    {
        Assert.Equal(0, (await Run("lock", "acquire", "--message", "frozen for the audit")).ExitCode);
        var journalBefore = File.ReadAllLines(Home.JournalFile).Length;

        using var waiter = RunningCli.Start(Home.Root, "deploy", "shop", "--version", "v2", "--lock-wait", "600");
        await waiter.WaitForOutputAsync("frozen for the audit", Deadline);
        waiter.Signal("TERM");
        var code = await waiter.WaitForExitAsync(Deadline);

        Assert.True(code == 1, waiter.Output);
        Assert.Contains("interrupted by a signal before anything changed; nothing was changed", waiter.Output);
        Assert.DoesNotContain("   at ", waiter.Output);
        Assert.False(File.Exists(Started), "the deploy command never ran");
        Assert.DoesNotContain(File.ReadAllLines(Home.JournalFile).Skip(journalBefore), l => l.Contains("\"started\""));
        Assert.Contains("maintenance: held", (await Run("lock", "status")).Stdout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("two\nlines")]
    [InlineData("a\ttab")]
    [InlineData("escape \u001b[31m")]
    public async Task A_bad_message_is_a_one_line_usage_error_and_takes_nothing(string message)
    {
        var result = await Run("lock", "acquire", "--message", message);

        Assert.True(result.ExitCode == 2, result.ToString());
        var error = Assert.Single(result.Stderr.Trim().Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains("--message", error);
        Assert.False(File.Exists(Home.Path_("var", "locks", "maintenance.json")));
    }

    [Fact]
    public async Task A_message_longer_than_200_characters_is_refused_and_200_are_accepted()
    {
        Assert.Equal(2, (await Run("lock", "acquire", "--message", new string('x', 201))).ExitCode);
        Assert.Equal(0, (await Run("lock", "acquire", "--message", new string('x', 200))).ExitCode);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("soon")]
    [InlineData("999999")]
    public async Task A_bad_lock_wait_is_a_one_line_usage_error(string seconds)
    {
        var result = await Run("deploy", "shop", "--version", "v2", "--lock-wait", seconds);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--lock-wait must be a whole number of seconds", result.Stderr);
    }

    [Fact]
    public async Task Release_without_a_maintenance_lock_says_so()
    {
        var result = await Run("lock", "release");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("no maintenance lock was held", result.Stdout);
    }
}
