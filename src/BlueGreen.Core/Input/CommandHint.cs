using System.Text.RegularExpressions;

namespace BlueGreen.Core.Input;

/// <summary>
/// The commands a message or hint tells the operator to run next, made exact: when the operator named a
/// home with --home, every `./run.sh` in the text gets it, so the suggested command works as printed.
/// </summary>
public static partial class CommandHint
{
    [GeneratedRegex(@"\./run\.sh(?= |$)", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex RunSh();

    [GeneratedRegex(@"\A[A-Za-z0-9_./:@%+=,-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex ShellSafe();

    /// <summary>The text with `--home HOME` after each `./run.sh`; unchanged without a home.</summary>
    public static string WithHome(string text, string? home)
    {
        if (string.IsNullOrEmpty(home) || !text.Contains("./run.sh", StringComparison.Ordinal))
        {
            return text;
        }

        var option = "./run.sh --home " + ShellQuote(home);
        return RunSh().Replace(text, option);
    }

    /// <summary>A word as a POSIX shell reads it back unchanged: bare when safe, else in single quotes.</summary>
    public static string ShellQuote(string word) =>
        word.Length > 0 && ShellSafe().IsMatch(word) ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
