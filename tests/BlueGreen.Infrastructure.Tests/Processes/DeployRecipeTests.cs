using BlueGreen.Core.Slots;
using BlueGreen.Infrastructure.Processes;
using BlueGreen.Testing;

namespace BlueGreen.Infrastructure.Tests.Processes;

/// <summary>Runs docs/recipes/deploy-plain-process.sh, as documented, through the product's ShellCommand.</summary>
public sealed class DeployRecipeTests : IDisposable
{
    private readonly TempDir _home = new();
    private readonly List<int> _started = [];

    public void Dispose()
    {
        foreach (var pid in _started)
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill();
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }

        _home.Dispose();
    }

    [Fact]
    public async Task The_plain_process_recipe_replaces_the_process_on_its_slot_and_leaves_the_other_slot_alone()
    {
        var a1 = await DeployAsync(Slot.A, "1.0");
        var b1 = await DeployAsync(Slot.B, "1.1");
        Assert.True(IsAlive(a1) && IsAlive(b1));

        var b2 = await DeployAsync(Slot.B, "1.2");

        Assert.NotEqual(b1, b2);
        await Poll.UntilAsync(() => !IsAlive(b1), "the previous process on slot b to be stopped");
        Assert.True(IsAlive(b2), "the new process on slot b outlives the deploy command");
        Assert.True(IsAlive(a1), "slot a (live) is not touched");
        // The recipe's `sh -c "exec APP"` becomes APP a moment after the pid is written.
        await Poll.UntilAsync(() => CommandLineOf(b2) == "sleep 3002", "the new process on slot b to be the app itself (sleep 3002)");
    }

    private static string CommandLineOf(int pid) => File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();

    private async Task<int> DeployAsync(Slot slot, string version)
    {
        var env = new Dictionary<string, string>(CommandEnvironment.Build("shop", slot, new Uri($"http://127.0.0.1:{(slot == Slot.A ? 7001 : 7002)}"), version, _home.Path))
        {
            // The "application": a process whose command line ends with the version's last digit, so the pid file can be checked to name the app itself.
            ["APP_START"] = $"sleep 300{version[^1]}",
        };
        var command = $"sh '{RecipePath()}'";

        var result = await new ShellCommand().RunAsync(new ShellCommandRequest(command, _home.Path, env, TimeSpan.FromSeconds(30)));

        Assert.True(result.Succeeded, string.Join('\n', result.Tail));
        var pid = int.Parse(File.ReadAllText(Path.Combine(_home.Path, "var/run", $"shop-{slot.Name()}.pid")).Trim());
        _started.Add(pid);
        return pid;
    }

    private static bool IsAlive(int pid) => ProcStat.IsRunning(pid);

    private static string RecipePath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "BlueGreen.slnx")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "docs/recipes/deploy-plain-process.sh");
    }
}
