using System.Text;

namespace BlueGreen.Core.Routing.Rules;

/// <summary>
/// The path Traefik's Path, PathPrefix and PathRegexp see, from the raw (still percent-encoded) request path.
/// Traefik's entry point first normalizes it (percent-escapes upper-cased, escaped unreserved characters decoded:
/// normalizePath), then sanitizes it (".", ".." and repeated slashes removed, a trailing slash kept: sanitizePath,
/// on by default), and the muxer decodes every escape except reserved characters (withRoutingPath), so
/// PathPrefix(`/foo bar`) matches /foo%20bar while /a%2Fb stays /a%2Fb and never matches Path(`/a/b`).
/// </summary>
public static class RoutingPath
{
    // RFC 3986 reserved characters plus '%' itself (pkg/muxer/http/mux.go reservedCharacters).
    private const string Reserved = ":/?#[]@!$&'()*+,;=%";

    public static string FromRawPath(string rawPath)
    {
        if (rawPath.Length == 0)
        {
            return "/";
        }

        if (!NeedsWork(rawPath))
        {
            return rawPath;
        }

        return Decode(Sanitize(rawPath));
    }

    private static bool NeedsWork(string path) =>
        path.Contains('%') || path.Contains("//", StringComparison.Ordinal) || path.Contains("/.", StringComparison.Ordinal) || path[0] != '/';

    /// <summary>Go's URL.JoinPath(): path.Join (Clean) on the escaped path, keeping a trailing slash.</summary>
    private static string Sanitize(string path)
    {
        // Unreserved escapes (such as %2E for '.') are decoded before cleaning, as normalizePath runs first.
        var normalized = Normalize(path);
        var relative = normalized[0] != '/';
        var segments = new List<string>();
        foreach (var segment in normalized.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                continue;
            }

            segments.Add(segment);
        }

        var cleaned = "/" + string.Join('/', segments);
        if (normalized.EndsWith('/') && !cleaned.EndsWith('/'))
        {
            cleaned += "/";
        }

        return relative ? cleaned[1..] : cleaned;
    }

    /// <summary>normalizePath: upper-case every escape, decode the unreserved ones (ALPHA DIGIT - . _ ~).</summary>
    private static string Normalize(string path)
    {
        var result = new StringBuilder(path.Length);
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '%' && IsHex(path, i + 1) && IsHex(path, i + 2))
            {
                var value = (char)Convert.ToInt32(path.Substring(i + 1, 2), 16);
                if (char.IsAsciiLetterOrDigit(value) || value is '-' or '.' or '_' or '~')
                {
                    result.Append(value);
                }
                else
                {
                    result.Append('%').Append(char.ToUpperInvariant(path[i + 1])).Append(char.ToUpperInvariant(path[i + 2]));
                }

                i += 2;
                continue;
            }

            result.Append(path[i]);
        }

        return result.ToString();
    }

    /// <summary>withRoutingPath: decode every escape except the reserved characters' (kept as %XX), bytes as UTF-8.</summary>
    private static string Decode(string path)
    {
        if (!path.Contains('%'))
        {
            return path;
        }

        var input = Encoding.UTF8.GetBytes(path);
        var output = new List<byte>(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] == '%' && i + 2 < input.Length && Uri.IsHexDigit((char)input[i + 1]) && Uri.IsHexDigit((char)input[i + 2]))
            {
                var value = Convert.ToByte(Encoding.ASCII.GetString(input, i + 1, 2), 16);
                if (value < 0x80 && Reserved.Contains((char)value))
                {
                    output.AddRange(input.AsSpan(i, 3));
                }
                else
                {
                    output.Add(value);
                }

                i += 2;
                continue;
            }

            output.Add(input[i]);
        }

        return Encoding.UTF8.GetString(output.ToArray());
    }

    private static bool IsHex(string s, int i) => i < s.Length && Uri.IsHexDigit(s[i]);
}
