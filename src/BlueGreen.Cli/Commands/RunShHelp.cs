using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Text.RegularExpressions;

namespace BlueGreen.Cli.Commands;

/// <summary>
/// `--help` as the operator types the command: the usage lines say `./run.sh`, not the program's file name
/// (the parser names the root after the executable, `bluegreen`, which an operator never runs).
/// </summary>
internal sealed partial class RunShHelp(HelpAction standard, string programName) : SynchronousCommandLineAction
{
    public static void Install(RootCommand root)
    {
        foreach (var option in root.Options)
        {
            if (option is HelpOption { Action: HelpAction standard } help)
            {
                help.Action = new RunShHelp(standard, root.Name);
            }
        }
    }

    /// <summary>As the standard help: `deploy --help` shows help even though --version is missing.</summary>
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parse)
    {
        // The standard help, written into a buffer, then printed with the usage lines as the operator types them.
        var configuration = parse.InvocationConfiguration;
        var output = configuration.Output;
        var text = new StringWriter();
        configuration.Output = text;
        try
        {
            standard.Invoke(parse);
        }
        finally
        {
            configuration.Output = output;
        }

        output.Write(ForRunSh(text.ToString(), programName));
        return 0;
    }

    /// <summary>The help text with the program's name at the start of each usage line replaced by ./run.sh.</summary>
    public static string ForRunSh(string help, string programName) =>
        Regex.Replace(help, $@"^(\s+){Regex.Escape(programName)}\b", "$1./run.sh", RegexOptions.Multiline);
}

/// <summary>`version`: the same as `--version` (run.sh answers both before starting the program, from git or the release's VERSION).</summary>
public static class VersionCommand
{
    public static Command Build()
    {
        var json = CommonOptions.Json();
        var command = new Command("version", "prints the version (the same as --version)") { json };
        command.SetAction(parse =>
        {
            Console.WriteLine(parse.GetValue(json) ? Core.Json.Serialize(new Output.VersionJson(Of()), Core.Json.Indented) : Of());
            return 0;
        });
        return command;
    }

    /// <summary>What run.sh says the version is (git describe, or the release's VERSION), else the program's own.</summary>
    public static string Of() =>
        Environment.GetEnvironmentVariable("BLUEGREEN_VERSION") is { Length: > 0 } fromRunSh ? fromRunSh
        : typeof(VersionCommand).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false) is [System.Reflection.AssemblyInformationalVersionAttribute v, ..]
            ? v.InformationalVersion
            : "0.0.0-unknown";
}
