using System.Diagnostics;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>The README's first command: `./run.sh demo` runs the whole cycle, exits 0 and leaves nothing behind.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task The_demo_runs_the_cycle_under_load_with_no_failed_request_and_stops_what_it_started()
    {
        var demosBefore = Directory.GetDirectories(Path.GetTempPath(), "bluegreen-demo-*").ToHashSet();
        var info = new ProcessStartInfo(RepoPaths.RunSh, "demo") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["TERM"] = "dumb";
        using var demo = Process.Start(info)!;
        var stdout = demo.StandardOutput.ReadToEndAsync();
        var stderr = demo.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await demo.WaitForExitAsync(limit.Token);
        var output = await stdout + await stderr;

        Assert.True(demo.ExitCode == 0, output);
        Assert.Contains("10/10 journal verify", output);
        Assert.Matches(@"demo passed in [\d.]+ s: [\d,]+ requests, 0 failed", output);
        Assert.Contains("hello from version=v1 slot=a", output);
        var home = Directory.GetDirectories(Path.GetTempPath(), "bluegreen-demo-*").Where(d => !demosBefore.Contains(d)).ToList();
        Assert.Empty(home); // its throw-away home is gone, and with it the pid files of what it started
        Assert.DoesNotContain(Process.GetProcesses(), p => CommandLine(p).Contains("bluegreen-demo-", StringComparison.Ordinal));

        // "slots a (:PORT) and b (:PORT), embedded router on :PORT, API on :PORT": nothing answers there any more.
        var ports = System.Text.RegularExpressions.Regex.Matches(output.Split('\n')[0], @":(\d+)").Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(4, ports.Count);
        foreach (var port in ports)
        {
            using var client = new System.Net.Sockets.TcpClient();
            await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => client.ConnectAsync("127.0.0.1", port));
        }
    }

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
