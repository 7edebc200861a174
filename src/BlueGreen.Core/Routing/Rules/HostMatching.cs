namespace BlueGreen.Core.Routing.Rules;

/// <summary>
/// How Traefik compares a request's host with Host(`…`): the request decorator's canonical host
/// (pkg/middlewares/requestdecorator: port and IPv6 brackets removed, trimmed, lower-cased) matched by
/// the Host builder (pkg/muxer/http/matcher.go), with one leading "*." label as a wildcard and a trailing dot
/// ignored on either side. Hosts are compared as sent: a punycode (xn--) request host matches the punycode rule.
/// </summary>
public static class HostMatching
{
    /// <summary>The canonical host of a Host header value, as Traefik's requestdecorator.parseHost + CanonicalDomain.</summary>
    public static string CanonicalHost(string hostHeader)
    {
        var host = hostHeader;
        if (host.Contains(':'))
        {
            if (TrySplitHostPort(host, out var name))
            {
                host = name;
            }
            else if (host.Length > 1 && host[0] == '[' && host[^1] == ']')
            {
                host = host[1..^1];
            }
        }

        // ToLowerInvariant returns the same instance when nothing changes: no allocation for the usual host.
        return host.Trim().ToLowerInvariant();
    }

    /// <summary>Traefik's Host matcher for an expression already lower-cased at compile time.</summary>
    public static bool Matches(string canonicalHost, string hostExpression)
    {
        if (hostExpression == "*")
        {
            return true;
        }

        if (canonicalHost.Length == 0)
        {
            return false;
        }

        if (DomainMatches(canonicalHost, hostExpression))
        {
            return true;
        }

        if (hostExpression.EndsWith('.') && DomainMatches(canonicalHost, hostExpression[..^1]))
        {
            return true;
        }

        return canonicalHost.EndsWith('.') && DomainMatches(canonicalHost[..^1], hostExpression);
    }

    // muxer.DomainMatchHostExpression: "*…" replaces the request's first label by "*" and compares the rest.
    private static bool DomainMatches(string domain, string expression)
    {
        if (!expression.StartsWith('*'))
        {
            return string.Equals(domain, expression, StringComparison.OrdinalIgnoreCase);
        }

        var dot = domain.IndexOf('.');
        var rest = dot < 0 ? ReadOnlySpan<char>.Empty : domain.AsSpan(dot);
        return expression.AsSpan(1).Equals(rest, StringComparison.OrdinalIgnoreCase);
    }

    // Go's net.SplitHostPort, keeping only the host.
    private static bool TrySplitHostPort(string hostPort, out string host)
    {
        host = "";
        var colon = hostPort.LastIndexOf(':');
        if (hostPort[0] == '[')
        {
            var end = hostPort.IndexOf(']');
            if (end < 0 || end + 1 != colon)
            {
                return false;
            }

            host = hostPort[1..end];
        }
        else
        {
            host = hostPort[..colon];
            if (host.Contains(':'))
            {
                return false;
            }
        }

        return !host.Contains('[') && !host.Contains(']') && !hostPort.AsSpan(colon + 1).ContainsAny('[', ']');
    }
}
