using System.Net;

namespace BlueGreen.Cockpit.Hosting;

/// <summary>A parsed COCKPIT_LISTEN (host:port, [v6]:port).</summary>
internal sealed record Listen(string Host, int Port)
{
    public static Listen Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out var port) || port is < 0 or > 65535)
        {
            throw new CockpitStartException($"COCKPIT_LISTEN='{text}' is not host:port");
        }

        return new Listen(text[..colon].Trim('[', ']'), port);
    }

    public bool IsLoopback =>
        Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(Host, out var ip) && IPAddress.IsLoopback(ip));

    public string UrlHost => IPAddress.TryParse(Host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Host}]" : Host;
}
