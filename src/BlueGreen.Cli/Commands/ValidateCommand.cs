using System.CommandLine;
using BlueGreen.Operations.Validating;

namespace BlueGreen.Cli.Commands;

/// <summary>`validate SITE`: runs every configured gate against the candidate.</summary>
public static class ValidateCommand
{
    public static Command Build()
    {
        var site = CommonOptions.Site();
        var json = CommonOptions.Json();
        var lockWait = CommonOptions.LockWait();
        var command = new Command("validate", "runs every configured gate against the candidate; stores a report bound to that deployment") { site, json, lockWait };
        command.SetAction(async (parse, ct) =>
        {
            var context = CliContext.Create(parse, parse.GetValue(json));
            if (context is null)
            {
                return 2;
            }

            var operation = new ValidateOperation(context.ForOperation(CliContext.CommandLineOf(parse), dryRunFlag: false, CommonOptions.LockWaitOf(parse, lockWait)), CliContext.Http);
            return context.Terminal.Finish(await operation.RunAsync(parse.GetValue(site)!, ct));
        });
        return command;
    }
}
