using BlueGreen.Router;
using BlueGreen.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BlueGreen.Cli.Tests;

/// <summary>The y/n question before a switch, on a real pseudo-terminal (util-linux `script`).</summary>
public sealed class ConfirmPromptTests : TwoSlotHomeTest
{
    private RunningRouter? _router;

    protected override async Task SetUpAsync()
    {
        _router = await EmbeddedRouter.StartAsync(new RouterOptions(Home.Path_("var", "routes"), "127.0.0.1:0", "127.0.0.1:0", AccessLog: false), NullLoggerFactory.Instance, CancellationToken.None);
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

        using (var terminal = PseudoTerminal.Start(Home.Root, "apply shop"))
        {
            Assert.True(await terminal.WaitForAsync(o => o.Contains("[y/n]"), TimeSpan.FromSeconds(90)), $"no question asked:\n{terminal.Output}");
            await terminal.TypeAsync("\u0003");
            // Without the fix the prompt kept waiting for a key: the command never ended.
            var exit = await terminal.ExitCodeAsync(TimeSpan.FromSeconds(30));
            Assert.True(exit == 3, $"exit {exit}:\n{terminal.Output}");
        }

        Assert.Equal(before, File.ReadAllBytes(routing));
        var journal = await Run("journal", "shop", "--json");
        Assert.Contains("not confirmed", journal.Stdout);
        var status = await Run("status", "shop", "--json", "--no-health");
        Assert.Contains("\"a\"", status.Stdout);
    }
}
