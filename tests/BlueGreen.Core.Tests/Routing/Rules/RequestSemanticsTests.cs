using System.Net;
using BlueGreen.Core.Routing.Rules;

namespace BlueGreen.Core.Tests.Routing.Rules;

// How Traefik v3 reads a request for its matchers. Derived from github.com/traefik/traefik (MIT licence) at commit
// fd5a576df2e8aeb0bfc8a96b6ef6e60a61f7ec0a: pkg/muxer/http/matcher_test.go (TestHostMatcher, TestHostRegexpMatcher,
// TestPathRegexpMatcher, TestQueryMatcher, TestClientIPMatcher vectors), pkg/muxer/muxer.go (wildcards),
// pkg/middlewares/requestdecorator/request_decorator.go (canonical host), pkg/muxer/http/mux_test.go TestRoutingPath,
// pkg/server/server_entrypoint_tcp.go (normalizePath, sanitizePath, AllowQuerySemicolons) and
// docs/content/reference/install-configuration/entrypoints.md (sanitizePath table); Go's url.ParseQuery and RE2 syntax.
public sealed class RequestSemanticsTests
{
    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("EXAMPLE.COM", "example.com")]
    [InlineData("example.com:8080", "example.com")]
    [InlineData("[10::10]:8080", "10::10")]
    [InlineData("[10::10]", "10::10")]
    [InlineData("10::10", "10::10")]
    [InlineData("127.0.0.1:80", "127.0.0.1")]
    [InlineData("example.com.", "example.com.")]
    [InlineData(" example.com ", "example.com")]
    [InlineData("xn--9t9h.com", "xn--9t9h.com")]
    [InlineData("", "")]
    public void The_canonical_host_drops_port_brackets_and_case(string header, string expected) =>
        Assert.Equal(expected, HostMatching.CanonicalHost(header));

    [Theory]
    [InlineData("example.com", "example.com", true)]
    [InlineData("example.com", "EXAMPLE.COM", true)]
    [InlineData("example.com", "example.com:8080", true)]
    [InlineData("example.com", "example.org", false)]
    [InlineData("example.com.", "example.com", true)] // rule ending with a dot
    [InlineData("example.com.", "example.com.", true)]
    [InlineData("example.com", "example.com.", true)] // request ending with a dot
    [InlineData("example.com", "example.org.", false)]
    [InlineData("xn--9t9h.com", "xn--9t9h.com", true)] // punycode: the sender must use it
    [InlineData("xn--9t9h.com", "🦭.com", false)]
    [InlineData("*.example.com", "test.example.com", true)]
    [InlineData("*.example.com", "other.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com", false)] // the wildcard is one label
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", "test.otherexample.com", false)]
    [InlineData("*", "anything.example", true)]
    [InlineData("*", "", true)]
    [InlineData("example.com", "", false)]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("10::10", "[10::10]", true)]
    [InlineData("10::10", "[10::10]:443", true)]
    public void Host_matches_as_traefik_compares_hosts(string rule, string hostHeader, bool expected) =>
        Assert.Equal(expected, HostMatching.Matches(HostMatching.CanonicalHost(hostHeader), rule.ToLowerInvariant()));

    [Theory]
    [InlineData("/foo%20bar", "/foo bar")]
    [InlineData("/foo%2Fbar", "/foo%2Fbar")]
    [InlineData("/foo%2fbar", "/foo%2Fbar")] // normalizePath upper-cases escapes first
    [InlineData("/foo%20bar%2Fbaz%23qux", "/foo bar%2Fbaz%23qux")]
    [InlineData("/%7Bpath:css%7D", "/{path:css}")]
    [InlineData("/caf%C3%A9", "/café")]
    [InlineData("/a%41", "/aA")]
    [InlineData("/%25", "/%25")]
    [InlineData("/./foo/bar", "/foo/bar")] // sanitizePath (on by default)
    [InlineData("/foo/../bar", "/bar")]
    [InlineData("/foo/bar//", "/foo/bar/")]
    [InlineData("/./foo/../bar//", "/bar/")]
    [InlineData("/foo/%2E%2E/bar", "/bar")] // %2E is unreserved: decoded before cleaning
    [InlineData("/../..", "/")]
    [InlineData("/css/", "/css/")]
    [InlineData("/css", "/css")]
    [InlineData("", "/")]
    public void The_routing_path_is_normalized_sanitized_and_decoded_except_reserved_characters(string raw, string expected) =>
        Assert.Equal(expected, RoutingPath.FromRawPath(raw));

    [Theory]
    [InlineData("q=traefik", "q", "traefik")]
    [InlineData("rel=ddg&q=traefik", "q", "traefik")]
    [InlineData("q=traefik&q=proxy", "q", "traefik,proxy")]
    [InlineData("mobile", "mobile", "")]
    [InlineData("mobile=", "mobile", "")]
    [InlineData("Q=traefik", "q", null)]
    [InlineData("a=1;q=x", "q", "x")] // AllowQuerySemicolons
    [InlineData("q=a+b%21", "q", "a b!")]
    [InlineData("q%3D=1", "q=", "1")]
    [InlineData("q=%zz&q=ok", "q", "ok")] // a pair with a bad escape is dropped
    [InlineData("&&q=1&", "q", "1")]
    public void Query_values_are_parsed_as_go_parses_them(string raw, string key, string? expected)
    {
        var values = QueryValues.Parse(raw).GetValueOrDefault(key);

        Assert.Equal(expected, values is null ? null : string.Join(',', values));
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "192.168.1.1", false)]
    [InlineData("192.168.1.0/24", "192.168.1.1", true)]
    [InlineData("192.168.1.0/24", "192.168.1.100", true)]
    [InlineData("192.168.1.0/24", "192.168.2.1", false)]
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)] // an IPv4-mapped client is its IPv4 address
    [InlineData("::ffff:10.1.2.3", "10.1.2.3", true)]
    [InlineData("::/0", "10.1.2.3", false)] // an IPv6 range never holds an IPv4 client
    [InlineData("2001:db8::/32", "2001:db8::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("192.168.1.7/30", "192.168.1.4", true)] // the network is masked
    [InlineData("0.0.0.0/0", "8.8.8.8", true)]
    public void ClientIP_holds_an_address_or_a_range(string argument, string client, bool expected)
    {
        Assert.True(ClientIpRange.TryParse(argument, out var range));
        Assert.Equal(expected, range.Contains(IPAddress.Parse(client)));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("010.0.0.1")] // Go refuses leading zeros
    [InlineData("1.2.3")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[::1]")]
    [InlineData("example.com")]
    public void ClientIP_refuses_what_go_does_not_parse(string argument) =>
        Assert.False(ClientIpRange.TryParse(argument, out _));

    [Theory]
    [InlineData("^[a-zA-Z-]+\\.com$", "example.com", true)]
    [InlineData("^[a-zA-Z-]+\\.com$", "example.org", false)]
    [InlineData("^[A-Z]+\\.com$", "example.com", false)] // case-sensitive
    [InlineData("{domain:[a-zA-Z-]+\\.com}", "example.com", false)] // v2 syntax is a literal '{' in v3
    [InlineData("{domain:[a-zA-Z-]+\\.com}", "{domain:example.com}", true)]
    [InlineData("^/(css|js)", "/css/main.css", true)]
    [InlineData("^/(css|js)", "/CSS", false)]
    [InlineData("/{path:(css|js)}", "/{path:css}/", true)]
    [InlineData("css", "/a/css/b", true)] // unanchored, as Go's MatchString
    [InlineData("^https?$", "https", true)]
    [InlineData("^https?$", "https\n", false)] // Go's '$' is the end of the text
    [InlineData("(?m)^https?$", "https\nx", true)]
    [InlineData("^\\d+$", "٣", false)] // \d is ASCII in Go
    [InlineData("^\\w+$", "é", false)]
    [InlineData("^[[:alpha:]]+$", "abc", true)]
    [InlineData("^[[:digit:]]+$", "abc", false)]
    [InlineData("^(?P<n>a)b$", "ab", true)]
    [InlineData("^(?i)ABC$", "abc", true)]
    [InlineData("^(?U)a+$", "aaa", true)]
    [InlineData("^\\x{41}\\x42$", "AB", true)]
    [InlineData("^\\Qa.b\\E$", "a.b", true)]
    [InlineData("^\\Qa.b\\E$", "axb", false)]
    [InlineData("^[a-c-[x]]$", "-]", true)] // Go: the class a-c, '-', '[', 'x', then a literal ']' (.NET would subtract)
    [InlineData("^[a-c-[x]]$", "[]", true)]
    [InlineData("^[a-c-[x]]$", "b", false)]
    [InlineData("^[a-c[]+$", "a[", true)] // '[' inside a class is literal in Go
    [InlineData("^a{2}$", "aa", true)]
    [InlineData("^\\pL+$", "été", true)]
    public void Regexps_match_as_go_matches_them(string pattern, string input, bool expected)
    {
        Assert.True(GoRegexp.TryCompile(pattern, out var regex, out var error), error);
        Assert.Equal(expected, regex.IsMatch(input));
    }

    [Theory]
    [InlineData("(example.com", "insufficient closing parentheses")]
    [InlineData("(a)\\1", "invalid escape sequence \\1 (Go's regexp has no backreferences)")]
    [InlineData("a(?=b)", "(?= (lookaround, atomic groups, comments, conditionals) is not supported by Go's regexp")]
    [InlineData("a(?<=b)", "lookbehind (?<= / (?<!) is not supported by Go's regexp")]
    [InlineData("(?>a)", "(?> (lookaround, atomic groups, comments, conditionals) is not supported by Go's regexp")]
    [InlineData("(?x)a", "invalid or unsupported flag group (?x")]
    [InlineData("\\Z", "invalid escape sequence \\Z")]
    [InlineData("\\e", "invalid escape sequence \\e")]
    [InlineData("a{1001}", "invalid repeat count {1001}")]
    [InlineData("a**", "nested quantifier")]
    [InlineData("[[:nope:]]", "invalid character class range [:nope:]")]
    [InlineData("a\\", "trailing backslash at end of expression")]
    public void Regexps_go_refuses_are_refused(string pattern, string expected)
    {
        Assert.False(GoRegexp.TryCompile(pattern, out _, out var error));
        Assert.StartsWith(expected, error);
    }
}
