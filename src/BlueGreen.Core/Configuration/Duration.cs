using System.Globalization;

namespace BlueGreen.Core.Configuration;

/// <summary>Durations in configuration files: seconds by default, or with a unit (ms, s, m); docs/reference.md, "Configuration files".</summary>
public static class Duration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var t = text.Trim();
        (string number, double factorMs) = t switch
        {
            _ when t.EndsWith("ms", StringComparison.Ordinal) => (t[..^2], 1.0),
            _ when t.EndsWith('s') => (t[..^1], 1000.0),
            _ when t.EndsWith('m') => (t[..^1], 60_000.0),
            _ => (t, 1000.0),
        };
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 10_000_000)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(n * factorMs);
        return true;
    }

    public static string Format(TimeSpan value) =>
        value.TotalMilliseconds % 1000 != 0 ? $"{value.TotalMilliseconds:0}ms" : $"{value.TotalSeconds:0}s";
}
