using System.Net;
using System.Text.RegularExpressions;
using BlueGreen.Core.Routing.Rules;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace BlueGreen.Router.Proxy;

/// <summary>
/// What Traefik's matchers read from a request, each derived once and only when a matcher asks for it:
/// the canonical host, the routing path, the parsed query. One instance per request.
/// </summary>
internal sealed class RequestFacts(HttpContext context)
{
    private string? _host;
    private string? _path;
    private Dictionary<string, List<string>>? _query;

    public string Host => _host ??= HostMatching.CanonicalHost(context.Request.Headers.Host.ToString());

    public string Path => _path ??= ComputePath();

    public string Method => context.Request.Method;

    public IPAddress? ClientAddress => context.Connection.RemoteIpAddress;

    /// <summary>The values of one header, each header line apart; Go moves Host out of the header map, so it has none.</summary>
    public StringValues Header(string name) =>
        string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase) ? StringValues.Empty : context.Request.Headers[name];

    public List<string>? Query(string key) =>
        (_query ??= QueryValues.Parse(context.Request.QueryString.HasValue ? context.Request.QueryString.Value![1..] : "")).GetValueOrDefault(key);

    private string ComputePath()
    {
        // Kestrel's Request.Path is already decoded and dot-segment-free; Traefik routes on the raw target.
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return context.Request.Path.Value is { Length: > 0 } p ? p : "/";
        }

        var query = raw.IndexOf('?');
        var target = query < 0 ? raw : raw[..query];
        if (!target.StartsWith('/'))
        {
            // Absolute form (http://host/path): the path starts at the first '/' after the authority.
            var scheme = target.IndexOf("://", StringComparison.Ordinal);
            var slash = scheme < 0 ? -1 : target.IndexOf('/', scheme + 3);
            target = slash < 0 ? "/" : target[slash..];
        }

        var routing = RoutingPath.FromRawPath(target);
        // Same characters as Kestrel's decoded path (no escape, no dot segment): reuse its string.
        return routing == context.Request.Path.Value ? context.Request.Path.Value : routing;
    }
}

/// <summary>
/// Compiles a parsed rule (Core's RuleParser, already checked as Traefik checks it) into a predicate, with the
/// semantics of Traefik v3's matchers (pkg/muxer/http/matcher.go). Regexps and IP ranges are compiled here,
/// once per routing snapshot.
/// </summary>
internal static class RuleMatcher
{
    public delegate bool Predicate(RequestFacts request);

    public static Predicate Compile(Rule rule) => rule switch
    {
        MatcherRule m => CompileMatcher(m),
        AndRule a => And(Compile(a.Left), Compile(a.Right)),
        OrRule o => Or(Compile(o.Left), Compile(o.Right)),
        NotRule n => Not(Compile(n.Inner)),
        _ => throw new NotSupportedException($"rule {rule}"),
    };

    private static Predicate And(Predicate l, Predicate r) => q => l(q) && r(q);

    private static Predicate Or(Predicate l, Predicate r) => q => l(q) || r(q);

    private static Predicate Not(Predicate inner) => q => !inner(q);

    private static Predicate CompileMatcher(MatcherRule m)
    {
        var args = m.Arguments;
        switch (m.Name)
        {
            case Matchers.Host:
                var host = args[0].ToLowerInvariant();
                return q => HostMatching.Matches(q.Host, host);
            case Matchers.HostRegexp:
                var hostRegex = GoRegexp.Compile(args[0]);
                return q => hostRegex.IsMatch(q.Host);
            case Matchers.Path:
                var path = args[0];
                return q => string.Equals(q.Path, path, StringComparison.Ordinal);
            case Matchers.PathPrefix:
                var prefix = args[0];
                return q => q.Path.StartsWith(prefix, StringComparison.Ordinal);
            case Matchers.PathRegexp:
                var pathRegex = GoRegexp.Compile(args[0]);
                return q => pathRegex.IsMatch(q.Path);
            case Matchers.Method:
                // Traefik upper-cases the rule's method; the request's is compared as sent.
                var method = args[0].ToUpperInvariant();
                return q => string.Equals(q.Method, method, StringComparison.Ordinal);
            case Matchers.Header:
                var (headerName, headerValue) = (args[0], args[1]);
                return q => Contains(q.Header(headerName), headerValue);
            case Matchers.HeaderRegexp:
                var (regexHeader, headerRegex) = (args[0], GoRegexp.Compile(args[1]));
                return q => AnyMatch(q.Header(regexHeader), headerRegex);
            case Matchers.Query:
            case Matchers.QueryRegexp when args.Count == 1:
                // Query(`key`) is Query(`key`, ``): the key present with an empty value (?key or ?key=).
                var (key, value) = (args[0], args.Count == 2 ? args[1] : "");
                return q => q.Query(key)?.Contains(value) == true;
            case Matchers.QueryRegexp:
                var (regexKey, queryRegex) = (args[0], GoRegexp.Compile(args[1]));
                return q => q.Query(regexKey)?.Exists(queryRegex.IsMatch) == true;
            case Matchers.ClientIP:
                ClientIpRange.TryParse(args[0], out var range);
                return q => range!.Contains(q.ClientAddress);
            default:
                throw new NotSupportedException($"matcher {m.Name}");
        }
    }

    private static bool Contains(StringValues values, string value)
    {
        foreach (var v in values)
        {
            if (string.Equals(v, value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AnyMatch(StringValues values, Regex regex)
    {
        foreach (var v in values)
        {
            if (v is not null && regex.IsMatch(v))
            {
                return true;
            }
        }

        return false;
    }
}
