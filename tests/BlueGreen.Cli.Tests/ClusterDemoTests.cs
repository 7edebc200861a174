using System.Text;
using System.Text.RegularExpressions;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.Processes;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// `./run.sh demo --cluster`: its exit code's claim, what it prints per router, and that it leaves nothing behind, at
/// its end or stopped by Ctrl-C. Only this run's own leftovers are looked for (its home's unique name): another demo
/// may run on the machine at the same time.
/// </summary>
public sealed class ClusterDemoTests
{
    [Fact]
    public async Task The_cluster_demo_switches_through_both_routers_across_a_leader_loss_exits_0_and_stops_what_it_started()
    {
        using var home = new TempHome();
        var result = await CliRunner.RunAsync(home.Root, ["demo", "--cluster", "--switches", "3"], timeout: TimeSpan.FromMinutes(6));
        var output = result.All;

        Assert.True(result.ExitCode == 0, output);
        Assert.Matches(@"data in \S+ \((tmpfs /dev/shm, [\d,]+ MiB free|a temporary directory: .+)\)", output);
        Assert.Matches(@"killed m\d \(http://127\.0\.0\.1:\d+\); m\d leads \d+ ms later", output);
        Assert.Contains("15/15 the journal in etcd: every switch, chained, equal to both hosts' mirrors", output);
        Assert.Contains("4 succeeded switches (the first apply and 3)", output);
        Assert.Equal(3, Regex.Matches(output, @"switch +\d: host[12] (apply|rollback) +→ v[12], verified on both routers").Count);
        var passed = Regex.Match(output, @"demo passed in [\d.]+ s: 3 switches, each verified on both routers; [\d,]+ requests, 0 failed \(host1's router ([\d,]+) requests, 0 failed; host2's router ([\d,]+) requests, 0 failed\)");
        Assert.True(passed.Success, output);
        Assert.NotEqual("0", passed.Groups[1].Value);
        Assert.NotEqual("0", passed.Groups[2].Value);

        // Its homes and etcd's data are gone and no process of it runs. Its ports are not probed: once freed, a test
        // running beside it may bind one of them.
        AssertNothingLeft(RootOf(output), output);
        var ports = Regex.Matches(output.Split('\n')[0], @":(\d+)").Select(m => int.Parse(m.Groups[1].Value))
            .Concat(Regex.Matches(output, @"m\d http://127\.0\.0\.1:(\d+)").Select(m => int.Parse(m.Groups[1].Value)))
            .ToList();
        Assert.Equal(9, ports.Count);
        Assert.Equal(ports.Count, ports.Distinct().Count()); // one allocator: no port given twice
    }

    [Fact]
    public async Task Ctrl_C_during_a_step_stops_that_steps_run_sh_and_everything_else_before_the_home_is_deleted()
    {
        using var home = new TempHome();
        using var demo = CliRunner.Start(home.Root, ["demo", "--cluster", "--switches", "3"]);
        try
        {
            var stderr = demo.StandardError.ReadToEndAsync();
            var seen = new StringBuilder();
            string? root = null;
            using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(10))) // the first run.sh of a run builds
            {
                while (root is null && await demo.StandardOutput.ReadLineAsync(limit.Token) is { } line)
                {
                    seen.AppendLine(line);
                    root = Regex.Match(line, "throw-away homes: (.+)/host1 and host2") is { Success: true } m ? m.Groups[1].Value : null;
                }
            }

            if (root is null)
            {
                Assert.Fail($"the demo never named its homes: {seen}{await stderr}");
                return;
            }

            var stdout = demo.StandardOutput.ReadToEndAsync();
            // A step's child at work: host1's DEPLOY_CMD (the sample's deploy.sh), under `run.sh deploy`, whose home the
            // demo deletes when it stops.
            await Poll.UntilAsync(() => ProcessesMentioning(root).Any(p => p.CommandLine.Contains("deploy.sh", StringComparison.Ordinal)),
                "host1's deploy step to run its DEPLOY_CMD", TimeSpan.FromMinutes(3), () => demo.HasExited ? $"the demo exited {demo.ExitCode}" : null);

            Assert.True(ProcessGroup.SignalProcess(demo.Id, ProcessGroup.SigInt));
            using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
            {
                await demo.WaitForExitAsync(limit.Token);
            }

            var output = seen + await stdout + await stderr;
            Assert.True(demo.ExitCode == 1, output);
            Assert.Contains("(stopped by a signal)", output); // the step it stopped in
            Assert.Equal("stopped by a signal", (await stderr).Trim().Split('\n').Last());
            AssertNothingLeft(root, output);
        }
        finally
        {
            if (!demo.HasExited)
            {
                demo.Kill(entireProcessTree: true); // a failed wait must not leave the demo running
            }
        }
    }

    [Fact]
    public async Task Without_etcd_on_the_path_it_names_the_debian_packages_and_exits_2()
    {
        // This machine's PATH as it is, less etcd and etcdctl (they sit in /usr/bin beside dotnet and bash, so a PATH
        // cannot simply leave their folder out): a folder of links to every program found on it, first one wins.
        using var home = new TempHome();
        var bin = home.Path_("path-without-etcd");
        Directory.CreateDirectory(bin);
        var linked = new HashSet<string>(StringComparer.Ordinal) { "etcd", "etcdctl" };
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Where(Directory.Exists))
        {
            foreach (var program in Directory.EnumerateFileSystemEntries(dir).Where(p => linked.Add(Path.GetFileName(p))))
            {
                File.CreateSymbolicLink(Path.Combine(bin, Path.GetFileName(program)), program);
            }
        }

        var result = await CliRunner.RunAsync(home.Root, ["demo", "--cluster"], new Dictionary<string, string> { ["PATH"] = bin }, TimeSpan.FromMinutes(10));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal($"demo --cluster: {LocalEtcdCluster.MissingPackages}", result.All.Trim().Split('\n').Last());
    }

    [Theory]
    [InlineData("demo --cluster --switches 2", "demo: --switches 2: at least 3 (the etcd leader is killed after a third of them and restarted after two thirds)")]
    [InlineData("demo --switches 5", "demo: --switches goes with --cluster")]
    [InlineData("demo --cluster --keep", "demo: --keep is for the file-mode demo; --cluster always stops its etcd cluster and routers")]
    public async Task A_bad_combination_is_one_line_and_exit_2(string args, string line)
    {
        using var home = new TempHome();
        var result = await CliRunner.RunAsync(home.Root, args.Split(' '), timeout: TimeSpan.FromMinutes(10));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(line, result.All.Trim().Split('\n').Last());
    }

    /// <summary>The demo's throw-away root, from "throw-away homes: ROOT/host1 and host2".</summary>
    private static string RootOf(string output)
    {
        var match = Regex.Match(output, "throw-away homes: (.+)/host1 and host2");
        Assert.True(match.Success, output);
        return match.Groups[1].Value;
    }

    /// <summary>
    /// This run's homes and etcd's data are gone and no process of it is left: none whose command line or environment
    /// holds the run's unique name (its routers' and steps' --home, the members' --data-dir, the slots' BG_HOME).
    /// </summary>
    private static void AssertNothingLeft(string root, string output)
    {
        Assert.False(Directory.Exists(root), $"{root} is still there: {output}");
        if (Regex.Match(output, @"data in (\S+) \(") is { Success: true } data)
        {
            Assert.False(Directory.Exists(data.Groups[1].Value), $"{data.Groups[1].Value} is still there: {output}");
        }

        var left = ProcessesMentioning(Path.GetFileName(root));
        Assert.True(left.Count == 0, $"still running: {string.Join(" | ", left.Select(p => $"{p.Pid} {p.CommandLine}"))}\n{output}");
    }

    /// <summary>The running processes (zombies left out) whose command line or environment contains <paramref name="text"/>.</summary>
    private static List<(int Pid, string CommandLine)> ProcessesMentioning(string text)
    {
        var found = new List<(int, string)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                if (ProcStat.Of(pid) is not { IsZombie: false })
                {
                    continue;
                }

                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var environment = File.ReadAllText(Path.Combine(dir, "environ"));
                if (commandLine.Contains(text, StringComparison.Ordinal) || environment.Contains(text, StringComparison.Ordinal))
                {
                    found.Add((pid, commandLine));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone while we looked, or another user's.
            }
        }

        return found;
    }
}
