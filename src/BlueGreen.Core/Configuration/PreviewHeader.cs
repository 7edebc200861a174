namespace BlueGreen.Core.Configuration;

/// <summary>PREVIEW_HEADER (`NAME: VALUE`): requests on the production rule that carry this header reach the candidate.</summary>
public sealed record PreviewHeader(string Name, string Value)
{
    public override string ToString() => $"{Name}: {Value}";

    /// <summary>
    /// Parses `NAME: VALUE`: NAME an RFC 7230 token, VALUE visible characters and inner spaces (Go trims the
    /// spaces around a header value, so they are trimmed here too). A backtick is refused in both: each goes
    /// inside a backtick-quoted argument of Traefik's Header matcher. Null with the reason when it is not one.
    /// </summary>
    public static (PreviewHeader? Header, string? Error) Parse(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return (null, $"'{text}' is not NAME: VALUE (e.g. X-BlueGreen-Preview: 1)");
        }

        var name = text[..colon].Trim(' ', '\t');
        var value = text[(colon + 1)..].Trim(' ', '\t');
        if (!IsToken(name) || name.Contains('`'))
        {
            return (null, $"'{name}' is not a header name (letters, digits and !#$%&'*+-.^_|~)");
        }

        if (value.Length == 0)
        {
            return (null, $"the header {name} has no value (e.g. {name}: 1)");
        }

        if (value.Any(c => c == '`' || (c is < ' ' or > '~' && c != '\t')))
        {
            return (null, $"the value '{value}' of {name} may hold only visible ASCII characters and spaces, and no backtick");
        }

        return (new PreviewHeader(name, value), null);
    }

    /// <summary>An RFC 7230 token (section 3.2.6): one or more tchar.</summary>
    public static bool IsToken(string text) => text.Length > 0 && text.All(IsTokenChar);

    // RFC 7230 section 3.2.6: tchar.
    private static bool IsTokenChar(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
        or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
