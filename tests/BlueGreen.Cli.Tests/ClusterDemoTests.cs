using System.Diagnostics;
using System.Text.RegularExpressions;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>`./run.sh demo --cluster`: its exit code's claim, what it prints per router, and that it leaves nothing behind.</summary>
public sealed class ClusterDemoTests
{
    [Fact]
    public async Task The_cluster_demo_switches_through_both_routers_across_a_leader_loss_exits_0_and_stops_what_it_started()
    {
        var before = Leftovers();
        var (code, output) = await RunDemoAsync(TimeSpan.FromMinutes(4), "demo", "--cluster", "--switches", "3");

        Assert.True(code == 0, output);
        Assert.Matches(@"killed m\d \(http://127\.0\.0\.1:\d+\); m\d leads \d+ ms later", output);
        Assert.Contains("15/15 the journal in etcd: every switch, chained, equal to both hosts' mirrors", output);
        Assert.Contains("4 succeeded switches (the first apply and 3)", output);
        Assert.Equal(3, Regex.Matches(output, @"switch +\d: host[12] (apply|rollback) +→ v[12], verified on both routers").Count);
        var passed = Regex.Match(output, @"demo passed in [\d.]+ s: 3 switches, each verified on both routers; [\d,]+ requests, 0 failed \(host1's router ([\d,]+) requests, 0 failed; host2's router ([\d,]+) requests, 0 failed\)");
        Assert.True(passed.Success, output);
        Assert.NotEqual("0", passed.Groups[1].Value);
        Assert.NotEqual("0", passed.Groups[2].Value);

        // Its homes and etcd's data are gone, no process of it runs, and nothing answers on its ports (slots, routers, etcd).
        Assert.Equal(before, Leftovers());
        Assert.DoesNotContain(Process.GetProcesses(), p => CommandLine(p).Contains("bluegreen-cluster-demo-", StringComparison.Ordinal));
        var ports = Regex.Matches(output.Split('\n')[0], @":(\d+)").Select(m => int.Parse(m.Groups[1].Value))
            .Concat(Regex.Matches(output, @"m\d http://127\.0\.0\.1:(\d+)").Select(m => int.Parse(m.Groups[1].Value)))
            .ToList();
        Assert.Equal(9, ports.Count);
        foreach (var port in ports)
        {
            using var client = new System.Net.Sockets.TcpClient();
            await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => client.ConnectAsync("127.0.0.1", port));
        }
    }

    [Theory]
    [InlineData("demo --cluster --switches 2", "demo: --switches 2: at least 3 (the etcd leader is killed after a third of them and restarted after two thirds)")]
    [InlineData("demo --switches 5", "demo: --switches goes with --cluster")]
    [InlineData("demo --cluster --keep", "demo: --keep is for the file-mode demo; --cluster always stops its etcd cluster and routers")]
    public async Task A_bad_combination_is_one_line_and_exit_2(string args, string line)
    {
        var (code, output) = await RunDemoAsync(TimeSpan.FromMinutes(3), args.Split(' '));

        Assert.True(code == 2, output);
        Assert.Equal(line, output.Trim().Split('\n').Last());
    }

    private static async Task<(int Code, string Output)> RunDemoAsync(TimeSpan limit, params string[] args)
    {
        var info = new ProcessStartInfo(RepoPaths.RunSh) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["TERM"] = "dumb";
        using var demo = Process.Start(info)!;
        var stdout = demo.StandardOutput.ReadToEndAsync();
        var stderr = demo.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(limit);
        await demo.WaitForExitAsync(deadline.Token);
        return (demo.ExitCode, await stdout + await stderr);
    }

    private static HashSet<string> Leftovers() =>
        [.. Directory.GetDirectories(Path.GetTempPath(), "bluegreen-cluster-demo-*"),
         .. Directory.Exists("/dev/shm") ? Directory.GetDirectories("/dev/shm", "bluegreen-cluster-demo-*") : []];

    private static string CommandLine(Process process)
    {
        try
        {
            return File.ReadAllText($"/proc/{process.Id}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }
}
