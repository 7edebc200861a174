using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace BlueGreen.Core.Configuration;

/// <summary>
/// Where a server listens: "HOST:PORT" with an IP address, "localhost", "*" or nothing as host
/// ("[::1]:PORT" for IPv6; port 0 = any free port). The one parser of ROUTER_LISTEN, COCKPIT_LISTEN
/// and the API address; an http:// prefix is tolerated, as ROUTER_API has one.
/// </summary>
public sealed record ListenAddress(string Host, int Port)
{
    public static bool TryParse(string text, [NotNullWhen(true)] out ListenAddress? address, out string error)
    {
        address = null;
        var value = text.Trim();
        if (value.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            value = value["http://".Length..];
        }

        value = value.TrimEnd('/');
        var colon = value.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            error = $"'{text}' is not HOST:PORT";
            return false;
        }

        var host = value[..colon].Trim('[', ']');
        if (host is not ("" or "*" or "localhost") && !IPAddress.TryParse(host, out _))
        {
            error = $"'{text}': the host must be an IP address, localhost or * (not a name to resolve)";
            return false;
        }

        address = new ListenAddress(host, port);
        error = "";
        return true;
    }

    public static ListenAddress Parse(string text) =>
        TryParse(text, out var address, out var error) ? address : throw new FormatException(error);

    public IPAddress IpAddress => Host switch
    {
        "" or "*" => IPAddress.Any,
        "localhost" => IPAddress.Loopback,
        _ => IPAddress.Parse(Host),
    };

    public IPEndPoint EndPoint => new(IpAddress, Port);

    public bool IsLoopback => Host == "localhost" || (IPAddress.TryParse(Host, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>The host as it goes in a URL ([v6] in brackets).</summary>
    public string UrlHost => IPAddress.TryParse(Host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Host}]" : Host;

    public override string ToString() => $"{UrlHost}:{Port}";
}
