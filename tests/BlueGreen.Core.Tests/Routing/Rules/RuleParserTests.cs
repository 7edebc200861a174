using BlueGreen.Core.Routing.Rules;

namespace BlueGreen.Core.Tests.Routing.Rules;

// Expected behaviour derived from Traefik v3's own sources and test tables (MIT licence), github.com/traefik/traefik
// at commit fd5a576df2e8aeb0bfc8a96b6ef6e60a61f7ec0a: pkg/rules/parser.go (matcher spellings, ! pushed down),
// pkg/muxer/http/matcher.go + matcher_test.go (argument counts and checks; the "invalid …" rules below are their
// expectedError vectors), pkg/muxer/http/mux.go + mux_test.go (GetRulePriority = len(rule)), and
// github.com/vulcand/predicate v1.3.0 parse.go (the rule is a Go expression: go/parser.ParseExpr).
public sealed class RuleParserTests
{
    [Theory]
    [InlineData("Host(`shop.example.com`)", "Host(`shop.example.com`)")]
    [InlineData("Host(\"shop.example.com\")", "Host(`shop.example.com`)")]
    [InlineData("  Host( `a.com` )  ", "Host(`a.com`)")]
    [InlineData("Host(`a.com`,)", "Host(`a.com`)")] // Go accepts a trailing comma in a call
    [InlineData("Host(`a.com`) && PathPrefix(`/api`)", "(Host(`a.com`) && PathPrefix(`/api`))")]
    [InlineData("Host(`a.com`)&&Path(`/x`)", "(Host(`a.com`) && Path(`/x`))")]
    [InlineData("Host(`a.com`) || Host(`b.com`)", "(Host(`a.com`) || Host(`b.com`))")]
    [InlineData("Host(`a`) || Host(`b`) && Path(`/p`)", "(Host(`a`) || (Host(`b`) && Path(`/p`)))")]
    [InlineData("(Host(`a`) || Host(`b`)) && Path(`/p`)", "((Host(`a`) || Host(`b`)) && Path(`/p`))")]
    [InlineData("Host(`a`) && !PathPrefix(`/admin`)", "(Host(`a`) && !PathPrefix(`/admin`))")]
    [InlineData("!!Host(`a`)", "!!Host(`a`)")]
    [InlineData("!(Host(`a`) || Host(`b`))", "!(Host(`a`) || Host(`b`))")]
    [InlineData("((Host(`a`)))", "Host(`a`)")]
    [InlineData("Header(`X-Env`, `recette`)", "Header(`X-Env`, `recette`)")]
    [InlineData("HostRegexp(`^.+\\.example\\.com$`)", "HostRegexp(`^.+\\.example\\.com$`)")]
    [InlineData("Path(\"/a`b\")", "Path(`/a`b`)")]
    [InlineData("Path(\"/caf\\u00e9\\x21\\041\")", "Path(`/café!!`)")] // Go escapes in "interpreted" strings
    [InlineData("Method(`GET`) && ClientIP(`10.0.0.0/8`) && Query(`a`, `b`)", "((Method(`GET`) && ClientIP(`10.0.0.0/8`)) && Query(`a`, `b`))")]
    [InlineData("Host(`a`) &&\n  Path(`/x`)", "(Host(`a`) && Path(`/x`))")] // a line break after an operator is fine
    [InlineData("Host(`a`)\n", "Host(`a`)")]
    [InlineData("Host(\n`a`,\n)", "Host(`a`)")]
    [InlineData("Path(`/a\r\nb`)", "Path(`/a\nb`)")] // Go drops \r inside raw strings
    public void A_valid_rule_parses_into_the_expected_tree(string text, string expected)
    {
        var result = RuleParser.Parse(text);

        Assert.True(result.Success, result.Error);
        Assert.Null(result.Error);
        Assert.Equal(expected, result.Rule!.ToString());
    }

    // pkg/rules/parser.go registers each matcher as written, lower-case, UPPER-CASE and Title-case, nothing else.
    [Theory]
    [InlineData("PathPrefix", "PathPrefix")]
    [InlineData("pathprefix", "PathPrefix")]
    [InlineData("PATHPREFIX", "PathPrefix")]
    [InlineData("Pathprefix", "PathPrefix")]
    [InlineData("HOST", "Host")]
    [InlineData("host", "Host")]
    [InlineData("clientip", "ClientIP")]
    [InlineData("Clientip", "ClientIP")]
    [InlineData("HOSTREGEXP", "HostRegexp")]
    [InlineData("Hostregexp", "HostRegexp")]
    public void Matcher_names_are_accepted_in_the_four_spellings_traefik_registers(string spelling, string canonical)
    {
        var argument = canonical == "ClientIP" ? "`10.0.0.1`" : "`/x`";
        var rule = RuleParser.Parse($"{spelling}({argument})").Rule;

        var matcher = Assert.IsType<MatcherRule>(rule);
        Assert.Equal(canonical, matcher.Name);
    }

    [Theory]
    [InlineData("pathPrefix(`/x`)", "unknown matcher pathPrefix: Traefik accepts PathPrefix, pathprefix, PATHPREFIX or Pathprefix at character 1")]
    [InlineData("HoSt(`a`)", "unknown matcher HoSt: Traefik accepts Host, host, HOST or Host at character 1")]
    public void Other_letter_cases_are_refused_as_traefik_refuses_them(string text, string expected) =>
        Assert.Equal(expected, RuleParser.Parse(text).Error);

    [Theory]
    [InlineData("", "the rule is empty")]
    [InlineData("   ", "the rule is empty")]
    [InlineData("rulewithnotmatcher", "unknown matcher rulewithnotmatcher (Traefik v3 knows Host, HostRegexp, Path, PathPrefix, PathRegexp, Header, HeaderRegexp, Method, Query, QueryRegexp, ClientIP) at character 1")]
    [InlineData("Headers(`X`, `y`)", "unknown matcher Headers (Traefik v2 syntax); Traefik v3 uses Header at character 1")]
    [InlineData("Host", "expected '(' after Host at character 5")]
    [InlineData("Host(`a`) && Hots(`b`)", "unknown matcher Hots (Traefik v3 knows Host, HostRegexp, Path, PathPrefix, PathRegexp, Header, HeaderRegexp, Method, Query, QueryRegexp, ClientIP) at character 14")]
    [InlineData("Host(`a`", "expected ')' to close Host( at character 9")]
    [InlineData("Host(`a)", "the argument opened by ` at character 6 is never closed")]
    [InlineData("Host(\"a)", "the argument opened by \" at character 6 is never closed")]
    [InlineData("Host(example.com)", "expected a quoted argument such as `value` or \"value\" at character 6")]
    [InlineData("Host(`a`) &&", "expected a matcher such as Host(`example.com`) at character 13")]
    [InlineData("Host(`a`) & Path(`/`)", "unexpected '&' at character 11")]
    [InlineData("Host(`a`) Path(`/`)", "unexpected 'Path' at character 11")]
    [InlineData("Host(`a`) == Host(`b`)", "unexpected '==' at character 11")]
    [InlineData("Host(`a`) != Host(`b`)", "unexpected '!=' at character 11")]
    [InlineData("(Host(`a`)", "missing ')' to close the '(' at character 1 at character 11")]
    [InlineData("Host(`a`))", "unexpected ')' at character 10")]
    [InlineData("|| Host(`a`)", "unexpected '||' at character 1")]
    [InlineData("Host(`a`,,)", "expected a quoted argument such as `value` or \"value\" at character 10")]
    [InlineData("Host('a')", "'...' is a Go character, not a string; quote arguments with `backticks` or \"double quotes\" at character 6")]
    [InlineData("`a`", "a quoted value must be an argument of a matcher, as in Host(`example.com`) at character 1")]
    [InlineData("Path(\"/a\\.b\")", "unknown escape sequence \\. in a \"quoted\" argument (use `backticks` for regular expressions) at character 9")]
    [InlineData("Host(`a`)\n&& Path(`/x`)", "the rule ends at this line break (Traefik parses rules as Go does); put && or || at the end of the line, not at the start of the next one at character 11")]
    [InlineData("Host(`a`\n)", "the rule ends at this line break (Traefik parses rules as Go does); put && or || at the end of the line, not at the start of the next one at character 10")]
    public void An_invalid_rule_is_a_one_line_error_with_the_character_position(string text, string expected)
    {
        var result = RuleParser.Parse(text);

        Assert.False(result.Success);
        Assert.Null(result.Rule);
        Assert.Equal(expected, result.Error);
        Assert.DoesNotContain("\n", result.Error!);
    }

    // Every "expectedError: true" rule of pkg/muxer/http/matcher_test.go and mux_test.go.
    [Theory]
    [InlineData("ClientIP(`1`)")]
    [InlineData("ClientIP()")]
    [InlineData("ClientIP(``)")]
    [InlineData("ClientIP(`127.0.0.1`, `192.168.1.0/24`)")]
    [InlineData("Method()")]
    [InlineData("Method(``)")]
    [InlineData("Method(`GET`, `POST`)")]
    [InlineData("Host()")]
    [InlineData("Host(``)")]
    [InlineData("Host(`🦭.com`)")]
    [InlineData("Host(`example.com`, `example.org`)")]
    [InlineData("HostRegexp()")]
    [InlineData("HostRegexp(``)")]
    [InlineData("HostRegexp(`🦭.com`)")]
    [InlineData("HostRegexp(`(example.com`)")]
    [InlineData("HostRegexp(`example.com`, `example.org`)")]
    [InlineData("Path()")]
    [InlineData("Path(``)")]
    [InlineData("Path(`css`)")]
    [InlineData("Path(`/css`, `/js`)")]
    [InlineData("PathRegexp()")]
    [InlineData("PathRegexp(``)")]
    [InlineData("PathRegexp(`/(css`)")]
    [InlineData("PathRegexp(`/css`, `/js`)")]
    [InlineData("PathPrefix()")]
    [InlineData("PathPrefix(``)")]
    [InlineData("PathPrefix(`css`)")]
    [InlineData("PathPrefix(`/css`, `/js`)")]
    [InlineData("Header()")]
    [InlineData("Header(`X-Forwarded-Host`)")]
    [InlineData("Header(`X-Forwarded-Host`, ``)")]
    [InlineData("Header(``, `example.com`)")]
    [InlineData("Header(`X-Forwarded-Host`, `example.com`, `example.org`)")]
    [InlineData("HeaderRegexp()")]
    [InlineData("HeaderRegexp(`X-Forwarded-Host`)")]
    [InlineData("HeaderRegexp(`X-Forwarded-Host`, ``)")]
    [InlineData("HeaderRegexp(``, `example.com`)")]
    [InlineData("HeaderRegexp(`X-Forwarded-Host`,`(example.com`)")]
    [InlineData("HeaderRegexp(`X-Forwarded-Host`, `example.com`, `example.org`)")]
    [InlineData("Query()")]
    [InlineData("Query(``)")]
    [InlineData("Query(``, `traefik`)")]
    [InlineData("Query(`q`, ``)")]
    [InlineData("Query(`q`, `traefik`, `proxy`)")]
    [InlineData("QueryRegexp()")]
    [InlineData("QueryRegexp(``)")]
    [InlineData("QueryRegexp(`q`, `(traefik`)")]
    [InlineData("QueryRegexp(`q`, `traefik`, `proxy`)")]
    [InlineData("Host(example.com)")]
    [InlineData("rulewithnotmatcher")]
    public void A_rule_traefik_refuses_is_refused(string text)
    {
        var result = RuleParser.Parse(text);

        Assert.False(result.Success, $"{text} was accepted");
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
        Assert.DoesNotContain("\n", result.Error!);
    }

    [Theory]
    [InlineData("Host(`a.com`, `b.com`)", "Host(`a.com`, `b.com`) takes exactly 1 argument, not 2; Traefik v3 refuses several values: write Host(`a.com`) || Host(`b.com`)")]
    [InlineData("Header(`X-Env`)", "Header(`X-Env`) takes exactly 2 arguments, not 1, as in Header(`X-Env`, `staging`)")]
    [InlineData("Query(`a`, `b`, `c`)", "Query(`a`, `b`, `c`) takes 1 or 2 arguments, not 3, as in Query(`mobile`) or Query(`lang`, `fr`)")]
    [InlineData("Host()", "Host needs an argument, as in Host(`example.com`)")]
    [InlineData("Host(`a`) && Path(``)", "Path(``) has an empty argument")]
    [InlineData("Host(`🦭.com`)", "Host(`🦭.com`): non-ASCII characters are not allowed; write the punycode form Host(`xn--9t9h.com`)")]
    [InlineData("PathPrefix(`api`)", "PathPrefix(`api`): the path must start with '/'")]
    [InlineData("ClientIP(`10.0.0.256`)", "ClientIP(`10.0.0.256`): not an IP address or CIDR range (such as 192.168.1.7, 10.0.0.0/8 or 2001:db8::/32)")]
    [InlineData("PathRegexp(`/(css`)", "PathRegexp: invalid regular expression `/(css`: insufficient closing parentheses")]
    [InlineData("PathRegexp(`(a)\\1`)", "PathRegexp: invalid regular expression `(a)\\1`: invalid escape sequence \\1 (Go's regexp has no backreferences)")]
    [InlineData("HostRegexp(`^(?=x)`)", "HostRegexp: invalid regular expression `^(?=x)`: (?= (lookaround, atomic groups, comments, conditionals) is not supported by Go's regexp")]
    public void The_error_says_what_traefik_refuses_and_how_to_write_it(string text, string expected) =>
        Assert.Equal(expected, RuleParser.Parse(text).Error);

    [Fact]
    public void Not_and_parentheses_nest_as_written()
    {
        var rule = RuleParser.Parse("!(Host(`a`) && !Path(`/css`))").Rule!;

        var not = Assert.IsType<NotRule>(rule);
        var and = Assert.IsType<AndRule>(not.Inner);
        Assert.IsType<NotRule>(and.Right);
    }

    // mux.go GetRulePriority: len(rule), Go's byte length of the rule as written.
    [Theory]
    [InlineData("Host(`example.org`)", 19)]
    [InlineData("Host(`a`)  &&  Path(`/`)", 24)]
    [InlineData("Path(`/prio/ééé`)", 20)]
    public void The_default_priority_is_the_rule_length_in_bytes(string rule, int expected) =>
        Assert.Equal(expected, RuleParser.DefaultPriority(rule));

    [Fact]
    public void The_embedded_router_serves_every_traefik_matcher() =>
        Assert.Equal(
            ["ClientIP", "Header", "HeaderRegexp", "Host", "HostRegexp", "Method", "Path", "PathPrefix", "PathRegexp", "Query", "QueryRegexp"],
            RuleParser.EmbeddedMatchers.Order(StringComparer.Ordinal));
}
