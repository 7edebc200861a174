using System.Diagnostics;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>The README's first command: `./run.sh demo` runs the whole cycle, exits 0 and leaves nothing behind.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task The_demo_runs_the_cycle_under_load_with_no_failed_request_and_stops_what_it_started()
    {
        // The demo makes its throw-away home under TMPDIR: a directory of this test's own, so what is left there, and which
        // processes still name it, is this demo's alone (not a parallel test's, not an earlier run's).
        using var tmp = new TempHome(globalConf: null);
        var info = new ProcessStartInfo(RepoPaths.RunSh, "demo") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["TERM"] = "dumb";
        info.Environment["TMPDIR"] = tmp.Root;
        using var demo = Process.Start(info)!;
        var stdout = demo.StandardOutput.ReadToEndAsync();
        var stderr = demo.StandardError.ReadToEndAsync();
        using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
        {
            try
            {
                await demo.WaitForExitAsync(limit.Token);
            }
            finally
            {
                if (!demo.HasExited)
                {
                    demo.Kill(entireProcessTree: true); // a demo past its deadline must not outlive the test
                }
            }
        }

        var output = await stdout + await stderr;

        Assert.True(demo.ExitCode == 0, output);
        Assert.Contains("10/10 journal verify", output);
        Assert.Matches(@"demo passed in [\d.]+ s: [\d,]+ requests, 0 failed", output);
        Assert.Contains("hello from version=v1 slot=a", output);
        Assert.Contains(tmp.Root, output); // it did use that TMPDIR
        Assert.Empty(Directory.GetDirectories(tmp.Root, "bluegreen-demo-*")); // its home is gone, and with it the pid files of what it started
        // Its router runs with the home in its command line, its slots (`dotnet Hello.dll --urls …`) with this TMPDIR in
        // their environment, which every process of the demo inherits: none is left. (Its ports are not probed: once
        // freed, a parallel test may bind them.)
        Assert.DoesNotContain(Process.GetProcesses(), p => Proc(p, "cmdline").Contains(tmp.Root, StringComparison.Ordinal)
            || Proc(p, "environ").Contains($"TMPDIR={tmp.Root}\0", StringComparison.Ordinal));
    }

    /// <summary>A /proc file of the process (its arguments or environment, NUL-separated), or "" once it is gone.</summary>
    private static string Proc(Process process, string file)
    {
        try
        {
            return File.ReadAllText($"/proc/{process.Id}/{file}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
