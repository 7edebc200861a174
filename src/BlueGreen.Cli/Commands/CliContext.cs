using System.CommandLine;
using BlueGreen.Core;
using BlueGreen.Core.Configuration;
using BlueGreen.Infrastructure;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Cli.Output;
using BlueGreen.Operations.Common;

namespace BlueGreen.Cli.Commands;

/// <summary>Options every command shares, and the context built from them.</summary>
public static class CommonOptions
{
    public static readonly Option<string?> Home = new("--home")
    {
        Description = "installation folder (default: $BLUEGREEN_HOME, else the folder of run.sh)",
        Recursive = true,
    };

    public static Option<bool> Json() => new("--json") { Description = "print the result as JSON" };

    public static Option<bool> DryRun() => new("--dry-run") { Description = "show the exact plan and change nothing (also DRY_RUN=1)" };

    public static Option<bool> Yes() => new("--yes", "-y") { Description = "do not ask for confirmation (needed without a terminal)" };

    public static Argument<string> Site() => new("site") { Description = "the site's name (conf/sites/SITE.conf)" };
}

/// <summary>The installation, global configuration and identity a command runs with.</summary>
public sealed record CliContext(Home Home, GlobalConfig Global, Terminal Terminal, string Actor, string Via)
{
    public static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1), UseProxy = false })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public static Home ResolveHome(ParseResult parse)
    {
        var root = parse.GetValue(CommonOptions.Home)
            ?? Environment.GetEnvironmentVariable("BLUEGREEN_HOME")
            ?? Environment.GetEnvironmentVariable("BLUEGREEN_SCRIPT_DIR")
            ?? Directory.GetCurrentDirectory();
        return Infrastructure.Home.At(root);
    }

    /// <summary>Builds the context, or prints the configuration errors and returns null (exit 2).</summary>
    public static CliContext? Create(ParseResult parse, bool json, bool assumeYes = false)
    {
        var terminal = new Terminal(json, assumeYes);
        var home = ResolveHome(parse);
        var (global, errors) = ConfigLoader.LoadGlobal(home);
        var blocking = errors.Where(e => !e.IsWarning).ToList();
        if (blocking.Count > 0)
        {
            foreach (var error in blocking)
            {
                Console.Error.WriteLine(error);
            }

            return null;
        }

        var via = Environment.GetEnvironmentVariable("BLUEGREEN_VIA") is "cockpit" ? "cockpit" : "cli";
        var actor = Environment.GetEnvironmentVariable("BLUEGREEN_ACTOR") is { Length: > 0 } a ? a : $"{Environment.UserName}@{Environment.MachineName}";
        return new CliContext(home, global, terminal, actor, via);
    }

    public OperationContext ForOperation(string commandLine, bool dryRunFlag) =>
        new(Home, Global, Actor, Via, dryRunFlag || Global.DryRun, commandLine, TimeProvider.System, new TerminalReporter(Terminal));

    public static string CommandLineOf(ParseResult parse) => "run.sh " + string.Join(' ', parse.Tokens.Select(t => t.Value));
}
