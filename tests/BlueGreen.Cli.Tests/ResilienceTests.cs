using System.Diagnostics;
using BlueGreen.Infrastructure.Processes;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// Full disks (a small tmpfs per folder, filled at a named step by the test hook), hostile input, and the
/// children a dead deploy leaves behind. Mounting needs root, as CI runs; without it these tests fail.
/// </summary>
public sealed class ResilienceTests : TwoSlotHomeTest
{
    private readonly List<string> _mounts = [];

    protected override async Task SetUpAsync()
    {
        foreach (var dir in new[] { "journal", "state", "routes", "log" })
        {
            var path = Home.Path_("var", dir);
            Directory.CreateDirectory(path);
            var mount = await RunToolAsync("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", path);
            Assert.True(mount.Code == 0, $"these tests mount a tmpfs (root needed, as in CI): {mount.Output}");
            _mounts.Add(path);
        }

        Home.AddSite("shop", A.Url, B.Url, "PREVIEW_RULE=Host(`preview.shop.example.com`)\n");
    }

    protected override async Task TearDownAsync()
    {
        foreach (var path in _mounts)
        {
            await RunToolAsync("umount", "-l", path);
        }
    }

    private async Task LiveAWithValidatedCandidateB()
    {
        foreach (var args in new[] { new[] { "deploy", "shop", "--version", "v1" }, ["validate", "shop"], ["apply", "shop", "--yes"], ["deploy", "shop", "--version", "v2"], ["validate", "shop"] })
        {
            var result = await Run(args);
            Assert.True(result.ExitCode == 0, $"{string.Join(' ', args)}: {result}");
        }
    }

    private Task<CliResult> RunWithFault(string fault, params string[] args) =>
        CliRunner.RunAsync(Home.Root, args, new Dictionary<string, string> { [TestFaults.Variable] = fault });

    private void Free(string dir) => File.Delete(Home.Path_("var", dir, ".bluegreen-test-filler"));

    private string Routing => File.ReadAllText(Home.RoutingFile("shop"));

    [Fact]
    public async Task A_full_journal_at_the_outcome_line_says_what_is_live_and_the_next_command_records_it()
    {
        await LiveAWithValidatedCandidateB();
        // tmpfs hands out whole pages: leave room in the journal's last page for the intent, not for the outcome.
        var intent = await IntentLengthOfApplyAsync();
        await AlignJournalSlackAsync(intent + 8, intent + 120);

        var apply = await RunWithFault($"apply:state-recorded:fill={Home.Path_("var", "journal")}", "apply", "shop", "--yes");

        Assert.Equal(1, apply.ExitCode);
        Assert.Contains("slot b (v2) is live (routing file and state), but the journal could not record the outcome", apply.All);
        Assert.DoesNotContain("nothing was changed", apply.All);
        Assert.DoesNotContain("   at ", apply.All);
        Assert.Contains("weight: 1", Routing.Split("shop-b")[1]);
        Assert.EndsWith("\n", File.ReadAllText(Home.JournalFile)); // no partial line

        var status = await Run("status", "shop", "--no-health");
        Assert.Contains("apply #", status.All);
        Free("journal");
        var next = await Run("deploy", "shop", "--version", "v3", "--json");
        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.Contains("\"slot\": \"a\"", next.Stdout);
        Assert.Contains("was interrupted after its state was recorded: slot b (v2) is live", File.ReadAllText(Home.JournalFile));
        Assert.Equal(0, (await Run("journal", "verify")).ExitCode);
    }

    [Fact]
    public async Task A_full_journal_before_the_intent_changes_nothing_and_blocks_nothing_afterwards()
    {
        await LiveAWithValidatedCandidateB();
        await AlignJournalSlackAsync(0, 120); // the intent line needs a new page, which the full tmpfs refuses
        var routing = Routing;
        var journal = File.ReadAllBytes(Home.JournalFile);

        var apply = await RunWithFault($"apply:recovered:fill={Home.Path_("var", "journal")}", "apply", "shop", "--yes");

        Assert.Equal(1, apply.ExitCode);
        Assert.Contains("cannot write the journal", apply.All);
        Assert.Contains("nothing was changed", apply.All);
        Assert.Equal(routing, Routing);
        Assert.Equal(journal, File.ReadAllBytes(Home.JournalFile));

        Free("journal");
        Assert.Equal(0, (await Run("apply", "shop", "--yes")).ExitCode);
        Assert.Equal(0, (await Run("journal", "verify")).ExitCode);
    }

    [Fact]
    public async Task A_full_state_folder_after_the_routing_changed_puts_the_previous_routing_back()
    {
        await LiveAWithValidatedCandidateB();
        var routing = Routing;

        var apply = await RunWithFault($"apply:verified:fill={Home.Path_("var", "state")}", "apply", "shop", "--yes");

        Assert.Equal(1, apply.ExitCode);
        Assert.Contains("could not record the new state", apply.All);
        Assert.Contains("the previous routing file was put back", apply.All);
        Assert.Equal(routing, Routing);

        // The journal's head lives in the full state folder too: the outcome waits for the next command.
        Free("state");
        Assert.Equal(0, (await Run("journal", "verify")).ExitCode);
        Assert.Equal(0, (await Run("apply", "shop", "--yes")).ExitCode);
        Assert.Contains("slot a is still live; nothing changed", File.ReadAllText(Home.JournalFile));
        Assert.Equal(0, (await Run("journal", "verify")).ExitCode);
    }

    [Fact]
    public async Task A_full_routes_folder_refuses_the_routing_write_and_changes_nothing()
    {
        await LiveAWithValidatedCandidateB();
        var routing = Routing;

        var apply = await RunWithFault($"apply:intent-journaled:fill={Home.Path_("var", "routes")}", "apply", "shop", "--yes");

        Assert.Equal(1, apply.ExitCode);
        Assert.Contains("the routing was not changed", apply.All);
        Assert.Equal(routing, Routing);
        // The temp file the write staged (in .bluegreen-tmp/, named *.tmp) was removed.
        Assert.Empty(Directory.GetFiles(Home.Path_("var", "routes"), "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".tmp", StringComparison.Ordinal)));
        Free("routes");
        Assert.Equal(0, (await Run("journal", "verify")).ExitCode);
    }

    [Fact]
    public async Task A_full_disk_during_deploy_and_validate_is_one_clear_line_and_nothing_half_done()
    {
        await LiveAWithValidatedCandidateB();

        var deploy = await RunWithFault($"deploy:intent-journaled:fill={Home.Path_("var", "state")}", "deploy", "shop", "--version", "v3");
        Assert.Equal(1, deploy.ExitCode);
        Assert.Contains("could not record that slot b is being deployed", deploy.All);
        Assert.DoesNotContain("   at ", deploy.All);
        Free("state");
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v3")).ExitCode);

        var validate = await RunWithFault($"validate:gates-run:fill={Home.Path_("var", "log")}", "validate", "shop");
        Assert.Equal(1, validate.ExitCode);
        Assert.Contains("could not be recorded", validate.All);
        Assert.DoesNotContain("   at ", validate.All);
        Free("log");

        Assert.Equal(0, (await Run("journal", "verify")).ExitCode);
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
    }

    [Fact]
    public async Task A_deploy_killed_while_its_command_runs_leaves_children_that_the_next_deploy_ends_first()
    {
        var pidFile = Home.Path_("child.pid");
        Home.AddSite("shop", A.Url, B.Url,
            $"DEPLOY_CMD=if [ \"$BG_VERSION\" = crash ]; then sleep 300 >/dev/null 2>&1 & echo $! > {pidFile}; kill -9 $PPID; wait; fi; echo deployed\n");

        var crashed = await Run("deploy", "shop", "--version", "crash");
        Assert.NotEqual(0, crashed.ExitCode);
        var child = int.Parse(File.ReadAllText(pidFile).Trim());
        Assert.True(ProcessGroup.SignalProcess(child, 0), "the command's child should still run after its deploy was killed");

        var next = await Run("deploy", "shop", "--version", "v2");

        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.Contains("ended process group", next.All);
        Assert.False(IsRunning(child), "the dead deploy's child still runs");
        Assert.Contains("ended process group", File.ReadAllText(Home.JournalFile));
        Assert.Contains("\"outcome\":\"interrupted\"", File.ReadAllText(Home.JournalFile));
    }

    [Theory]
    [InlineData("deploy", "shop", "--version", "v1\n")]
    [InlineData("deploy", "shop", "--version", "v1\r")]
    [InlineData("deploy", "shop", "--version", "v1\ntcp:")]
    [InlineData("status", "UP/UP/UP/UP/etc/ld.so")] // UP: a parent folder (spelled out at run time)
    [InlineData("deploy", "UP/shop", "--version", "v1")]
    [InlineData("journal", "shop\n")]
    [InlineData("journal", "--limit", "abc")]
    [InlineData("recover", "sh op")]
    public async Task Hostile_input_is_a_one_line_usage_error_that_changes_nothing(params string[] args)
    {
        var before = Home.SnapshotVar();

        var result = await Run(args.Select(a => a.Replace("UP", new string('.', 2), StringComparison.Ordinal)).ToArray());

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.DoesNotContain("   at ", result.All);
        Assert.StartsWith("error", result.Stderr.TrimStart());
        Assert.Equal(before, Home.SnapshotVar());
    }

    [Fact]
    public async Task The_journal_actor_is_the_operating_system_user_and_a_cockpit_session_is_added_beside_it()
    {
        var env = new Dictionary<string, string> { ["BLUEGREEN_ACTOR"] = "mallory\ntcp:", ["BLUEGREEN_VIA"] = "cockpit", ["BLUEGREEN_SESSION"] = "session 1a2b3c4d from 127.0.0.1" };
        var result = await CliRunner.RunAsync(Home.Root, ["deploy", "shop", "--version", "v1"], env);
        Assert.True(result.ExitCode == 0, result.ToString());

        var line = File.ReadAllLines(Home.JournalFile)[^1];
        Assert.Contains($"\"actor\":\"{Environment.UserName}@{Environment.MachineName}\"", line);
        Assert.Contains("\"session\":\"session 1a2b3c4d from 127.0.0.1\"", line);
        Assert.DoesNotContain("mallory", File.ReadAllText(Home.JournalFile));
        Assert.DoesNotContain("mallory", Routing);

        var bad = await CliRunner.RunAsync(Home.Root, ["deploy", "shop", "--version", "v2"], new Dictionary<string, string> { ["BLUEGREEN_VIA"] = "cockpit", ["BLUEGREEN_SESSION"] = "x\ny" });
        Assert.Equal(2, bad.ExitCode);
    }

    [Fact]
    public async Task Site_files_outside_conf_or_too_large_are_refused_and_their_lines_never_shown()
    {
        var secret = Home.Path_("secret.txt");
        File.WriteAllText(secret, "RULE=Host(`x`)\nTOP_SECRET=hunter2\n");
        File.CreateSymbolicLink(Home.Path_("conf", "sites", "leak.conf"), secret);
        File.WriteAllText(Home.Path_("conf", "sites", "big.conf"), "# " + new string('x', 1024 * 1024 + 10) + "\n");

        var status = await Run("status", "leak", "--no-health");
        Assert.Contains("outside", status.All);
        Assert.DoesNotContain("hunter2", status.All);
        var check = await Run("config", "check");
        Assert.Equal(2, check.ExitCode);
        Assert.Contains("outside", check.All);
        Assert.Contains("larger than 1024 KiB", check.All);
        Assert.DoesNotContain("hunter2", check.All);
    }

    [Fact]
    public async Task A_state_file_with_wrong_types_or_a_validation_in_the_future_is_refused()
    {
        await LiveAWithValidatedCandidateB();
        var state = File.ReadAllText(Home.StateFile("shop"));

        File.WriteAllText(Home.StateFile("shop"), state.Replace("\"live\": \"a\"", "\"live\": 5"));
        var wrongType = await Run("apply", "shop", "--yes");
        Assert.Equal(3, wrongType.ExitCode);
        Assert.Contains("state file is unreadable", wrongType.All);

        var future = System.Text.RegularExpressions.Regex.Replace(state, "(\"validation\": \\{[^}]*\"at\": \")[^\"]+", m => m.Groups[1].Value + DateTimeOffset.UtcNow.AddDays(30).ToString("yyyy-MM-ddTHH:mm:ss.fffffffzzz"));
        Assert.NotEqual(state, future);
        File.WriteAllText(Home.StateFile("shop"), future);
        var inFuture = await Run("apply", "shop", "--yes");
        Assert.Equal(3, inFuture.ExitCode);
        Assert.Contains("in the future", inFuture.All);
    }

    private const int Page = 4096;

    /// <summary>Free bytes in the journal file's last page: an append that fits there needs no new page (tmpfs).</summary>
    private long JournalSlack => (Page - (new FileInfo(Home.JournalFile).Length % Page)) % Page;

    /// <summary>
    /// Appends dry-run lines (real journal entries, of a length tuned by their version) until the journal's last
    /// page has between <paramref name="min"/> and <paramref name="max"/> free bytes. Deterministic: no timing.
    /// </summary>
    private async Task AlignJournalSlackAsync(long min, long max)
    {
        long? baseLine = null;
        for (var i = 0; i < 40; i++)
        {
            var slack = JournalSlack;
            if (slack >= min && slack < max)
            {
                return;
            }

            int versionLength;
            if (baseLine is null)
            {
                versionLength = 1;
            }
            else
            {
                var want = slack - ((min + max) / 2);
                versionLength = want < baseLine + 2 ? 128 : (int)Math.Clamp((want - baseLine.Value) / 2, 1, 128);
            }

            var before = new FileInfo(Home.JournalFile).Length;
            var dry = await Run("deploy", "shop", "--version", "v" + new string('0', versionLength - 1), "--dry-run");
            Assert.True(dry.ExitCode == 0, dry.ToString());
            baseLine ??= new FileInfo(Home.JournalFile).Length - before - 2;
        }

        Assert.Fail($"could not align the journal's last page (slack {JournalSlack}, wanted {min}..{max})");
    }

    /// <summary>The exact length of the intent line the next apply writes: rehearsed in a copy of the home.</summary>
    private async Task<long> IntentLengthOfApplyAsync()
    {
        using var copy = new TempHome(globalConf: null);
        CopyTree(Home.Path_("conf"), copy.Path_("conf"));
        CopyTree(Home.Path_("var"), copy.Path_("var"));
        var before = new FileInfo(copy.JournalFile).Length;
        var rehearsal = await CliRunner.RunAsync(copy.Root, ["apply", "shop", "--yes"], new Dictionary<string, string> { [TestFaults.Variable] = "apply:intent-journaled:kill" });
        Assert.NotEqual(0, rehearsal.ExitCode);
        return new FileInfo(copy.JournalFile).Length - before;
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
        }
    }

    /// <summary>Alive and not a zombie waiting to be reaped.</summary>
    private static bool IsRunning(int pid) => ProcStat.IsRunning(pid);

    private static async Task<(int Code, string Output)> RunToolAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}
