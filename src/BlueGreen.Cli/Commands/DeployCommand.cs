using System.CommandLine;
using BlueGreen.Operations.Deploying;

namespace BlueGreen.Cli.Commands;

/// <summary>`deploy SITE --version V`.</summary>
public static class DeployCommand
{
    public static Command Build()
    {
        var site = CommonOptions.Site();
        var version = new Option<string>("--version") { Description = "the version to put on the candidate slot", Required = true };
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var lockWait = CommonOptions.LockWait();
        var command = new Command("deploy", "puts a version on the candidate (green) slot; never touches the live one") { site, version, dryRun, json, lockWait };
        command.SetAction(async (parse, ct) =>
        {
            var context = CliContext.Create(parse, parse.GetValue(json));
            if (context is null)
            {
                return 2;
            }

            var operation = new DeployOperation(context.ForOperation(CliContext.CommandLineOf(parse), parse.GetValue(dryRun), CommonOptions.LockWaitOf(parse, lockWait)), CliContext.Http);
            return context.Terminal.Finish(await operation.RunAsync(parse.GetValue(site)!, parse.GetValue(version)!, ct));
        });
        return command;
    }
}
