namespace BlueGreen.Core.Configuration;

/// <summary>
/// One KEY=VALUE line as read from a file, with where it came from; <paramref name="Source"/> names what set it
/// when that was not the file (an environment variable: line 0).
/// </summary>
public sealed record ConfigEntry(string Key, string Value, int Line, string? Source = null);

/// <summary>The lines of one configuration file, and what was wrong with their syntax.</summary>
public sealed record ConfigFile(string Path, IReadOnlyDictionary<string, ConfigEntry> Entries, IReadOnlyList<ConfigError> Errors);

/// <summary>
/// Reads the KEY=VALUE format (docs/reference.md, "Configuration files"). Values are taken literally (quotes stripped), never
/// evaluated by a shell: `$(...)` in a value stays text.
/// </summary>
public static class ConfigFileParser
{
    public static ConfigFile Parse(string path, string text, IReadOnlySet<string> knownKeys)
    {
        var entries = new Dictionary<string, ConfigEntry>(StringComparer.Ordinal);
        var errors = new List<ConfigError>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var line = lines[i].TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var equals = line.IndexOf('=');
            if (equals <= 0)
            {
                errors.Add(new ConfigError(path, lineNumber, $"malformed line (expected KEY=VALUE): {Shorten(line)}"));
                continue;
            }

            var key = line[..equals].Trim();
            if (!IsKeySyntax(key))
            {
                errors.Add(new ConfigError(path, lineNumber, $"malformed key '{Shorten(key)}' (expected letters, digits and _)"));
                continue;
            }

            if (!TryUnquote(line[(equals + 1)..].Trim(), out var value, out var quoteError))
            {
                errors.Add(new ConfigError(path, lineNumber, $"{key}: {quoteError}"));
                continue;
            }

            // Values reach routing files, journal lines and shells: no raw control characters (a tab is fine).
            if (HasControl(value))
            {
                errors.Add(new ConfigError(path, lineNumber, $"{key}: the value holds a control character"));
                continue;
            }

            if (!knownKeys.Contains(key))
            {
                errors.Add(new ConfigError(path, lineNumber, $"unknown key {key}{Input.Suggestion.DidYouMean(key, knownKeys)}"));
                continue;
            }

            if (entries.TryGetValue(key, out var first))
            {
                errors.Add(new ConfigError(path, lineNumber, $"duplicate key {key} (first set on line {first.Line})"));
                continue;
            }

            entries[key] = new ConfigEntry(key, value, lineNumber);
        }

        return new ConfigFile(path, entries, errors);
    }

    /// <summary>
    /// The environment laid over a file (precedence: environment, then file, then the default): each known key
    /// set to a non-empty value in <paramref name="environment"/> replaces the file's line. An empty variable
    /// counts as unset, as shells treat it.
    /// </summary>
    public static ConfigFile WithEnvironment(ConfigFile file, IReadOnlyDictionary<string, string> environment, IReadOnlySet<string> knownKeys)
    {
        var entries = new Dictionary<string, ConfigEntry>(file.Entries, StringComparer.Ordinal);
        var errors = new List<ConfigError>(file.Errors);
        foreach (var key in knownKeys.Order(StringComparer.Ordinal))
        {
            if (!environment.TryGetValue(key, out var value) || value.Length == 0)
            {
                continue;
            }

            if (HasControl(value))
            {
                errors.Add(new ConfigError(EnvironmentSource, 0, $"{key}: the value holds a control character"));
                continue;
            }

            entries[key] = new ConfigEntry(key, value, 0, EnvironmentSource);
        }

        return file with { Entries = entries, Errors = errors };
    }

    /// <summary>How an error in a value set by an environment variable is located.</summary>
    public const string EnvironmentSource = "environment";

    private static bool HasControl(string value) => value.Any(c => c != '\t' && (char.IsControl(c) || c is '\u2028' or '\u2029'));

    private static bool IsKeySyntax(string key) =>
        key.Length > 0 && (char.IsAsciiLetterUpper(key[0]) || key[0] == '_') && key.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_');

    private static bool TryUnquote(string raw, out string value, out string error)
    {
        error = "";
        value = raw;
        if (raw.Length == 0)
        {
            return true;
        }

        var quote = raw[0];
        if (quote != '"' && quote != '\'')
        {
            // An unquoted value may carry a trailing comment: `KEY=value # why` (space or tab before #).
            var hash = TrailingCommentStart(raw);
            value = hash >= 0 ? raw[..hash].TrimEnd() : raw;

            // `KEY=value"` is a typo; `KEY=./deploy.sh "$BG_VERSION"` (balanced quotes inside) is a value.
            var last = value.Length > 0 ? value[^1] : '\0';
            if ((last == '"' || last == '\'') && value.Count(c => c == last) % 2 == 1)
            {
                error = "closing quote without an opening one";
                return false;
            }

            return true;
        }

        var close = raw.IndexOf(quote, 1);
        if (close < 0)
        {
            error = "unterminated quote";
            return false;
        }

        var rest = raw[(close + 1)..].Trim();
        if (rest.Length > 0 && !rest.StartsWith('#'))
        {
            error = $"unexpected text after the closing quote: {Shorten(rest)}";
            return false;
        }

        value = raw[1..close];
        return true;
    }

    private static int TrailingCommentStart(string raw)
    {
        for (var i = 1; i < raw.Length; i++)
        {
            if (raw[i] == '#' && (raw[i - 1] == ' ' || raw[i - 1] == '\t'))
            {
                return i - 1;
            }
        }

        return -1;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
