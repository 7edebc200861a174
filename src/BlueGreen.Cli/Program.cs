using System.CommandLine;
using System.Runtime.InteropServices;
using BlueGreen.Cli.Commands;
using BlueGreen.Core.Input;

namespace BlueGreen.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = BuildCommandLine();
        ParseResult parse;
        try
        {
            parse = root.Parse(args);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {OperatorInput.Printable(e.Message)}");
            return 2;
        }

        // --help answers even a command line with errors (`deploy --help` lacks --version), as the parser intends.
        if (parse.Errors.Count > 0 && parse.Action is not { ClearsParseErrors: true })
        {
            foreach (var error in ParseErrors.Worth(parse))
            {
                Console.Error.WriteLine($"error: {OperatorInput.Printable(error.Message)}{ParseErrors.DidYouMean(parse, error)}");
            }

            Console.Error.WriteLine($"see {ParseErrors.CommandPath(parse)} --help");
            return 2;
        }

        // Help needs no home, and its command line may hold errors it cleared (`--home` twice): reading --home would throw.
        if (parse.Action is not { ClearsParseErrors: true } && CliContext.HomeProblem(parse) is { } homeProblem)
        {
            Console.Error.WriteLine($"error: {homeProblem}");
            return 2;
        }

        // SIGINT and SIGTERM cancel this token; each command then compensates or completes, journals its
        // outcome and exits with its documented code (docs/failure-modes.md). Nothing is cut short by a timeout.
        using var signalled = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, signalled.Token);
        }
        catch (OperationCanceledException) when (signalled.IsCancellationRequested)
        {
            Console.Error.WriteLine("stopped by a signal");
            return 1;
        }
        catch (Infrastructure.Etcd.EtcdUnavailableException e)
        {
            // ROUTING_STORE=etcd and the cluster does not answer: expected, and nothing was written (every write is one transaction).
            Console.Error.WriteLine($"error: {OperatorInput.Printable(e.Message)}; is the etcd cluster up? (ETCD_ENDPOINTS in conf/global.conf)");
            return 1;
        }
        catch (Exception e)
        {
            // No stack trace ever reaches an operator: one line, and the details in the error log.
            var log = UnexpectedErrors.Record(parse, e);
            Console.Error.WriteLine($"error: {OperatorInput.Printable(e.Message)} (unexpected; details in {log})");
            return 1;
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            signalled.Cancel();
        }
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
            RecoverCommand.Build(),
            LockCommand.Build(),
            StoreCommand.Build(),
            JournalCommand.Build(),
            RouterCommand.Build(),
            CockpitCommand.Build(),
            DemoCommand.Build(),
            TestCommand.Build(),
            VersionCommand.Build(),
        };
        root.Options.Add(CommonOptions.Home);
        root.Subcommands.Add(CompletionCommand.Build(root));
        RunShHelp.Install(root);
        return root;
    }
}

/// <summary>Where an unexpected error's details go: the home's var/log/errors.log, else the temp folder.</summary>
internal static class UnexpectedErrors
{
    public static string Record(ParseResult parse, Exception e)
    {
        var text = $"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {CliContext.CommandLineOf(parse)}\n{e}\n\n";
        foreach (var path in Candidates(parse))
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.AppendAllText(path, text);
                return path;
            }
            catch (Exception)
            {
                // A full or read-only disk: try the next place.
            }
        }

        return "(nowhere: no writable place for the error log)";
    }

    private static IEnumerable<string> Candidates(ParseResult parse)
    {
        string? home = null;
        try
        {
            home = CliContext.ResolveHome(parse).ErrorLog;
        }
        catch (Exception)
        {
            // An unusable --home: the temp folder still takes the details.
        }

        if (home is not null)
        {
            yield return home;
        }

        yield return Path.Combine(Path.GetTempPath(), "bluegreen-errors.log");
    }
}
