using System.Net;

namespace BlueGreen.Cockpit.Admin;

/// <summary>
/// Every POST must come from a page of the cockpit itself: its Origin (or, without one, its Referer)
/// names the address the request was sent to. On loopback, that address must be a loopback name too,
/// so a page whose DNS name was pointed at 127.0.0.1 (DNS rebinding) is not "the same origin".
/// Pure: the caller passes the request's headers.
/// </summary>
internal static class OriginCheck
{
    /// <summary>Null when the POST may go on; otherwise why it is refused.</summary>
    public static string? Refusal(string scheme, string host, string? origin, string? referer, bool loopbackOnly)
    {
        if (!Uri.TryCreate($"{scheme}://{host}", UriKind.Absolute, out var own) || own.PathAndQuery != "/")
        {
            return $"the Host header '{Printable(host)}' is not an address";
        }

        if (loopbackOnly && !IsLoopbackName(own))
        {
            return $"this cockpit listens on loopback, and the Host header '{Printable(host)}' is not a loopback name";
        }

        var (header, value) = origin is { Length: > 0 } ? ("Origin", origin) : ("Referer", referer);
        if (value is not { Length: > 0 })
        {
            return "the request has neither an Origin nor a Referer header";
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var from) && SameOrigin(from, own)
            ? null
            : $"its {header} '{Printable(value)}' is not this cockpit ({own.GetLeftPart(UriPartial.Authority)})";
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) &&
        string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) &&
        a.Port == b.Port;

    private static bool IsLoopbackName(Uri uri) =>
        uri.IsLoopback || string.Equals(uri.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase) ||
        (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Header text goes into an answer and the log: no control characters, bounded.</summary>
    private static string Printable(string text) => SafeText.Clean(text, 100);
}
