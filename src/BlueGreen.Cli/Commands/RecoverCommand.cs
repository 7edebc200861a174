using System.CommandLine;
using BlueGreen.Operations.Recovering;

namespace BlueGreen.Cli.Commands;

/// <summary>`recover SITE`: the state adopts what the routing file serves (drift's explicit, journaled resolution).</summary>
public static class RecoverCommand
{
    public static Command Build()
    {
        var site = CommonOptions.Site();
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var lockWait = CommonOptions.LockWait();
        var command = new Command("recover", "resolves drift: records in the state what the routing file serves (never changes routing; see docs/failure-modes.md)") { site, dryRun, json, lockWait };
        command.SetAction(async (parse, ct) =>
        {
            var context = CliContext.Create(parse, parse.GetValue(json));
            if (context is null)
            {
                return 2;
            }

            var operation = new RecoverOperation(context.ForOperation(CliContext.CommandLineOf(parse), parse.GetValue(dryRun), CommonOptions.LockWaitOf(parse, lockWait)));
            return context.Terminal.Finish(await operation.RunAsync(parse.GetValue(site)!, ct));
        });
        return command;
    }
}
