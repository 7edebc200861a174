using System.CommandLine;
using BlueGreen.Cli.Demo;
using BlueGreen.Cli.Output;
using BlueGreen.Infrastructure.Etcd;

namespace BlueGreen.Cli.Commands;

/// <summary>`demo`: the full cycle, live, on the embedded router; exits 0 only when every step held.</summary>
public static class DemoCommand
{
    public static Command Build()
    {
        var keep = new Option<bool>("--keep") { Description = "leave the router and the sample app running at the end (prints how to stop them)" };
        var cluster = new Option<bool>("--cluster")
        {
            Description = "ROUTING_STORE=etcd: a 3-member etcd cluster and two hosts' routers on loopback, switching under load while the etcd leader is killed and restarted (needs etcd-server and etcd-client)",
        };
        var switches = new Option<int?>("--switches") { Description = $"with --cluster: how many switches (at least 3; default {ClusterDemoRunner.DefaultSwitches})" };
        var command = new Command("demo", "the full blue/green cycle, live, on the embedded router, in a throw-away home") { keep, cluster, switches };
        command.SetAction(async (parse, ct) =>
        {
            var runSh = Environment.GetEnvironmentVariable("BLUEGREEN_RUN_SH");
            if (runSh is null || !File.Exists(runSh))
            {
                Console.Error.WriteLine("demo: start it through ./run.sh demo");
                return 2;
            }

            var terminal = new Terminal(json: false, assumeYes: true);
            var repoRoot = Path.GetDirectoryName(runSh)!;
            if (!parse.GetValue(cluster))
            {
                if (parse.GetValue(switches) is not null)
                {
                    Console.Error.WriteLine("demo: --switches goes with --cluster");
                    return 2;
                }

                return await new DemoRunner(terminal, runSh, repoRoot, parse.GetValue(keep)).RunAsync(ct);
            }

            if (parse.GetValue(keep))
            {
                Console.Error.WriteLine("demo: --keep is for the file-mode demo; --cluster always stops its etcd cluster and routers");
                return 2;
            }

            var count = parse.GetValue(switches) ?? ClusterDemoRunner.DefaultSwitches;
            if (count < 3)
            {
                Console.Error.WriteLine($"demo: --switches {count}: at least 3 (the etcd leader is killed after a third of them and restarted after two thirds)");
                return 2;
            }

            if (!LocalEtcdCluster.Installed)
            {
                Console.Error.WriteLine($"demo --cluster: {LocalEtcdCluster.MissingPackages}");
                return 2;
            }

            return await new ClusterDemoRunner(terminal, runSh, repoRoot, count).RunAsync(ct);
        });
        return command;
    }
}
