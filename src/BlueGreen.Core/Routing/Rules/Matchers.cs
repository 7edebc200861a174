using System.Globalization;

namespace BlueGreen.Core.Routing.Rules;

/// <summary>
/// Traefik v3's HTTP matchers (pkg/muxer/http/matcher.go): their names, how many arguments each takes, and
/// the checks Traefik's builders make on those arguments when the rule is loaded.
/// </summary>
public static class Matchers
{
    public const string Host = "Host";
    public const string HostRegexp = "HostRegexp";
    public const string Path = "Path";
    public const string PathPrefix = "PathPrefix";
    public const string PathRegexp = "PathRegexp";
    public const string Header = "Header";
    public const string HeaderRegexp = "HeaderRegexp";
    public const string Method = "Method";
    public const string Query = "Query";
    public const string QueryRegexp = "QueryRegexp";
    public const string ClientIP = "ClientIP";

    private sealed record Spec(int[] ArgumentCounts, string Usage, Func<IReadOnlyList<string>, string?> Check);

    private static readonly Dictionary<string, Spec> Specs = new(StringComparer.Ordinal)
    {
        [Host] = new([1], "Host(`example.com`)", a => AsciiOnly(Host, a[0])),
        [HostRegexp] = new([1], "HostRegexp(`^.+\\.example\\.com$`)", a => AsciiOnly(HostRegexp, a[0]) ?? RegexError(HostRegexp, a[0])),
        [Path] = new([1], "Path(`/about`)", a => StartsWithSlash(Path, a[0])),
        [PathPrefix] = new([1], "PathPrefix(`/api`)", a => StartsWithSlash(PathPrefix, a[0])),
        [PathRegexp] = new([1], "PathRegexp(`^/api/v[0-9]+`)", a => RegexError(PathRegexp, a[0])),
        [Header] = new([2], "Header(`X-Env`, `staging`)", _ => null),
        [HeaderRegexp] = new([2], "HeaderRegexp(`X-Env`, `^stag`)", a => RegexError(HeaderRegexp, a[1])),
        [Method] = new([1], "Method(`GET`)", _ => null),
        [Query] = new([1, 2], "Query(`mobile`) or Query(`lang`, `fr`)", _ => null),
        [QueryRegexp] = new([1, 2], "QueryRegexp(`lang`, `^(fr|en)$`)", a => a.Count == 2 ? RegexError(QueryRegexp, a[1]) : null),
        [ClientIP] = new([1], "ClientIP(`10.0.0.0/8`)", a => ClientIpRange.TryParse(a[0], out _) ? null : $"ClientIP(`{a[0]}`): not an IP address or CIDR range (such as 192.168.1.7, 10.0.0.0/8 or 2001:db8::/32)"),
    };

    /// <summary>Traefik registers each matcher under four spellings only (pkg/rules/parser.go), not every letter case.</summary>
    private static readonly Dictionary<string, string> Spellings = Specs.Keys
        .SelectMany(name => new[] { name, name.ToLowerInvariant(), name.ToUpperInvariant(), TitleOfLower(name) }.Select(s => (Spelling: s, Name: name)))
        .DistinctBy(p => p.Spelling)
        .ToDictionary(p => p.Spelling, p => p.Name, StringComparer.Ordinal);

    // Traefik v2 names a user may carry over.
    private static readonly Dictionary<string, string> V2Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Headers"] = Header, ["HeadersRegexp"] = HeaderRegexp, ["HostHeader"] = Host, ["HostSNI"] = Host,
    };

    public static IReadOnlySet<string> Names { get; } = new HashSet<string>(Specs.Keys, StringComparer.Ordinal);

    public static bool TryCanonical(string spelling, out string name) => Spellings.TryGetValue(spelling, out name!);

    public static string Unknown(string spelling)
    {
        var sameLetters = Specs.Keys.FirstOrDefault(n => string.Equals(n, spelling, StringComparison.OrdinalIgnoreCase));
        if (sameLetters is not null)
        {
            return $"unknown matcher {spelling}: Traefik accepts {sameLetters}, {sameLetters.ToLowerInvariant()}, {sameLetters.ToUpperInvariant()} or {TitleOfLower(sameLetters)}";
        }

        return V2Names.TryGetValue(spelling, out var v3)
            ? $"unknown matcher {spelling} (Traefik v2 syntax); Traefik v3 uses {v3}"
            : $"unknown matcher {spelling} (Traefik v3 knows {string.Join(", ", Specs.Keys)})";
    }

    /// <summary>The first matcher (left to right) whose arguments Traefik would refuse, as one line; null if none.</summary>
    public static string? FirstError(Rule rule)
    {
        foreach (var m in RuleParser.AllMatchers(rule))
        {
            if (Check(m) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static string? Check(MatcherRule m)
    {
        var spec = Specs[m.Name];
        var args = m.Arguments;
        if (args.Count == 0)
        {
            return $"{m.Name} needs an argument, as in {spec.Usage}";
        }

        if (args.Any(a => a.Length == 0))
        {
            return $"{m} has an empty argument";
        }

        if (!spec.ArgumentCounts.Contains(args.Count))
        {
            var expected = spec.ArgumentCounts.Length == 1 ? $"exactly {Count(spec.ArgumentCounts[0])}" : $"{spec.ArgumentCounts[0]} or {Count(spec.ArgumentCounts[1])}";
            var hint = spec.ArgumentCounts.Max() == 1 && args.Count > 1
                ? $"; Traefik v3 refuses several values: write {string.Join(" || ", args.Select(a => $"{m.Name}(`{a}`)"))}"
                : $", as in {spec.Usage}";
            return $"{m} takes {expected}, not {args.Count}{hint}";
        }

        return spec.Check(args);
    }

    private static string Count(int n) => n == 1 ? "1 argument" : $"{n} arguments";

    private static string TitleOfLower(string name) => char.ToUpperInvariant(name[0]) + name[1..].ToLowerInvariant();

    private static string? AsciiOnly(string matcher, string value)
    {
        if (value.All(char.IsAscii))
        {
            return null;
        }

        string? ascii = null;
        try
        {
            ascii = new IdnMapping().GetAscii(value);
        }
        catch (Exception e) when (e is ArgumentException or PlatformNotSupportedException)
        {
        }

        var hint = matcher == Host && ascii is not null ? $"; write the punycode form Host(`{ascii}`)" : "; write the host in its punycode (xn--) form";
        return $"{matcher}(`{value}`): non-ASCII characters are not allowed{hint}";
    }

    private static string? StartsWithSlash(string matcher, string value) =>
        value.StartsWith('/') ? null : $"{matcher}(`{value}`): the path must start with '/'";

    private static string? RegexError(string matcher, string pattern) =>
        GoRegexp.TryCompile(pattern, out _, out var error) ? null : $"{matcher}: invalid regular expression `{pattern}`: {error}";
}
