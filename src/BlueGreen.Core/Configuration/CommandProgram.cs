using System.Text;

namespace BlueGreen.Core.Configuration;

/// <summary>What the first word of a DEPLOY_CMD/TEST_CMD is, as far as can be told without running a shell.</summary>
public enum ProgramKind
{
    /// <summary>An empty command.</summary>
    None,

    /// <summary>A program to find on PATH, or a path (with a '/') to a file.</summary>
    Program,

    /// <summary>A built-in of sh (cd, echo, printf, test, ...): nothing to find.</summary>
    Builtin,

    /// <summary>
    /// Something only a shell can resolve: a reserved word (if, for, {, !), a subshell, a redirection first,
    /// a name made of $VARIABLES, `...`, ~ or a glob. Not checked rather than wrongly refused.
    /// </summary>
    ShellConstruct,
}

/// <summary>
/// The program a configured command runs first (<c>sh -c CMD</c>): leading VAR=value assignments and
/// <c>exec</c> are skipped; quotes are removed as sh would. Pure: whether the program exists is asked elsewhere.
/// </summary>
public sealed record CommandProgram(ProgramKind Kind, string Name)
{
    private static readonly HashSet<string> ReservedWords = new(StringComparer.Ordinal)
    {
        "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for", "in",
        "function", "select", "{", "}", "!", "[[", "]]", "time",
    };

    // POSIX special and regular built-ins, and the few every sh (dash, bash, busybox) adds.
    private static readonly HashSet<string> Builtins = new(StringComparer.Ordinal)
    {
        ".", ":", "[", "alias", "bg", "break", "cd", "command", "continue", "echo", "eval", "exit", "export",
        "false", "fc", "fg", "getopts", "hash", "jobs", "kill", "local", "printf", "pwd", "read", "readonly",
        "return", "set", "shift", "source", "test", "times", "trap", "true", "type", "ulimit", "umask",
        "unalias", "unset", "wait",
    };

    private const string Operators = ";&|<>()";

    public static CommandProgram Of(string command)
    {
        var i = 0;
        while (true)
        {
            while (i < command.Length && char.IsWhiteSpace(command[i]))
            {
                i++;
            }

            if (i >= command.Length)
            {
                return new CommandProgram(ProgramKind.None, "");
            }

            if (Operators.Contains(command[i]) || command[i] == '#')
            {
                return new CommandProgram(ProgramKind.ShellConstruct, command[i].ToString());
            }

            var start = i;
            var (word, dynamic) = ReadWord(command, ref i);
            var raw = command[start..i];
            if (IsAssignment(raw))
            {
                continue;
            }

            if (dynamic || word.Length == 0 || ReservedWords.Contains(raw) || word.StartsWith('~') || (word.IndexOfAny(['*', '?', '[']) >= 0 && word != "["))
            {
                return new CommandProgram(ProgramKind.ShellConstruct, raw);
            }

            if (word == "exec")
            {
                continue;
            }

            return new CommandProgram(Builtins.Contains(word) ? ProgramKind.Builtin : ProgramKind.Program, word);
        }
    }

    /// <summary>One word with its quotes removed; dynamic when sh would expand something in it ($, `).</summary>
    private static (string Word, bool Dynamic) ReadWord(string s, ref int i)
    {
        var word = new StringBuilder();
        var dynamic = false;
        while (i < s.Length && !char.IsWhiteSpace(s[i]) && !Operators.Contains(s[i]))
        {
            var c = s[i];
            if (c == '\'')
            {
                var end = s.IndexOf('\'', i + 1);
                end = end < 0 ? s.Length : end;
                word.Append(s, i + 1, end - i - 1);
                i = Math.Min(end + 1, s.Length);
            }
            else if (c == '"')
            {
                i++;
                while (i < s.Length && s[i] != '"')
                {
                    if (s[i] == '\\' && i + 1 < s.Length)
                    {
                        i++;
                    }

                    dynamic |= s[i] is '$' or '`';
                    word.Append(s[i]);
                    i++;
                }

                i = Math.Min(i + 1, s.Length);
            }
            else if (c == '\\' && i + 1 < s.Length)
            {
                word.Append(s[i + 1]);
                i += 2;
            }
            else
            {
                dynamic |= c is '$' or '`';
                word.Append(c);
                i++;
            }
        }

        return (word.ToString(), dynamic);
    }

    /// <summary>NAME=... before the command: an assignment for the command's environment, not a program.</summary>
    private static bool IsAssignment(string raw)
    {
        var equals = raw.IndexOf('=');
        return equals > 0 && (char.IsAsciiLetter(raw[0]) || raw[0] == '_') && raw[..equals].All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
    }
}
