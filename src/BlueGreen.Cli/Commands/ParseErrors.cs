using System.CommandLine;
using System.CommandLine.Parsing;
using BlueGreen.Core.Input;

namespace BlueGreen.Cli.Commands;

/// <summary>How a command line the parser refused is explained: "did you mean", and which help to read.</summary>
internal static class ParseErrors
{
    /// <summary>The errors worth a line: "a command is required" says nothing more when a mistyped command is reported.</summary>
    public static IEnumerable<ParseError> Worth(ParseResult parse)
    {
        var mistyped = parse.Errors.Any(e => parse.UnmatchedTokens.Any(t => e.Message.Contains($"'{t}'", StringComparison.Ordinal)));
        return parse.Errors.Where(e => !(mistyped && e.Message.StartsWith("Required command was not provided", StringComparison.Ordinal)));
    }

    /// <summary>" (did you mean X?)" when the error is about a token that is a typo of a command or option where it stands.</summary>
    public static string DidYouMean(ParseResult parse, ParseError error)
    {
        foreach (var token in parse.UnmatchedTokens)
        {
            if (error.Message.Contains($"'{token}'", StringComparison.Ordinal))
            {
                return Suggestion.DidYouMean(token, WordsAt(parse.CommandResult.Command, parse.RootCommandResult.Command, token.StartsWith('-')));
            }
        }

        return "";
    }

    /// <summary>`./run.sh lock acquire`: the command the parse reached, as the operator types it.</summary>
    public static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (SymbolResult? result = parse.CommandResult; result is CommandResult command && command.Parent is not null; result = command.Parent)
        {
            names.Insert(0, command.Command.Name);
        }

        return string.Join(' ', ["./run.sh", .. names]);
    }

    /// <summary>What may be typed at this point: the command's subcommands, or its options and the recursive ones.</summary>
    private static IEnumerable<string> WordsAt(Command command, Command root, bool option) =>
        option
            ? command.Options.Concat(root.Options.Where(o => o.Recursive)).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal))
            : command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name);
}
