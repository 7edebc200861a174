using System.CommandLine;
using BlueGreen.Cli.Commands;

namespace BlueGreen.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = BuildCommandLine();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"error: {error.Message}");
            }

            Console.Error.WriteLine($"see ./run.sh {string.Join(' ', parse.CommandResult.Command.Name == root.Name ? [] : new[] { parse.CommandResult.Command.Name })} --help".Replace("  ", " "));
            return 2;
        }

        return await parse.InvokeAsync();
    }

    /// <summary>The whole command tree; tests parse with it too.</summary>
    public static RootCommand BuildCommandLine()
    {
        var root = new RootCommand("BlueGreen Orchestrator: explicit, audited blue/green switches of sites behind Traefik.")
        {
            StatusCommand.Build(),
            ConfigCommand.Build(),
            DeployCommand.Build(),
            ValidateCommand.Build(),
            SwitchCommands.Apply(),
            SwitchCommands.Rollback(),
            JournalCommand.Build(),
            RouterCommand.Build(),
            CockpitCommand.Build(),
            DemoCommand.Build(),
            TestCommand.Build(),
        };
        root.Options.Add(CommonOptions.Home);
        return root;
    }
}
