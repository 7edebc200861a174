using System.CommandLine;

namespace BlueGreen.Cli.Commands;

/// <summary>`validate SITE`: runs every configured gate against the candidate.</summary>
public static class ValidateCommand
{
    public static Command Build()
    {
        var site = CommonOptions.Site();
        var json = CommonOptions.Json();
        var command = new Command("validate", "runs every configured gate against the candidate; stores a report bound to that deployment") { site, json };
        command.SetAction(parse => 1);
        return command;
    }
}
