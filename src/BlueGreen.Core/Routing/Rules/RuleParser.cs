using System.Text;

namespace BlueGreen.Core.Routing.Rules;

/// <summary>The outcome of parsing a rule: the tree, or a one-line error (with the character position when it is a syntax error).</summary>
public sealed record RuleParseResult(Rule? Rule, string? Error)
{
    public bool Success => Rule is not null;
}

/// <summary>
/// Parses a Traefik v3 HTTP rule exactly as Traefik reads it, so that the router and <c>config check</c> accept
/// and refuse the same rules as Traefik. Traefik hands the rule to vulcand/predicate, which uses Go's expression
/// parser (go/parser.ParseExpr): matchers are Go calls whose arguments are Go string literals (`raw` or
/// "interpreted"), combined with <c>&amp;&amp;</c>, <c>||</c>, <c>!</c> and parentheses with Go's precedence.
/// Each matcher's arguments are then checked as Traefik's builders check them (see <see cref="Matchers"/>).
/// </summary>
public static class RuleParser
{
    /// <summary>Every matcher Traefik v3 knows for HTTP routers.</summary>
    public static IReadOnlySet<string> TraefikMatchers => Matchers.Names;

    /// <summary>The matchers the embedded router serves: all of Traefik v3's.</summary>
    public static IReadOnlySet<string> EmbeddedMatchers => Matchers.Names;

    /// <summary>Traefik's default priority: <c>len(rule)</c> in Go, i.e. the rule's length in UTF-8 bytes.</summary>
    public static int DefaultPriority(string rule) => Encoding.UTF8.GetByteCount(rule);

    public static RuleParseResult Parse(string text)
    {
        try
        {
            var parser = new Parser(text);
            var rule = parser.ParseRule();
            var error = Matchers.FirstError(rule);
            return error is null ? new RuleParseResult(rule, null) : new RuleParseResult(null, error);
        }
        catch (RuleSyntaxException e)
        {
            return new RuleParseResult(null, e.Message);
        }
    }

    /// <summary>The rule's matchers, left to right.</summary>
    public static IEnumerable<MatcherRule> AllMatchers(Rule rule) => rule switch
    {
        MatcherRule m => [m],
        AndRule a => AllMatchers(a.Left).Concat(AllMatchers(a.Right)),
        OrRule o => AllMatchers(o.Left).Concat(AllMatchers(o.Right)),
        NotRule n => AllMatchers(n.Inner),
        _ => [],
    };

    private sealed class RuleSyntaxException(string message) : Exception(message);

    private enum Kind { Name, String, Open, Close, Comma, And, Or, Not, Other, End }

    /// <param name="NewlineBefore">
    /// Go inserts a semicolon at a line break that follows a name, a string or ')'; the expression ends there,
    /// so anything after it is an error (ParseExpr only tolerates the break at the very end).
    /// </param>
    private readonly record struct Token(Kind Kind, int Start, string Text, bool NewlineBefore);

    private sealed class Parser
    {
        private readonly string _text;
        private readonly List<Token> _tokens;
        private int _next;

        public Parser(string text)
        {
            _text = text;
            _tokens = Lexer.Tokenize(text);
        }

        private Token Peek => _tokens[_next];

        private Token Previous => _tokens[_next - 1];

        private static RuleSyntaxException Fail(string message, int at) => new($"{message} at character {at + 1}");

        public Rule ParseRule()
        {
            if (Peek.Kind == Kind.End)
            {
                throw new RuleSyntaxException("the rule is empty");
            }

            var rule = ParseOr();
            if (Peek.Kind != Kind.End)
            {
                throw Unexpected(Peek);
            }

            return rule;
        }

        private RuleSyntaxException Unexpected(Token token)
        {
            if (token.NewlineBefore && _next > 0)
            {
                return Fail("the rule ends at this line break (Traefik parses rules as Go does); put && or || at the end of the line, not at the start of the next one", token.Start);
            }

            return token.Kind switch
            {
                Kind.End => Fail("unexpected end of the rule", token.Start),
                Kind.Other when token.Text == "'" => Fail("'...' is a Go character, not a string; quote arguments with `backticks` or \"double quotes\"", token.Start),
                _ => Fail($"unexpected '{token.Text}'", token.Start),
            };
        }

        private Token Take()
        {
            var token = Peek;
            if (token.NewlineBefore && token.Kind != Kind.End && _next > 0 && Lexer.EndsStatement(Previous.Kind))
            {
                throw Unexpected(token);
            }

            _next++;
            return token;
        }

        private bool TakeIf(Kind kind)
        {
            if (Peek.Kind != kind)
            {
                return false;
            }

            Take();
            return true;
        }

        // Go precedence: || (1) < && (2) < unary !
        private Rule ParseOr()
        {
            var left = ParseAnd();
            while (TakeIf(Kind.Or))
            {
                left = new OrRule(left, ParseAnd());
            }

            return left;
        }

        private Rule ParseAnd()
        {
            var left = ParseUnary();
            while (TakeIf(Kind.And))
            {
                left = new AndRule(left, ParseUnary());
            }

            return left;
        }

        private Rule ParseUnary()
        {
            if (TakeIf(Kind.Not))
            {
                return new NotRule(ParseUnary());
            }

            if (Peek.Kind == Kind.Open)
            {
                var open = Take();
                var inner = ParseOr();
                if (Peek.Kind != Kind.Close)
                {
                    throw Peek.Kind == Kind.End && !Peek.NewlineBefore ? Fail("missing ')' to close the '(' at character " + (open.Start + 1), Peek.Start) : Unexpected(Peek);
                }

                Take();
                return inner;
            }

            if (Peek.Kind == Kind.Name)
            {
                return ParseMatcher();
            }

            if (Peek.Kind == Kind.End)
            {
                throw Fail("expected a matcher such as Host(`example.com`)", Peek.Start);
            }

            throw Peek.Kind == Kind.String ? Fail("a quoted value must be an argument of a matcher, as in Host(`example.com`)", Peek.Start) : Unexpected(Peek);
        }

        private MatcherRule ParseMatcher()
        {
            var name = Take();
            if (!Matchers.TryCanonical(name.Text, out var canonical))
            {
                throw new RuleSyntaxException($"{Matchers.Unknown(name.Text)} at character {name.Start + 1}");
            }

            if (Peek.Kind != Kind.Open)
            {
                throw Peek.NewlineBefore || Peek.Kind != Kind.End ? Unexpected(Peek) : Fail($"expected '(' after {name.Text}", Peek.Start);
            }

            Take();
            var args = new List<string>();
            while (Peek.Kind != Kind.Close)
            {
                if (Peek.Kind != Kind.String)
                {
                    throw Peek.Kind switch
                    {
                        Kind.End when !Peek.NewlineBefore => Fail($"expected ')' to close {name.Text}(", Peek.Start),
                        Kind.Other when Peek.Text == "'" => Unexpected(Peek),
                        Kind.Name or Kind.Comma or Kind.Other => Fail($"expected a quoted argument such as `value` or \"value\"", Peek.Start),
                        _ => Unexpected(Peek),
                    };
                }

                args.Add(Take().Text);
                if (!TakeIf(Kind.Comma))
                {
                    break; // Go accepts a trailing comma: Host(`a`,) is Host(`a`).
                }
            }

            if (Peek.Kind != Kind.Close)
            {
                throw Peek.Kind == Kind.End && !Peek.NewlineBefore ? Fail($"expected ')' to close {name.Text}(", Peek.Start) : Unexpected(Peek);
            }

            Take();
            return new MatcherRule(canonical, args);
        }
    }

    /// <summary>Go's scanner, reduced to the tokens a rule may contain.</summary>
    private static class Lexer
    {
        public static bool EndsStatement(Kind kind) => kind is Kind.Name or Kind.String or Kind.Close;

        public static List<Token> Tokenize(string text)
        {
            var tokens = new List<Token>();
            var pos = 0;
            while (true)
            {
                var newline = false;
                while (pos < text.Length && text[pos] is ' ' or '\t' or '\r' or '\n')
                {
                    newline |= text[pos] == '\n';
                    pos++;
                }

                if (pos >= text.Length)
                {
                    tokens.Add(new Token(Kind.End, pos, "", newline));
                    return tokens;
                }

                var start = pos;
                var c = text[pos];
                Token token;
                if (IsLetter(text, pos))
                {
                    while (pos < text.Length && (IsLetter(text, pos) || char.IsDigit(text, pos)))
                    {
                        pos += char.IsSurrogatePair(text, pos) ? 2 : 1;
                    }

                    token = new Token(Kind.Name, start, text[start..pos], newline);
                }
                else if (c is '`' or '"')
                {
                    var value = c == '`' ? RawString(text, ref pos) : InterpretedString(text, ref pos);
                    token = new Token(Kind.String, start, value, newline);
                }
                else
                {
                    var two = pos + 1 < text.Length ? text.Substring(pos, 2) : "";
                    (Kind kind, int length) = c switch
                    {
                        '(' => (Kind.Open, 1),
                        ')' => (Kind.Close, 1),
                        ',' => (Kind.Comma, 1),
                        '&' when two == "&&" => (Kind.And, 2),
                        '|' when two == "||" => (Kind.Or, 2),
                        '!' when two != "!=" => (Kind.Not, 1),
                        // Anything else is reported by the parser, in reading order.
                        _ => (Kind.Other, OperatorAt(text, pos).Length),
                    };
                    pos += length;
                    token = new Token(kind, start, text.Substring(start, length), newline);
                }

                tokens.Add(token);
            }
        }

        private static bool IsLetter(string text, int pos) => text[pos] == '_' || char.IsLetter(text, pos);

        private static string OperatorAt(string text, int pos)
        {
            var end = pos;
            while (end < text.Length && end - pos < 3 && "&|!=<>+-*/%^.:;[]{}~".Contains(text[end]))
            {
                end++;
            }

            return end == pos ? text[pos].ToString() : text[pos..end];
        }

        private static string RawString(string text, ref int pos)
        {
            var close = text.IndexOf('`', pos + 1);
            if (close < 0)
            {
                throw new RuleSyntaxException($"the argument opened by ` at character {pos + 1} is never closed");
            }

            // Go discards carriage returns inside raw strings.
            var value = text[(pos + 1)..close].Replace("\r", "");
            pos = close + 1;
            return value;
        }

        private static string InterpretedString(string text, ref int pos)
        {
            var open = pos;
            var bytes = new List<byte>();
            Span<byte> utf8 = stackalloc byte[4];
            pos++;
            while (true)
            {
                if (pos >= text.Length || text[pos] == '\n')
                {
                    throw new RuleSyntaxException($"the argument opened by \" at character {open + 1} is never closed");
                }

                var c = text[pos];
                if (c == '"')
                {
                    pos++;
                    return Encoding.UTF8.GetString(bytes.ToArray());
                }

                if (c != '\\')
                {
                    var rune = Rune.GetRuneAt(text, pos);
                    bytes.AddRange(utf8[..rune.EncodeToUtf8(utf8)]);
                    pos += rune.Utf16SequenceLength;
                    continue;
                }

                var at = pos;
                pos++;
                var e = pos < text.Length ? text[pos] : '\0';
                pos++;
                switch (e)
                {
                    case 'a': bytes.Add(7); break;
                    case 'b': bytes.Add(8); break;
                    case 'f': bytes.Add(12); break;
                    case 'n': bytes.Add(10); break;
                    case 'r': bytes.Add(13); break;
                    case 't': bytes.Add(9); break;
                    case 'v': bytes.Add(11); break;
                    case '\\': bytes.Add((byte)'\\'); break;
                    case '"': bytes.Add((byte)'"'); break;
                    case >= '0' and <= '7':
                        var octal = Digits(text, ref pos, at, e.ToString(), 2, 8);
                        if (octal > 255)
                        {
                            throw new RuleSyntaxException($"octal escape value > 255 at character {at + 1}");
                        }

                        bytes.Add((byte)octal);
                        break;
                    case 'x': bytes.Add((byte)Digits(text, ref pos, at, "", 2, 16)); break;
                    case 'u' or 'U':
                        var code = Digits(text, ref pos, at, "", e == 'u' ? 4 : 8, 16);
                        if (code > 0x10FFFF || code is >= 0xD800 and < 0xE000)
                        {
                            throw new RuleSyntaxException($"escape is an invalid Unicode code point at character {at + 1}");
                        }

                        bytes.AddRange(utf8[..new Rune(code).EncodeToUtf8(utf8)]);
                        break;
                    default:
                        throw new RuleSyntaxException($"unknown escape sequence \\{e} in a \"quoted\" argument (use `backticks` for regular expressions) at character {at + 1}");
                }
            }
        }

        private static int Digits(string text, ref int pos, int at, string first, int count, int radix)
        {
            var digits = first;
            for (var i = 0; i < count; i++, pos++)
            {
                if (pos >= text.Length || !Uri.IsHexDigit(text[pos]) || (radix == 8 && text[pos] > '7'))
                {
                    throw new RuleSyntaxException($"invalid escape sequence at character {at + 1}");
                }

                digits += text[pos];
            }

            return Convert.ToInt32(digits, radix);
        }
    }
}
