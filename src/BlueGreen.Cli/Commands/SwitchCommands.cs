using System.CommandLine;
using BlueGreen.Core.Switching;
using BlueGreen.Operations.Switching;

namespace BlueGreen.Cli.Commands;

/// <summary>`apply SITE` and `rollback SITE`: the only commands that switch production traffic.</summary>
public static class SwitchCommands
{
    public static Command Apply() => Build(SwitchKind.Apply, "apply", "the switch: the validated candidate becomes live (asks first; --yes without a terminal)");

    public static Command Rollback() => Build(SwitchKind.Rollback, "rollback", "restores the routing that was live before the last switch");

    private static Command Build(SwitchKind kind, string name, string description)
    {
        var site = CommonOptions.Site();
        var yes = CommonOptions.Yes();
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var lockWait = CommonOptions.LockWait();
        var expect = new Option<string?>("--expect")
        {
            Description = "the plan printed by --dry-run (DEPLOYMENT@ROUTING): refused (exit 3) if the candidate or the routing changed since",
            HelpName = "PLAN",
        };
        expect.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && PlanId.Parse(text, out var error) is null)
            {
                r.AddError($"--expect: {error}");
            }
        });
        var command = new Command(name, description) { site, yes, dryRun, json, lockWait, expect };
        Option<string?>? weight = null;
        if (kind == SwitchKind.Apply)
        {
            // Text, checked here: the one-line error names --weight whatever was typed (a word, 0, 100, 12.5).
            weight = new Option<string?>("--weight")
            {
                Description = "a step: send P % (1-99) of new requests to the candidate and the rest to the live slot; apply without it completes the switch",
                HelpName = "P",
            };
            weight.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<string?>() is { } text && SwitchPolicy.CheckWeight(text, out _) is { } error)
                {
                    r.AddError(error);
                }
            });
            command.Options.Add(weight);
        }

        Option<bool>? force = null;
        if (kind == SwitchKind.Rollback)
        {
            force = new Option<bool>("--force") { Description = "roll back even if the previous slot fails its health check (journaled)" };
            command.Options.Add(force);
        }

        command.SetAction(async (parse, ct) =>
        {
            var context = CliContext.Create(parse, parse.GetValue(json), parse.GetValue(yes));
            if (context is null)
            {
                return 2;
            }

            var operation = new SwitchOperation(context.ForOperation(CliContext.CommandLineOf(parse), parse.GetValue(dryRun), CommonOptions.LockWaitOf(parse, lockWait)), CliContext.Http);
            var expected = parse.GetValue(expect) is { } text ? PlanId.Parse(text, out _) : null;
            int? percent = weight is not null && parse.GetValue(weight) is { } w && SwitchPolicy.CheckWeight(w, out var p) is null ? p : null;
            var result = await operation.RunAsync(kind, parse.GetValue(site)!, force is not null && parse.GetValue(force), ct, expected, percent);
            return context.Terminal.Finish(result);
        });
        return command;
    }
}
