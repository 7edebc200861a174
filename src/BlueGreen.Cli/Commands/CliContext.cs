using System.CommandLine;
using BlueGreen.Core;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Input;
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

    /// <summary>--lock-wait SECONDS: wait for a busy lock (or the maintenance lock) instead of exiting 4.</summary>
    public static Option<int?> LockWait() => new("--lock-wait")
    {
        Description = "wait up to SECONDS for a busy lock (or the maintenance lock) instead of exiting 4",
        HelpName = "SECONDS",
        CustomParser = r =>
        {
            var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
            if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n <= MaxLockWaitSeconds)
            {
                return n;
            }

            r.AddError($"--lock-wait must be a whole number of seconds from 0 to {MaxLockWaitSeconds} (got '{OperatorInput.Printable(text, 40)}')");
            return null;
        },
    };

    public const int MaxLockWaitSeconds = 86400;

    /// <summary>--listen HOST:PORT, checked by the one parser of listen addresses; it wins over <paramref name="key"/> in the environment and conf/global.conf.</summary>
    public static Option<string?> Listen(string key, string name = "--listen", string? description = null)
    {
        var option = new Option<string?>(name)
        {
            Description = description ?? $"HOST:PORT to listen on (default: {key})",
            HelpName = "HOST:PORT",
        };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && !ListenAddress.TryParse(text, out _, out var error))
            {
                r.AddError($"{name}: {OperatorInput.Printable(error, 200)}");
            }
        });
        return option;
    }

    public static TimeSpan LockWaitOf(ParseResult parse, Option<int?> option) => TimeSpan.FromSeconds(parse.GetValue(option) ?? 0);
}

/// <summary>The installation, global configuration and identity a command runs with.</summary>
public sealed record CliContext(Home Home, GlobalConfig Global, Terminal Terminal, string Actor, string Via, string? Session = null)
{
    public static HttpClient Http => Infrastructure.Net.HttpClients.Shared;

    public static Home ResolveHome(ParseResult parse)
    {
        var root = parse.GetValue(CommonOptions.Home)
            ?? Environment.GetEnvironmentVariable("BLUEGREEN_HOME")
            ?? Environment.GetEnvironmentVariable("BLUEGREEN_SCRIPT_DIR")
            ?? Directory.GetCurrentDirectory();
        return Infrastructure.Home.At(root);
    }

    /// <summary>
    /// Why the home named by --home or $BLUEGREEN_HOME cannot be used (it is not a folder), or null. Checked before
    /// any command runs: a mistyped home must not read as "no sites".
    /// </summary>
    public static string? HomeProblem(ParseResult parse)
    {
        var (named, by) = parse.GetValue(CommonOptions.Home) is { } option ? (option, "--home")
            : Environment.GetEnvironmentVariable("BLUEGREEN_HOME") is { Length: > 0 } env ? (env, "BLUEGREEN_HOME") : (null, null);
        if (named is null)
        {
            return null;
        }

        if (named.Length == 0 || OperatorInput.HasControl(named))
        {
            return $"{by} '{OperatorInput.Printable(named, 200)}' is not a folder's path";
        }

        return Directory.Exists(named) ? null : $"{by} {OperatorInput.Printable(named, 200)}: no such folder";
    }

    /// <summary>Builds the context, or prints the configuration errors and returns null (exit 2).</summary>
    public static CliContext? Create(ParseResult parse, bool json, bool assumeYes = false)
    {
        var terminal = new Terminal(json, assumeYes, parse.GetValue(CommonOptions.Home));
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
        string? session = null;
        if (via == "cockpit" && Environment.GetEnvironmentVariable("BLUEGREEN_SESSION") is { Length: > 0 } s)
        {
            if (s.Length > OperatorInput.MaxSessionLength || OperatorInput.HasControl(s))
            {
                Console.Error.WriteLine($"error: BLUEGREEN_SESSION must be one line of at most {OperatorInput.MaxSessionLength} characters");
                return null;
            }

            session = s;
        }

        return new CliContext(home, global, terminal, OperatingSystemActor(), via, session);
    }

    /// <summary>The journal's actor: who the operating system says runs this command, never a value an environment can set.</summary>
    public static string OperatingSystemActor() => OperatorInput.Printable($"{Environment.UserName}@{Environment.MachineName}", 128);

    public OperationContext ForOperation(string commandLine, bool dryRunFlag, TimeSpan lockWait = default) =>
        new(Home, Global, Actor, Via, dryRunFlag || Global.DryRun, commandLine, TimeProvider.System, new TerminalReporter(Terminal), Session, lockWait);

    /// <summary>The command as the lock's holder file shows it; operator text made printable.</summary>
    public static string CommandLineOf(ParseResult parse) => OperatorInput.Printable("run.sh " + string.Join(' ', parse.Tokens.Select(t => t.Value)), 512);
}
