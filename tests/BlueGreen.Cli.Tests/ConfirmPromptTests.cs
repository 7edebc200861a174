using System.Diagnostics;
using BlueGreen.Router;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>The y/n question before a switch, on a real pseudo-terminal (util-linux `script`).</summary>
public sealed class ConfirmPromptTests : TwoSlotHomeTest
{
    private RunningRouter? _router;

    protected override async Task SetUpAsync()
    {
        _router = await EmbeddedRouter.StartAsync(new RouterOptions(Home.Path_("var", "routes"), "127.0.0.1:0", "127.0.0.1:0", AccessLog: false), TextWriter.Null, CancellationToken.None);
        Home.WriteGlobal($"ROUTER_API={_router.ApiUrl}\nSWITCH_VERIFY_TIMEOUT=5\n");
        Home.AddSite("shop", A.Url, B.Url);
        foreach (var step in new[] { new[] { "deploy", "shop", "--version", "v1" }, ["validate", "shop"], ["apply", "shop", "--yes"], ["deploy", "shop", "--version", "v2"], ["validate", "shop"] })
        {
            var result = await Run(step);
            Assert.True(result.ExitCode == 0, result.ToString());
        }
    }

    protected override async Task TearDownAsync()
    {
        if (_router is not null)
        {
            await _router.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ctrl_c_at_the_question_is_a_no_at_once_journaled_and_nothing_switches()
    {
        var routing = Home.Path_("var", "routes", "bluegreen-shop.yml");
        var before = File.ReadAllBytes(routing);

        // `exec` and `env --default-signal=INT`: see StatusTests' watch test and CliRunner.Start.
        var info = new ProcessStartInfo("script") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-qfec", $"exec env --default-signal=INT '{RepoPaths.RunSh}' --home '{Home.Root}' apply shop", "/dev/null" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["TERM"] = "xterm";
        info.Environment["COLUMNS"] = "160";
        info.Environment["SHELL"] = "/bin/sh";
        using var script = Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        var reading = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = await script.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (output)
                {
                    output.Append(buffer, 0, n);
                }
            }
        });
        string Output()
        {
            lock (output)
            {
                return output.ToString();
            }
        }

        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (!Output().Contains("[y/n]") && DateTime.UtcNow < deadline && !script.HasExited)
            {
                await Task.Delay(100);
            }

            Assert.True(Output().Contains("[y/n]"), $"no question asked:\n{Output()}");
            await script.StandardInput.WriteAsync("\u0003");
            await script.StandardInput.FlushAsync();
            // Without the fix the prompt kept waiting for a key: the command never ended.
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await script.WaitForExitAsync(cts.Token);
            await reading;
            Assert.True(script.ExitCode == 3, $"exit {script.ExitCode}:\n{Output()}");
        }
        finally
        {
            if (!script.HasExited)
            {
                script.Kill(entireProcessTree: true);
            }
        }

        Assert.Equal(before, File.ReadAllBytes(routing));
        var journal = await Run("journal", "shop", "--json");
        Assert.Contains("not confirmed", journal.Stdout);
        var status = await Run("status", "shop", "--json", "--no-health");
        Assert.Contains("\"a\"", status.Stdout);
    }
}
