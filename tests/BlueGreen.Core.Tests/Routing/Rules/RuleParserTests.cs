using BlueGreen.Core.Routing.Rules;

namespace BlueGreen.Core.Tests.Routing.Rules;

public sealed class RuleParserTests
{
    [Theory]
    [InlineData("Host(`shop.example.com`)", "Host(`shop.example.com`)")]
    [InlineData("Host(\"shop.example.com\")", "Host(`shop.example.com`)")]
    [InlineData("  Host( `a.com` )  ", "Host(`a.com`)")]
    [InlineData("Host(`a.com`, `b.com`)", "Host(`a.com`, `b.com`)")]
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
    [InlineData("Method(`GET`) && ClientIP(`10.0.0.0/8`) && Query(`a`, `b`)", "((Method(`GET`) && ClientIP(`10.0.0.0/8`)) && Query(`a`, `b`))")]
    public void A_valid_rule_parses_into_the_expected_tree(string text, string expected)
    {
        var result = RuleParser.Parse(text);

        Assert.True(result.Success, result.Error);
        Assert.Null(result.Error);
        Assert.Equal(expected, result.Rule!.ToString());
    }

    [Theory]
    [InlineData("", "the rule is empty")]
    [InlineData("   ", "the rule is empty")]
    [InlineData("Host", "expected '(' after Host at character 5")]
    [InlineData("host(`a`)", "unknown matcher host at character 1")]
    [InlineData("Host(`a`) && Hots(`b`)", "unknown matcher Hots at character 14")]
    [InlineData("Host(`a`", "expected ')' to close Host( at character 9")]
    [InlineData("Host(`a)", "unterminated argument at character 6")]
    [InlineData("Host(a)", "expected a `quoted` argument at character 6")]
    [InlineData("Host()", "Host needs an argument at character 7")]
    [InlineData("Host(``)", "Host has an empty argument at character 9")]
    [InlineData("Host(`a`) &&", "expected a matcher such as Host(`example.com`) at character 13")]
    [InlineData("Host(`a`) & Path(`/`)", "unexpected '&' at character 11")]
    [InlineData("Host(`a`) Path(`/`)", "unexpected 'P' at character 11")]
    [InlineData("(Host(`a`)", "missing ')' at character 11")]
    [InlineData("Host(`a`))", "unexpected ')' at character 10")]
    [InlineData("|| Host(`a`)", "unexpected '|' at character 1")]
    [InlineData("Host(`a`,)", "expected a `quoted` argument at character 10")]
    [InlineData("Host('a')", "expected a `quoted` argument at character 6")]
    public void An_invalid_rule_is_an_error_with_the_character_position(string text, string expected)
    {
        var result = RuleParser.Parse(text);

        Assert.False(result.Success);
        Assert.Null(result.Rule);
        Assert.Equal(expected, result.Error);
    }

    [Theory]
    [InlineData("Host(`a`) && PathPrefix(`/`) || Path(`/x`)", "")]
    [InlineData("HostRegexp(`.*`) && Host(`a`) && !HostRegexp(`b`)", "HostRegexp")]
    [InlineData("Host(`a`) && (Header(`X`, `y`) || Method(`GET`))", "Header,Method")]
    public void The_matchers_the_embedded_router_does_not_serve_are_listed_once(string text, string expected)
    {
        var rule = RuleParser.Parse(text).Rule!;

        Assert.Equal(expected, string.Join(',', RuleParser.UnsupportedByEmbeddedRouter(rule)));
    }
}
