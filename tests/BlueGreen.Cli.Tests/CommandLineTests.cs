using System.CommandLine;

namespace BlueGreen.Cli.Tests;

/// <summary>The real parser (Program.BuildCommandLine): every command of docs/reference.md, "Commands", exists, with its options.</summary>
public sealed class CommandLineTests
{
    private static readonly RootCommand Root = Program.BuildCommandLine();

    [Theory]
    [InlineData("status")]
    [InlineData("config")]
    [InlineData("deploy")]
    [InlineData("validate")]
    [InlineData("apply")]
    [InlineData("rollback")]
    [InlineData("journal")]
    [InlineData("router")]
    [InlineData("cockpit")]
    [InlineData("demo")]
    [InlineData("test")]
    public void Every_documented_command_exists_and_has_a_description(string name)
    {
        var command = Root.Subcommands.SingleOrDefault(c => c.Name == name);
        Assert.NotNull(command);
        Assert.False(string.IsNullOrWhiteSpace(command.Description));
    }

    [Theory]
    [InlineData("apply shop --yes --dry-run --json")]
    [InlineData("rollback shop --yes --force")]
    [InlineData("deploy shop --version 1.2.3 --dry-run --json")]
    [InlineData("validate shop --json")]
    [InlineData("status --json")]
    [InlineData("status shop --no-health")]
    [InlineData("journal shop --limit 5 --json")]
    [InlineData("journal verify")]
    [InlineData("config check --json")]
    [InlineData("--home /srv/bluegreen status")]
    [InlineData("apply shop --home /srv/bluegreen --yes")]
    public void The_documented_command_lines_parse(string line)
    {
        var parse = Root.Parse(line.Split(' '));
        Assert.Empty(parse.Errors);
    }

    [Theory]
    [InlineData("deploy shop")]
    [InlineData("apply")]
    [InlineData("journal --limit 0")]
    [InlineData("apply shop --colour")]
    public void Bad_command_lines_are_errors(string line)
    {
        Assert.NotEmpty(Root.Parse(line.Split(' ')).Errors);
    }
}
