namespace BlueGreen.Core.Routing.Rules;

/// <summary>The outcome of parsing a rule: the tree, or an error with the character position.</summary>
public sealed record RuleParseResult(Rule? Rule, string? Error)
{
    public bool Success => Rule is not null;
}

/// <summary>
/// Parses Traefik v3 rule syntax: matchers such as Host(`x`) with backtick or double-quoted arguments,
/// combined with &&, ||, ! and parentheses. && binds tighter than ||, as in Traefik.
/// </summary>
public static class RuleParser
{
    /// <summary>Every matcher Traefik v3 knows for HTTP routers.</summary>
    public static readonly IReadOnlySet<string> TraefikMatchers = new HashSet<string>(StringComparer.Ordinal)
    {
        "Host", "HostRegexp", "Path", "PathPrefix", "PathRegexp", "Method", "Header", "HeaderRegexp", "Query", "QueryRegexp", "ClientIP",
    };

    /// <summary>The matchers the embedded router serves (CONTRACT: Host, PathPrefix, Path).</summary>
    public static readonly IReadOnlySet<string> EmbeddedMatchers = new HashSet<string>(StringComparer.Ordinal) { "Host", "PathPrefix", "Path" };

    public static RuleParseResult Parse(string text)
    {
        var parser = new Cursor(text);
        try
        {
            parser.SkipSpace();
            if (parser.AtEnd)
            {
                return new RuleParseResult(null, "the rule is empty");
            }

            var rule = parser.ParseOr();
            parser.SkipSpace();
            if (!parser.AtEnd)
            {
                throw parser.Fail($"unexpected '{parser.Peek}'");
            }

            return new RuleParseResult(rule, null);
        }
        catch (RuleSyntaxException e)
        {
            return new RuleParseResult(null, e.Message);
        }
    }

    /// <summary>Matchers used by the rule that the embedded router does not serve.</summary>
    public static IReadOnlyList<string> UnsupportedByEmbeddedRouter(Rule rule) =>
        Matchers(rule).Select(m => m.Name).Where(n => !EmbeddedMatchers.Contains(n)).Distinct().ToList();

    public static IEnumerable<MatcherRule> Matchers(Rule rule) => rule switch
    {
        MatcherRule m => [m],
        AndRule a => Matchers(a.Left).Concat(Matchers(a.Right)),
        OrRule o => Matchers(o.Left).Concat(Matchers(o.Right)),
        NotRule n => Matchers(n.Inner),
        _ => [],
    };

    private sealed class RuleSyntaxException(string message) : Exception(message);

    private sealed class Cursor(string text)
    {
        private int _pos;

        public bool AtEnd => _pos >= text.Length;

        public char Peek => text[_pos];

        public RuleSyntaxException Fail(string message) => new($"{message} at character {_pos + 1}");

        public void SkipSpace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }

        private bool Take(string token)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _pos, token, 0, token.Length) == 0)
            {
                _pos += token.Length;
                return true;
            }

            return false;
        }

        public Rule ParseOr()
        {
            var left = ParseAnd();
            while (Take("||"))
            {
                left = new OrRule(left, ParseAnd());
            }

            return left;
        }

        private Rule ParseAnd()
        {
            var left = ParseUnary();
            while (Take("&&"))
            {
                left = new AndRule(left, ParseUnary());
            }

            return left;
        }

        private Rule ParseUnary()
        {
            if (Take("!"))
            {
                return new NotRule(ParseUnary());
            }

            if (Take("("))
            {
                var inner = ParseOr();
                if (!Take(")"))
                {
                    throw Fail("missing ')'");
                }

                return inner;
            }

            return ParseMatcher();
        }

        private MatcherRule ParseMatcher()
        {
            SkipSpace();
            var start = _pos;
            while (!AtEnd && char.IsAsciiLetter(text[_pos]))
            {
                _pos++;
            }

            var name = text[start.._pos];
            if (name.Length == 0)
            {
                throw AtEnd ? Fail("expected a matcher such as Host(`example.com`)") : Fail($"unexpected '{Peek}'");
            }

            if (!TraefikMatchers.Contains(name))
            {
                _pos = start;
                throw Fail($"unknown matcher {name}");
            }

            if (!Take("("))
            {
                throw Fail($"expected '(' after {name}");
            }

            var args = new List<string>();
            if (!Take(")"))
            {
                do
                {
                    args.Add(ParseString());
                }
                while (Take(","));

                if (!Take(")"))
                {
                    throw Fail($"expected ')' to close {name}(");
                }
            }

            if (args.Count == 0)
            {
                throw Fail($"{name} needs an argument");
            }

            if (args.Any(a => a.Length == 0))
            {
                throw Fail($"{name} has an empty argument");
            }

            return new MatcherRule(name, args);
        }

        private string ParseString()
        {
            SkipSpace();
            if (AtEnd || (Peek != '`' && Peek != '"'))
            {
                throw Fail("expected a `quoted` argument");
            }

            var quote = Peek;
            var close = text.IndexOf(quote, _pos + 1);
            if (close < 0)
            {
                throw Fail("unterminated argument");
            }

            var value = text[(_pos + 1)..close];
            _pos = close + 1;
            return value;
        }
    }
}
