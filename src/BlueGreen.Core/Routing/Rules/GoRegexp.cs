using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace BlueGreen.Core.Routing.Rules;

/// <summary>
/// Traefik compiles HostRegexp, PathRegexp, HeaderRegexp and QueryRegexp patterns with Go's regexp (RE2 syntax)
/// and tests them unanchored (MatchString). This translates an RE2 pattern into an equivalent .NET pattern,
/// refusing what Go refuses (backreferences, lookaround, unknown escapes, repeat counts over 1000…), and keeping
/// Go's meaning where .NET differs: \d \w \s \b are ASCII-only, '$' without (?m) is the end of the text, and
/// [[:alpha:]]-style classes exist. The result runs with RegexOptions.NonBacktracking, which is linear-time like RE2;
/// only "does it match" is asked, so greediness (including Go's (?U)) does not change the answer.
/// </summary>
public static class GoRegexp
{
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    public static bool TryCompile(string pattern, [NotNullWhen(true)] out Regex? regex, [NotNullWhen(false)] out string? error)
    {
        regex = null;
        try
        {
            var translated = new Translator(pattern).Translate();
            regex = new Regex(translated, Options);
            error = null;
            return true;
        }
        catch (GoSyntaxException e)
        {
            error = e.Message;
        }
        catch (RegexParseException e)
        {
            error = Words(e.Error.ToString());
        }
        catch (NotSupportedException e)
        {
            error = e.Message;
        }

        return false;
    }

    public static Regex Compile(string pattern) =>
        TryCompile(pattern, out var regex, out var error) ? regex : throw new ArgumentException(error, nameof(pattern));

    private static string Words(string name) => Regex.Replace(name, "(?<=[a-z])(?=[A-Z])", " ").ToLowerInvariant();

    private sealed class GoSyntaxException(string message) : Exception(message);

    private const string Word = "0-9A-Za-z_";
    private const string Space = "\\t\\n\\f\\r ";

    private static readonly Dictionary<char, (string Positive, string Negative)> PerlClasses = new()
    {
        ['d'] = ("0-9", "\\u0000-/:-\\uFFFF"),
        ['w'] = (Word, "\\u0000-/:-@\\[-\\^`{-\\uFFFF"),
        ['s'] = (Space, "\\u0000-\\u0008\\u000B\\u000E-\\u001F!-\\uFFFF"),
    };

    private static readonly Dictionary<string, string> PosixClasses = new(StringComparer.Ordinal)
    {
        ["alnum"] = "0-9A-Za-z", ["alpha"] = "A-Za-z", ["ascii"] = "\\u0000-\\u007F", ["blank"] = "\\t ",
        ["cntrl"] = "\\u0000-\\u001F\\u007F", ["digit"] = "0-9", ["graph"] = "!-~", ["lower"] = "a-z",
        ["print"] = " -~", ["punct"] = "!-/:-@\\[-`{-~", ["space"] = "\\t\\n\\v\\f\\r ", ["upper"] = "A-Z",
        ["word"] = Word, ["xdigit"] = "0-9A-Fa-f",
    };

    private sealed class Translator(string pattern)
    {
        private readonly StringBuilder _out = new();
        private readonly Stack<bool> _multiline = new();
        private bool _m;
        private int _pos;

        private GoSyntaxException Fail(string message) => new(message);

        private bool AtEnd => _pos >= pattern.Length;

        public string Translate()
        {
            while (!AtEnd)
            {
                var c = pattern[_pos];
                switch (c)
                {
                    case '\\':
                        Escape(inClass: false);
                        break;
                    case '[':
                        Class();
                        break;
                    case '(':
                        Group();
                        break;
                    case ')':
                        _m = _multiline.Count > 0 ? _multiline.Pop() : _m;
                        _out.Append(')');
                        _pos++;
                        break;
                    case '$':
                        // Go: without (?m), '$' is the end of the text; .NET's '$' would also match before a final \n.
                        _out.Append(_m ? "(?m:$)" : "\\z");
                        _pos++;
                        break;
                    case '{':
                        Repeat();
                        break;
                    default:
                        _out.Append(c);
                        _pos++;
                        break;
                }
            }

            return _out.ToString();
        }

        private void Repeat()
        {
            var m = Regex.Match(pattern[_pos..], @"^\{(\d+)(,(\d*))?\}");
            if (m.Success)
            {
                foreach (var g in new[] { m.Groups[1], m.Groups[3] })
                {
                    if (g.Success && g.Length > 0 && (g.Length > 4 || int.Parse(g.Value, CultureInfo.InvariantCulture) > 1000))
                    {
                        throw Fail($"invalid repeat count {m.Value}");
                    }
                }

                _out.Append(m.Value);
                _pos += m.Length;
                return;
            }

            // Go reads a '{' that does not start a repeat count as a literal.
            _out.Append("\\{");
            _pos++;
        }

        private void Group()
        {
            _multiline.Push(_m);
            var rest = pattern.AsSpan(_pos);
            if (!rest.StartsWith("(?"))
            {
                _out.Append('(');
                _pos++;
                return;
            }

            if (rest.StartsWith("(?P<") || rest.StartsWith("(?<"))
            {
                var nameStart = _pos + (rest[2] == 'P' ? 4 : 3);
                var close = pattern.IndexOf('>', nameStart);
                var name = close < 0 ? "" : pattern[nameStart..close];
                if (name.Length == 0 || !name.All(ch => ch == '_' || char.IsAsciiLetterOrDigit(ch)))
                {
                    throw rest.StartsWith("(?<=") || rest.StartsWith("(?<!")
                        ? Fail("lookbehind (?<= / (?<!) is not supported by Go's regexp")
                        : Fail($"invalid named capture {pattern[_pos..Math.Min(pattern.Length, (close < 0 ? pattern.Length : close + 1))]}");
                }

                _out.Append("(?<").Append(name).Append('>');
                _pos = close + 1;
                return;
            }

            // Flags: (?flags) or (?flags:re), flags among i m s U, optionally negated after '-'.
            var i = _pos + 2;
            var negated = false;
            var flags = new StringBuilder();
            var m = _m;
            for (; i < pattern.Length && pattern[i] is not (')' or ':'); i++)
            {
                var f = pattern[i];
                if (f == '-' && !negated)
                {
                    negated = true;
                    flags.Append('-');
                }
                else if (f is 'i' or 's')
                {
                    flags.Append(f);
                }
                else if (f == 'm')
                {
                    m = !negated;
                }
                else if (f != 'U')
                {
                    throw f is '=' or '!' or '>' or '#' or '(' or '\'' or '<'
                        ? Fail($"{pattern[_pos..Math.Min(pattern.Length, i + 1)]} (lookaround, atomic groups, comments, conditionals) is not supported by Go's regexp")
                        : Fail($"invalid or unsupported flag group {pattern[_pos..Math.Min(pattern.Length, i + 1)]}");
                }
            }

            if (i >= pattern.Length)
            {
                throw Fail("missing closing )");
            }

            var flagText = flags.ToString().TrimEnd('-');
            if (pattern[i] == ')')
            {
                // (?flags) applies to the rest of the enclosing group: no group of its own.
                _multiline.Pop();
                _m = m;
                _out.Append(flagText.Length > 0 ? $"(?{flagText})" : "");
            }
            else
            {
                _m = m;
                _out.Append(flagText.Length > 0 ? $"(?{flagText}:" : "(?:");
            }

            _pos = i + 1;
        }

        private void Class()
        {
            _pos++;
            _out.Append('[');
            if (!AtEnd && pattern[_pos] == '^')
            {
                _out.Append('^');
                _pos++;
            }

            var first = true;
            while (true)
            {
                if (AtEnd)
                {
                    throw Fail("missing closing ]");
                }

                var c = pattern[_pos];
                if (c == ']' && !first)
                {
                    _out.Append(']');
                    _pos++;
                    return;
                }

                first = false;
                if (c == '[' && pattern.AsSpan(_pos).StartsWith("[:"))
                {
                    var close = pattern.IndexOf(":]", _pos + 2, StringComparison.Ordinal);
                    if (close > 0)
                    {
                        var name = pattern[(_pos + 2)..close];
                        var negate = name.StartsWith('^');
                        if (!PosixClasses.TryGetValue(negate ? name[1..] : name, out var ranges))
                        {
                            throw Fail($"invalid character class range [:{name}:]");
                        }

                        if (negate)
                        {
                            throw new NotSupportedException($"the negated class [:{name}:] is not supported by the embedded router");
                        }

                        _out.Append(ranges);
                        _pos = close + 2;
                        continue;
                    }
                }

                if (c == '\\')
                {
                    Escape(inClass: true);
                    continue;
                }

                // .NET gives '[' inside a class a meaning (subtraction); Go takes it literally.
                _out.Append(c == '[' ? "\\[" : c.ToString());
                _pos++;
            }
        }

        private void Escape(bool inClass)
        {
            if (_pos + 1 >= pattern.Length)
            {
                throw Fail("trailing backslash at end of expression");
            }

            var c = pattern[_pos + 1];
            _pos += 2;
            if (PerlClasses.TryGetValue(char.ToLowerInvariant(c), out var perl))
            {
                var negative = char.IsUpper(c);
                var ranges = negative ? perl.Negative : perl.Positive;
                _out.Append(inClass ? ranges : $"[{ranges}]");
                return;
            }

            switch (c)
            {
                case 'A' or 'z' or 'b' or 'B' when !inClass:
                    // Go's \b uses ASCII word characters; .NET's is Unicode (differs only next to non-ASCII letters).
                    _out.Append('\\').Append(c);
                    return;
                case 'a' or 'f' or 't' or 'n' or 'r' or 'v':
                    _out.Append('\\').Append(c);
                    return;
                case 'p' or 'P':
                    UnicodeClass(c == 'P');
                    return;
                case 'Q' when !inClass:
                    var end = pattern.IndexOf("\\E", _pos, StringComparison.Ordinal);
                    var literal = end < 0 ? pattern[_pos..] : pattern[_pos..end];
                    _out.Append(Regex.Escape(literal));
                    _pos = end < 0 ? pattern.Length : end + 2;
                    return;
                case 'x':
                    Hex();
                    return;
                case >= '0' and <= '7':
                    Octal(c);
                    return;
            }

            if (c < 0x80 && !char.IsAsciiLetterOrDigit(c))
            {
                _out.Append('\\').Append(c);
                return;
            }

            throw Fail($"invalid escape sequence \\{c}" + (c is >= '1' and <= '9' ? " (Go's regexp has no backreferences)" : ""));
        }

        private void Octal(char first)
        {
            // Go: \0 plus up to two octal digits; \1-\7 only when followed by another octal digit (else a backreference).
            var digits = first.ToString();
            while (digits.Length < 3 && !AtEnd && pattern[_pos] is >= '0' and <= '7')
            {
                digits += pattern[_pos++];
            }

            if (first != '0' && digits.Length == 1)
            {
                throw Fail($"invalid escape sequence \\{first} (Go's regexp has no backreferences)");
            }

            AppendCodePoint(Convert.ToInt32(digits, 8));
        }

        private void Hex()
        {
            string digits;
            if (!AtEnd && pattern[_pos] == '{')
            {
                var close = pattern.IndexOf('}', _pos);
                digits = close < 0 ? "" : pattern[(_pos + 1)..close];
                _pos = close + 1;
            }
            else
            {
                digits = _pos + 2 <= pattern.Length ? pattern.Substring(_pos, 2) : "";
                _pos += 2;
            }

            if (digits.Length == 0 || digits.Length > 8 || !digits.All(Uri.IsHexDigit) || Convert.ToInt64(digits, 16) > 0x10FFFF)
            {
                throw Fail("invalid escape sequence \\x");
            }

            AppendCodePoint(Convert.ToInt32(digits, 16));
        }

        private void AppendCodePoint(int code)
        {
            if (code is >= 0xD800 and < 0xE000)
            {
                throw Fail("invalid escape sequence: a surrogate code point");
            }

            foreach (var ch in char.ConvertFromUtf32(code))
            {
                _out.Append("\\u").Append(((int)ch).ToString("X4", CultureInfo.InvariantCulture));
            }
        }

        private void UnicodeClass(bool negated)
        {
            string name;
            if (!AtEnd && pattern[_pos] == '{')
            {
                var close = pattern.IndexOf('}', _pos);
                if (close < 0)
                {
                    throw Fail("invalid character class range \\p{");
                }

                name = pattern[(_pos + 1)..close];
                _pos = close + 1;
            }
            else if (!AtEnd)
            {
                name = pattern[_pos].ToString();
                _pos++;
            }
            else
            {
                throw Fail("invalid character class range \\p");
            }

            if (name.StartsWith('^'))
            {
                negated = !negated;
                name = name[1..];
            }

            // Go knows Unicode categories (L, Lu, N…) and scripts (Greek…); .NET knows categories and blocks, so only categories carry over.
            if (!(name.Length is 1 or 2 && char.IsAsciiLetterUpper(name[0])))
            {
                throw new NotSupportedException($"the Unicode class \\p{{{name}}} is not supported by the embedded router (only categories such as \\p{{L}} or \\p{{Nd}})");
            }

            _out.Append(negated ? "\\P{" : "\\p{").Append(name).Append('}');
        }
    }
}
