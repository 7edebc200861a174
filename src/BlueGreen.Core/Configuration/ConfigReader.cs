using System.Globalization;

namespace BlueGreen.Core.Configuration;

/// <summary>
/// Typed access to the entries of one parsed file. Each getter records an error naming the
/// file and line instead of throwing, so that `config check` can report every problem in one pass.
/// </summary>
internal sealed class ConfigReader(ConfigFile file, List<ConfigError> errors)
{
    public string Path => file.Path;

    public string? Raw(string key) => file.Entries.TryGetValue(key, out var entry) ? entry.Value : null;

    public int LineOf(string key) => file.Entries.TryGetValue(key, out var entry) ? entry.Line : 0;

    /// <summary>Records a problem with a key's value where the value came from: the file's line, or the environment.</summary>
    public void Error(string key, string message) => errors.Add(
        file.Entries.TryGetValue(key, out var entry) && entry.Source is { } source ? new ConfigError(source, 0, message) : new ConfigError(file.Path, LineOf(key), message));

    public string String(string key, string fallback) => Raw(key) is { } v ? v : fallback;

    public string Required(string key)
    {
        var value = Raw(key);
        if (string.IsNullOrWhiteSpace(value))
        {
            Error(key, value is null ? $"missing required key {key}" : $"{key} must not be empty");
            return "";
        }

        return value;
    }

    public TimeSpan Duration(string key, TimeSpan fallback, TimeSpan? minimum = null)
    {
        var raw = Raw(key);
        if (raw is null)
        {
            return fallback;
        }

        if (!Configuration.Duration.TryParse(raw, out var value))
        {
            Error(key, $"{key}: '{raw}' is not a duration (seconds, or a number with ms, s or m)");
            return fallback;
        }

        if (value < (minimum ?? TimeSpan.Zero))
        {
            Error(key, $"{key}: {raw} is below the minimum of {Configuration.Duration.Format(minimum ?? TimeSpan.Zero)}");
            return fallback;
        }

        return value;
    }

    public int Integer(string key, int fallback, int min, int max)
    {
        var raw = Raw(key);
        if (raw is null)
        {
            return fallback;
        }

        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Error(key, $"{key}: '{raw}' is not a whole number from {min} to {max}");
            return fallback;
        }

        return value;
    }

    public T Choice<T>(string key, T fallback, IReadOnlyDictionary<string, T> choices)
    {
        var raw = Raw(key);
        if (raw is null)
        {
            return fallback;
        }

        if (!choices.TryGetValue(raw, out var value))
        {
            Error(key, $"{key}: '{raw}' is not one of {string.Join(", ", choices.Keys)}");
            return fallback;
        }

        return value;
    }

    public Uri? HttpUrl(string key, bool required)
    {
        var raw = required ? Required(key) : Raw(key);
        if (string.IsNullOrEmpty(raw))
        {
            return null;
        }

        if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            Error(key, $"{key}: '{raw}' is not an http:// or https:// URL");
            return null;
        }

        return uri;
    }

    public string ListenAddress(string key, string fallback)
    {
        var raw = String(key, fallback);
        if (!Configuration.ListenAddress.TryParse(raw, out _, out var error))
        {
            Error(key, $"{key}: {error}");
            return fallback;
        }

        return raw;
    }
}
