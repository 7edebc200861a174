using System.Text.RegularExpressions;

namespace BlueGreen.Core.Input;

/// <summary>
/// The one place where text from operators (arguments, environment, configuration) is judged before it
/// can reach a routing file, a journal line or a path. Patterns end in \z: `$` would accept a final "\n".
/// </summary>
public static partial class OperatorInput
{
    public const int MaxVersionLength = 128;
    public const int MaxSessionLength = 128;
    public const int MaxLockMessageLength = 200;

    [GeneratedRegex(@"\A[a-z0-9][a-z0-9-]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SiteNamePattern();

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._+:@/-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    public const string SiteNameRule = "[a-z0-9][a-z0-9-]{0,62} (lower-case letters, digits, '-')";

    public const string VersionRule = "letters, digits and . _ + : @ / - (at most 128, no spaces)";

    /// <summary>A site's name: also a file name, a Traefik router name and a journal field, so never a path.</summary>
    public static bool IsSiteName(string? name) => name is not null && SiteNamePattern().IsMatch(name);

    public static bool IsVersion(string? version) => version is not null && VersionPattern().IsMatch(version);

    /// <summary>True when the text holds a control character (newline, tab, escape, DEL, C1...).</summary>
    public static bool HasControl(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>For text we did not choose but must show (a user name, a client address): control characters become '?', capped.</summary>
    public static string Printable(string text, int max = 256)
    {
        var chars = text.Select(c => char.IsControl(c) || c is '\u2028' or '\u2029' ? '?' : c).Take(max).ToArray();
        return new string(chars);
    }

    /// <summary>The maintenance lock's reason: shown to every refused command and journaled, so one printable line.</summary>
    public static bool IsLockMessage(string? message) =>
        message is not null && message.Trim().Length > 0 && message.Length <= MaxLockMessageLength && !HasControl(message);

    public static string NotALockMessage(string? message) => message is null || message.Trim().Length == 0
        ? "--message is required: say why the site is locked (one line, at most 200 characters)"
        : $"--message '{Printable(message, 60)}{(message.Length > 60 ? "..." : "")}' must be one line of at most {MaxLockMessageLength} characters without control characters ({message.Length} characters{(HasControl(message) ? ", with control characters" : "")})";

    /// <summary>One line of error for a value that is not a site name.</summary>
    public static string NotASiteName(string name) => $"bad site name '{Printable(name, 80)}': use {SiteNameRule}";

    public static string NotAVersion(string version) => $"--version '{Printable(version, 140)}' is not a version: use {VersionRule}";
}
