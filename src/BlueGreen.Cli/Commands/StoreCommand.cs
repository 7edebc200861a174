using System.CommandLine;
using BlueGreen.Core.Configuration;
using BlueGreen.Operations.Store;

namespace BlueGreen.Cli.Commands;

/// <summary>`store migrate --to etcd|file` (docs/etcd.md, "Moving a home").</summary>
public static class StoreCommand
{
    public static Command Build() => new("store", "where routing, state, journal and locks live (ROUTING_STORE): move them between files and etcd")
    {
        Migrate(),
    };

    private static Command Migrate()
    {
        var to = new Option<string>("--to") { Description = "etcd or file: where to copy routing, state and journal", Required = true };
        to.AcceptOnlyFromAmong("etcd", "file");
        var json = CommonOptions.Json();
        var lockWait = CommonOptions.LockWait();
        var command = new Command("migrate", "copies every site's routing and state and the journal into the other store, reads them back and journals it") { to, json, lockWait };
        command.SetAction(async (parse, ct) =>
        {
            var context = CliContext.Create(parse, parse.GetValue(json));
            if (context is null)
            {
                return 2;
            }

            var operation = new StoreMigration(context.ForOperation(CliContext.CommandLineOf(parse), dryRunFlag: false, CommonOptions.LockWaitOf(parse, lockWait)));
            var kind = parse.GetValue(to) == "etcd" ? RoutingStoreKind.Etcd : RoutingStoreKind.File;
            return context.Terminal.Finish(await operation.MigrateAsync(kind, ct));
        });
        return command;
    }
}
