using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace BlueGreen.Core.Routing.Rules;

/// <summary>
/// A ClientIP argument as Traefik's ip.Checker reads it: one address (Go's net.ParseIP) or a CIDR range
/// (net.ParseCIDR). As in Go, an IPv4 address and its IPv4-mapped IPv6 form are the same address, and an
/// IPv6 range never contains an IPv4 client.
/// </summary>
public sealed class ClientIpRange
{
    private readonly byte[] _network;
    private readonly int _prefixBits;

    private ClientIpRange(byte[] network, int prefixBits)
    {
        _network = network;
        _prefixBits = prefixBits;
    }

    public static bool TryParse(string text, [NotNullWhen(true)] out ClientIpRange? range)
    {
        range = null;
        var slash = text.IndexOf('/');
        if (slash < 0)
        {
            if (!TryParseAddress(text, out var single))
            {
                return false;
            }

            var bytes = Normalize(single);
            range = new ClientIpRange(bytes, bytes.Length * 8);
            return true;
        }

        var bitsText = text[(slash + 1)..];
        if (!TryParseAddress(text[..slash], out var address) || bitsText.Length == 0 || !bitsText.All(char.IsAsciiDigit)
            || !int.TryParse(bitsText, NumberStyles.None, CultureInfo.InvariantCulture, out var bits))
        {
            return false;
        }

        // ParseCIDR keeps the family as written: ::ffff:10.0.0.0/104 is an IPv6 range.
        var network = address.GetAddressBytes();
        if (bits > network.Length * 8)
        {
            return false;
        }

        range = new ClientIpRange(network, bits);
        return true;
    }

    public bool Contains(IPAddress? client)
    {
        if (client is null)
        {
            return false;
        }

        var bytes = Normalize(client);
        if (bytes.Length != _network.Length)
        {
            return false;
        }

        var full = _prefixBits / 8;
        if (!bytes.AsSpan(0, full).SequenceEqual(_network.AsSpan(0, full)))
        {
            return false;
        }

        var rest = _prefixBits % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - rest));
        return (bytes[full] & mask) == (_network[full] & mask);
    }

    private static byte[] Normalize(IPAddress address) =>
        (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).GetAddressBytes();

    /// <summary>Go's strict syntax: dotted-decimal IPv4 without leading zeros, or IPv6 without zone or brackets.</summary>
    private static bool TryParseAddress(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.Contains(':'))
        {
            return !text.Contains('%') && !text.Contains('[') && IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        var parts = text.Split('.');
        if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || (p.Length > 1 && p[0] == '0') || int.Parse(p, CultureInfo.InvariantCulture) > 255))
        {
            return false;
        }

        address = IPAddress.Parse(text);
        return true;
    }
}
