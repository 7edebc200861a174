using System.CommandLine;
using BlueGreen.Cli.Logging;
using BlueGreen.Core.Configuration;
using BlueGreen.Router;

namespace BlueGreen.Cli.Commands;

/// <summary>`router`: the embedded router in the foreground, serving ROUTES_DIR (or etcd with ROUTING_STORE=etcd) on ROUTER_LISTEN with Traefik's API on ROUTER_API.</summary>
public static class RouterCommand
{
    public static Command Build()
    {
        var listen = CommonOptions.Listen("ROUTER_LISTEN");
        var api = CommonOptions.Listen("ROUTER_API", "--api", "HOST:PORT of the Traefik-shaped API (default: from ROUTER_API)");
        var accessLog = new Option<bool>("--access-log") { Description = "log one line per request (also ROUTER_ACCESS_LOG=1)" };
        var logFormat = ServiceLogging.FormatOption();
        var verbose = ServiceLogging.VerboseOption();
        var command = new Command("router", "runs the embedded router in the foreground (Ctrl-C or SIGTERM stops it gracefully)") { listen, api, accessLog, logFormat, verbose };
        command.SetAction(async (parse, ct) =>
        {
            if (ServiceLogging.ForService(parse, "router", logFormat, verbose) is not { } started)
            {
                return 2;
            }

            var (context, logging) = started;

            if (context.Global.Router == RouterKind.Traefik)
            {
                Console.Error.WriteLine("note: ROUTER=traefik in conf/global.conf: Traefik serves production; this embedded router runs anyway, on the same files");
            }

            var options = new RouterOptions(
                context.Home.RoutesDir(context.Global),
                parse.GetValue(listen) ?? context.Global.RouterListen,
                parse.GetValue(api) ?? ApiListenOf(context.Global.RouterApi),
                parse.GetValue(accessLog) || context.Global.RouterAccessLog)
            {
                // ROUTING_STORE=etcd: the routing other hosts switch is read from etcd, as Traefik's etcd provider reads it.
                EtcdEndpoints = context.Global.RoutingStore == RoutingStoreKind.Etcd ? context.Global.EtcdEndpointUrls : null,
                EtcdPrefix = context.Global.EtcdPrefix,
            };
            // Disposed last: the console logger writes its queued lines out on dispose.
            using var loggers = logging.CreateFactory(toStandardError: false);
            try
            {
                await using var router = await EmbeddedRouter.StartAsync(options, loggers, ct);
                await router.WaitForShutdownAsync();
                await router.StopAsync();
                return 0;
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"router: {e.Message}");
                return 2;
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"router: cannot listen: {e.Message} (ROUTER_LISTEN={options.Listen}, ROUTER_API={context.Global.RouterApi})");
                return 1;
            }
        });
        return command;
    }

    /// <summary>ROUTER_API is the URL clients use; the router listens on its host and port.</summary>
    private static string? ApiListenOf(Uri? api) => api is null ? null : $"{api.Host}:{api.Port}";
}
