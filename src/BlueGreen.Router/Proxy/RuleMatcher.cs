using BlueGreen.Core.Routing.Rules;

namespace BlueGreen.Router.Proxy;

/// <summary>Turns a parsed rule (Core's RuleParser) into a predicate over the request's host and path.</summary>
internal static class RuleMatcher
{
    public delegate bool Predicate(string host, string path);

    public static Predicate Compile(Rule rule) => rule switch
    {
        MatcherRule m => CompileMatcher(m),
        AndRule a => And(Compile(a.Left), Compile(a.Right)),
        OrRule o => Or(Compile(o.Left), Compile(o.Right)),
        NotRule n => Not(Compile(n.Inner)),
        _ => throw new NotSupportedException($"rule {rule}"),
    };

    private static Predicate And(Predicate l, Predicate r) => (h, p) => l(h, p) && r(h, p);

    private static Predicate Or(Predicate l, Predicate r) => (h, p) => l(h, p) || r(h, p);

    private static Predicate Not(Predicate inner) => (h, p) => !inner(h, p);

    private static Predicate CompileMatcher(MatcherRule m)
    {
        var args = m.Arguments.ToArray();
        return m.Name switch
        {
            // Host names are case-insensitive (RFC 9110); Traefik compares them so too.
            "Host" => (h, _) => AnyEqual(args, h, StringComparison.OrdinalIgnoreCase),
            "Path" => (_, p) => AnyEqual(args, p, StringComparison.Ordinal),
            "PathPrefix" => (_, p) => AnyPrefix(args, p),
            _ => throw new NotSupportedException($"matcher {m.Name} is not served by the embedded router"),
        };
    }

    private static bool AnyEqual(string[] args, string value, StringComparison comparison)
    {
        foreach (var a in args)
        {
            if (string.Equals(a, value, comparison))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AnyPrefix(string[] args, string path)
    {
        foreach (var a in args)
        {
            if (path.StartsWith(a, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
