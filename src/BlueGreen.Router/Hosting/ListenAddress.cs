using System.Globalization;
using System.Net;

namespace BlueGreen.Router.Hosting;

/// <summary>Parses "HOST:PORT" (also "[::1]:PORT", ":PORT", "*:PORT"; an http:// prefix is tolerated, as ROUTER_API has one).</summary>
internal static class ListenAddress
{
    public static IPEndPoint Parse(string text)
    {
        var value = text.Trim();
        if (value.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            value = value["http://".Length..];
        }

        value = value.TrimEnd('/');
        var colon = value.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new FormatException($"'{text}' is not HOST:PORT");
        }

        var host = value[..colon].Trim('[', ']');
        return new IPEndPoint(ParseHost(host, text), port);
    }

    private static IPAddress ParseHost(string host, string text) => host switch
    {
        "" or "*" or "0.0.0.0" => IPAddress.Any,
        "localhost" => IPAddress.Loopback,
        _ when IPAddress.TryParse(host, out var ip) => ip,
        _ => Dns.GetHostAddresses(host).FirstOrDefault() ?? throw new FormatException($"'{text}': cannot resolve {host}"),
    };
}
