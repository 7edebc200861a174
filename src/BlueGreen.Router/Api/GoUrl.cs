using System.Globalization;
using System.Text;

namespace BlueGreen.Router.Api;

/// <summary>
/// Go's net/url decoding as Traefik's API handler meets it (url.PathUnescape on a name, Request.URL.Query()),
/// so a name or a query reads here exactly as it reads in Traefik. ASP.NET's own decoding differs: Kestrel
/// decodes the path (all but %2F) before routing, and its query parser keeps bad escapes and ';' pairs.
/// </summary>
internal static class GoUrl
{
    /// <summary>url.PathUnescape: every '%' starts two hex digits, '+' stays '+'; the error is Go's text.</summary>
    public static bool TryPathUnescape(string escaped, out string value, out string error) =>
        TryUnescape(escaped, plusIsSpace: false, out value, out error);

    /// <summary>
    /// url.ParseQuery, first value per key (url.Values.Get): pairs split on '&amp;'; a pair holding ';' or a bad
    /// escape is dropped; '+' is a space.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ParseQuery(string rawQuery)
    {
        var first = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in rawQuery.Split('&'))
        {
            if (pair.Length == 0 || pair.Contains(';'))
            {
                continue;
            }

            var eq = pair.IndexOf('=');
            var (rawKey, rawValue) = eq < 0 ? (pair, "") : (pair[..eq], pair[(eq + 1)..]);
            if (TryUnescape(rawKey, plusIsSpace: true, out var key, out _) && TryUnescape(rawValue, plusIsSpace: true, out var value, out _))
            {
                first.TryAdd(key, value);
            }
        }

        return first;
    }

    /// <summary>strconv.Atoi: optional sign, decimal digits only; out of range clamps (with an error) as Go does.</summary>
    public static bool TryAtoi(string text, out long value)
    {
        value = 0;
        var digits = text.AsSpan();
        var negative = false;
        if (digits.Length > 0 && (digits[0] == '+' || digits[0] == '-'))
        {
            negative = digits[0] == '-';
            digits = digits[1..];
        }

        if (digits.Length == 0)
        {
            return false;
        }

        // Go scans left to right and stops at the first fault: a bad character gives 0, an overflow the clamp.
        ulong magnitude = 0;
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            if (magnitude > (ulong.MaxValue - (ulong)(c - '0')) / 10)
            {
                value = negative ? long.MinValue : long.MaxValue;
                return false;
            }

            magnitude = magnitude * 10 + (ulong)(c - '0');
        }

        if (!negative && magnitude > long.MaxValue)
        {
            value = long.MaxValue;
            return false;
        }

        if (negative && magnitude > (ulong)long.MaxValue + 1)
        {
            value = long.MinValue;
            return false;
        }

        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return true;
    }

    /// <summary>Go's %q for a string: double quotes, with quote, backslash and non-printables escaped.</summary>
    public static string Quote(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (var rune in text.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\v': sb.Append("\\v"); break;
                default:
                    if (!IsPrint(rune))
                    {
                        sb.Append(rune.Value switch
                        {
                            < 0x80 => $"\\x{rune.Value:x2}",
                            < 0x10000 => $"\\u{rune.Value:x4}",
                            _ => $"\\U{rune.Value:x8}",
                        });
                    }
                    else
                    {
                        sb.Append(rune.ToString());
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    private static bool TryUnescape(string s, bool plusIsSpace, out string value, out string error)
    {
        value = "";
        error = "";
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '%' && (i + 2 >= s.Length || !IsHex(s[i + 1]) || !IsHex(s[i + 2])))
            {
                error = "invalid URL escape " + Quote(s.Substring(i, Math.Min(3, s.Length - i)));
                return false;
            }
        }

        // Escapes decode to bytes; the bytes are read as UTF-8 (Go keeps raw bytes, invalid ones show as U+FFFD here).
        var bytes = new List<byte>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '%')
            {
                bytes.Add(byte.Parse(s.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
            else if (s[i] == '+' && plusIsSpace)
            {
                bytes.Add((byte)' ');
            }
            else
            {
                var end = i;
                while (end < s.Length && s[end] != '%' && !(s[end] == '+' && plusIsSpace))
                {
                    end++;
                }

                bytes.AddRange(Encoding.UTF8.GetBytes(s[i..end]));
                i = end - 1;
            }
        }

        value = Encoding.UTF8.GetString(bytes.ToArray());
        return true;
    }

    /// <summary>Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    private static bool IsPrint(Rune rune) => rune.Value == ' ' || Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator => false,
        _ => true,
    };

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
}
