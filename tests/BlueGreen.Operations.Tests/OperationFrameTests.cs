using System.Diagnostics;
using BlueGreen.Core;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Slots;
using BlueGreen.Infrastructure.Locking;
using BlueGreen.Infrastructure.Processes;
using BlueGreen.Operations.Common;
using BlueGreen.Operations.Tests.Support;
using BlueGreen.Testing;
using Microsoft.Extensions.Time.Testing;

namespace BlueGreen.Operations.Tests;

/// <summary>
/// The fixed first steps every mutating command shares (OperationFrame): input check, configuration, locks,
/// a journal that must be whole, a state that must be readable. Each failure stops the command with its exit code.
/// </summary>
public sealed class OperationFrameTests : OperationTest
{
    /// <summary>Every mutating command on a site with a validated candidate on b and a live, a rollback target... as far as each needs.</summary>
    private IEnumerable<(string Name, Func<Task<OperationResult>> Run)> Commands() =>
    [
        ("apply", () => Apply()),
        ("rollback", () => Rollback()),
        ("deploy", () => Deploy("v9")),
        ("validate", () => Validate()),
    ];

    [Theory]
    [InlineData("../etc")]
    [InlineData("Shop")]
    [InlineData("")]
    public async Task A_site_name_that_is_not_a_name_is_a_usage_error_and_touches_nothing(string name)
    {
        var apply = await Apply(site: name);
        var deploy = await Deploy("v1", site: name);

        AssertCode(ExitCode.Usage, apply);
        AssertCode(ExitCode.Usage, deploy);
        Assert.False(Directory.Exists(Home.Path_("var")), "nothing under var/ may be created");
    }

    [Fact]
    public async Task A_site_without_a_configuration_file_is_a_usage_error_naming_the_file()
    {
        var result = await Apply(site: "nosuch");

        AssertCode(ExitCode.Usage, result);
        Assert.Contains(Home.Path_("conf", "sites", "nosuch.conf"), result.Message);
        Assert.Empty(Journal());
    }

    [Fact]
    public async Task A_bad_version_is_a_usage_error()
    {
        var result = await Deploy("v 1; rm -rf /");

        AssertCode(ExitCode.Usage, result);
        Assert.Empty(Journal());
    }

    [Fact]
    public async Task A_held_switch_lock_refuses_a_switch_with_exit_4_naming_the_holder_but_not_a_deploy()
    {
        await ReadyCandidate("v1");
        var holder = new LockHolder(Environment.ProcessId, "someone", "elsewhere", "run.sh apply shop --yes", Clock.GetUtcNow());
        using (new FileLock(HomeDir.LocksDir).Acquire(FileLock.SwitchLock, holder))
        {
            var result = await Apply();

            AssertCode(ExitCode.Locked, result);
            Assert.Contains($"the switch lock is held by pid {Environment.ProcessId} (someone@elsewhere, `run.sh apply shop --yes`", result.Message);
            var line = Journal()[^1];
            Assert.Equal(("apply", JournalOutcome.Refused), (line.Action, line.Outcome));
            Assert.Contains("someone@elsewhere", line.Message);
            Assert.False(File.Exists(RoutingFile));

            // deploy takes the site's lock only: a running switch elsewhere does not hold it up.
            await Done(Deploy("v2"));
        }

        await Done(Validate());
        await Done(Apply());
    }

    [Fact]
    public async Task A_held_site_lock_refuses_every_command_on_the_site_with_exit_4()
    {
        await ReadyCandidate("v1");
        var holder = new LockHolder(Environment.ProcessId, "someone", "elsewhere", "run.sh deploy shop --version v7", Clock.GetUtcNow());
        using var held = new FileLock(HomeDir.LocksDir).Acquire(FileLock.SiteLock(SiteName), holder);

        foreach (var (name, run) in Commands().Append(("recover", () => Recover())))
        {
            var result = await run();
            AssertCode(ExitCode.Locked, result);
            Assert.Contains("the site-shop lock is held by", result.Message);
            Assert.Contains("run.sh deploy shop --version v7", result.Message);
            Assert.Equal((name, JournalOutcome.Refused), (Journal()[^1].Action, Journal()[^1].Outcome));
        }

        Assert.Null(State().Live);
    }

    [Fact]
    public async Task A_process_group_number_that_now_belongs_to_another_process_is_never_signalled()
    {
        using var dead = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await dead.WaitForExitAsync();
        using var other = Process.Start(new ProcessStartInfo("setsid", ["sleep", "300"]) { UseShellExecute = false })!;
        try
        {
            var pgid = other.Id;
            await Poll.UntilAsync(() => ProcessGroup.GroupOf(pgid) == pgid, "setsid to give sleep its own process group");
            Directory.CreateDirectory(HomeDir.LocksDir);
            // Recorded before a reboot (another boot id): the number is the same, the group is not.
            File.WriteAllText(Path.Combine(HomeDir.LocksDir, "site-shop.holder"),
                $$"""{"pid":{{dead.Id}},"user":"ghost","host":"test-host","command":"run.sh deploy shop --version v0","since":"2026-01-01T00:00:00.000Z","child_group":{{pgid}},"child_identity":"00000000-0000-0000-0000-000000000000/1"}""");

            var result = await Deploy("v1", clock: TimeProvider.System);

            AssertCode(ExitCode.Done, result);
            Assert.False(other.HasExited);
            Assert.Contains("now belongs to another process (not ended)", Assert.Single(Journal(), l => l.Action == "lock-takeover").Message);
        }
        finally
        {
            other.Kill();
        }
    }

    [Fact]
    public async Task A_stale_lock_whose_dead_holder_left_a_process_group_running_is_taken_over_after_ending_the_group()
    {
        // The dead holder: a process that has exited. Its leftover: a process group of its own, still running.
        using var dead = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await dead.WaitForExitAsync();
        using var leftover = Process.Start(new ProcessStartInfo("setsid", ["sleep", "300"]) { UseShellExecute = false })!;
        try
        {
            var pgid = leftover.Id;
            await Poll.UntilAsync(() => ProcessGroup.GroupOf(pgid) == pgid, "setsid to give sleep its own process group");
            Directory.CreateDirectory(HomeDir.LocksDir);
            File.WriteAllText(Path.Combine(HomeDir.LocksDir, "site-shop.holder"),
                $$"""{"pid":{{dead.Id}},"user":"ghost","host":"test-host","command":"run.sh deploy shop --version v0","since":"2026-01-01T00:00:00.000Z","child_group":{{pgid}},"child_identity":"{{ProcessGroup.IdentityOf(pgid)}}"}""");

            // Real time: ending the group waits (TERM, a grace, KILL) on the clock.
            var result = await Deploy("v1", clock: TimeProvider.System);

            AssertCode(ExitCode.Done, result);
            using var ended = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await leftover.WaitForExitAsync(ended.Token);
            Assert.False(ProcessGroup.HasRunningMembers(pgid));
            var takeover = Assert.Single(Journal(), l => l.Action == "lock-takeover");
            Assert.Equal(JournalOutcome.Succeeded, takeover.Outcome);
            Assert.Contains($"pid {dead.Id} (ghost@test-host", takeover.Message);
            Assert.Contains($"ended process group {pgid}", takeover.Message);
            Assert.Contains(Reporter.Warnings, w => w.Contains("took over the stale site-shop lock", StringComparison.Ordinal));
            Assert.True(takeover.Seq < LastCommand("deploy").Started.Seq, "the takeover is journaled before the command's own lines");
            Assert.False(File.Exists(Path.Combine(HomeDir.LocksDir, "site-shop.holder")), "the lock is released with its holder file");
        }
        finally
        {
            if (!leftover.HasExited)
            {
                leftover.Kill();
            }
        }
    }

    [Fact]
    public async Task A_stale_lock_without_a_leftover_group_is_taken_over_and_journaled()
    {
        Directory.CreateDirectory(HomeDir.LocksDir);
        File.WriteAllText(Path.Combine(HomeDir.LocksDir, "switch.holder"),
            """{"pid":999999,"user":"ghost","host":"test-host","command":"run.sh apply shop --yes","since":"2026-01-01T00:00:00.000Z"}""");

        AssertCode(ExitCode.Refused, await Apply()); // refused for its own reason (no candidate), but after the takeover

        var takeover = Assert.Single(Journal(), l => l.Action == "lock-takeover");
        Assert.Contains("took over the stale switch lock of pid 999999", takeover.Message);
        Assert.DoesNotContain("process group", takeover.Message);
    }

    [Fact]
    public async Task A_journal_replaced_by_a_folder_refuses_every_command_with_exit_3_and_changes_nothing()
    {
        await LiveOnAWithCandidateOnB();
        File.Delete(Home.JournalFile);
        Directory.CreateDirectory(Home.JournalFile);
        var before = Home.SnapshotVar("var/locks");

        foreach (var (name, run) in Commands())
        {
            var result = await run();
            AssertCode(ExitCode.Refused, result);
            Assert.Contains("is a folder, not a regular file", result.Message);
            Assert.StartsWith($"{name} shop refused:", result.Message);
        }

        Assert.Equal(before, Home.SnapshotVar("var/locks"));
        Assert.Equal(Slot.A, RoutedSlot());
    }

    [Fact]
    public async Task A_journal_that_lost_lines_refuses_every_command_with_exit_3_and_changes_nothing()
    {
        await LiveOnAWithCandidateOnB();
        var lines = File.ReadAllLines(Home.JournalFile);
        File.WriteAllLines(Home.JournalFile, lines[..^1]);
        var before = Home.SnapshotVar("var/locks");

        foreach (var (_, run) in Commands())
        {
            var result = await run();
            AssertCode(ExitCode.Refused, result);
            Assert.Contains("lines were removed or the file was replaced", result.Message);
        }

        Assert.Equal(before, Home.SnapshotVar("var/locks"));
    }

    [Fact]
    public async Task A_journal_that_cannot_be_written_fails_the_command_with_exit_1_before_anything_changes()
    {
        await LiveOnAWithCandidateOnB();
        // The journal's head is where each append is anchored: a folder there makes every append fail.
        File.Delete(HomeDir.JournalHeadFile);
        Directory.CreateDirectory(HomeDir.JournalHeadFile);
        var before = Home.SnapshotVar("var/locks");

        var result = await Apply();

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("cannot write the journal", result.Message);
        Assert.Contains("nothing was changed", result.Hint);
        Assert.Equal(before, Home.SnapshotVar("var/locks"));
        Assert.Equal(Slot.A, RoutedSlot());
    }

    [Theory]
    [InlineData("{ \"site\": \"shop\", \"live\": ", "invalid JSON")]
    [InlineData("", "empty file")]
    [InlineData("{ \"site\": \"other\" }", "it describes site 'other'")]
    [InlineData("{ \"site\": \"shop\", \"live\": 5 }", "invalid JSON")]
    public async Task A_corrupt_state_refuses_every_command_with_exit_3_and_is_left_as_it_is(string content, string reason)
    {
        await LiveOnAWithCandidateOnB();
        File.WriteAllText(Home.StateFile(SiteName), content);
        var routing = RoutingText();

        foreach (var (name, run) in Commands().Append(("recover", () => Recover())))
        {
            var result = await run();
            AssertCode(ExitCode.Refused, result);
            Assert.Contains(Home.StateFile(SiteName), result.Message);
            Assert.Contains(reason, result.Message);
            Assert.Equal((name, JournalOutcome.Refused), (Journal()[^1].Action, Journal()[^1].Outcome));
        }

        Assert.Equal(content, File.ReadAllText(Home.StateFile(SiteName)));
        Assert.Equal(routing, RoutingText());
    }

    [Fact]
    public async Task A_validation_dated_after_the_injected_clock_makes_the_state_corrupt()
    {
        await ReadyCandidate("v1");
        var anHourEarlier = new FakeTimeProvider(Clock.GetUtcNow() - TimeSpan.FromHours(1));

        var result = await Apply(clock: anHourEarlier);

        AssertCode(ExitCode.Refused, result);
        Assert.Contains("in the future", result.Message);
        Assert.Null(RoutingText());
    }

    [Fact]
    public async Task A_state_file_that_cannot_be_read_fails_the_command_with_exit_1()
    {
        await ReadyCandidate("v1");
        ReplaceStateFileWithFolder();

        var result = await Apply();

        AssertCode(ExitCode.Failed, result);
        Assert.Contains(Home.StateFile(SiteName), result.Message);
        Assert.Null(RoutingText());
    }
}
