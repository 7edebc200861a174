using System.CommandLine;
using BlueGreen.Cli.Logging;
using BlueGreen.Cockpit.Hosting;
using BlueGreen.Core.Configuration;

namespace BlueGreen.Cli.Commands;

/// <summary>`cockpit`: the web cockpit in the foreground, until Ctrl-C or SIGTERM.</summary>
public static class CockpitCommand
{
    public static Command Build()
    {
        var listen = CommonOptions.Listen("COCKPIT_LISTEN");
        var logFormat = ServiceLogging.FormatOption();
        var verbose = ServiceLogging.VerboseOption();
        var command = new Command("cockpit", "runs the cockpit in the foreground (COCKPIT_LISTEN; COCKPIT_MODE safe = read-only, admin = actions through run.sh)") { listen, logFormat, verbose };
        command.SetAction(async (parse, ct) =>
        {
            if (ServiceLogging.ForService(parse, "cockpit", logFormat, verbose) is not { } started)
            {
                return 2;
            }

            var (context, logging) = started;

            // Precedence: the option, then the environment and the file (read together into Global), then the default.
            if (parse.GetValue(listen) is { } address)
            {
                context = context with { Global = context.Global with { CockpitListen = address } };
            }

            // Disposed last: the console logger writes its queued lines out on dispose.
            using var loggers = logging.CreateFactory(toStandardError: true);
            RunningCockpit running;
            try
            {
                running = await CockpitHost.StartAsync(new CockpitOptions(context.Home, context.Global), loggers, ct);
            }
            catch (CockpitStartException e)
            {
                Console.Error.WriteLine($"cockpit: refused to start: {e.Message}");
                return 2;
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"cockpit: cannot listen on {context.Global.CockpitListen}: {e.Message}");
                return 1;
            }

            var mode = context.Global.CockpitMode == CockpitMode.Admin ? "admin mode (actions run ./run.sh, every one journaled)" : "safe mode, read-only";
            Console.WriteLine($"cockpit: {running.Url} · {mode} · home {context.Home.Root} · Ctrl-C to stop");
            // System.CommandLine cancels ct on Ctrl-C and SIGTERM.
            await using (ct.Register(() => _ = running.StopAsync()))
            {
                await running.WaitForShutdownAsync();
            }

            await running.DisposeAsync();
            return 0;
        });
        return command;
    }
}
