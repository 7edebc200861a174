using System.Net.Sockets;
using System.Text;
using BlueGreen.Router.Tests.Support;

namespace BlueGreen.Router.Tests;

// Rule tables run through a real router in front of a real backend, each request sent byte for byte over TCP
// (raw target, Host header, method and header lines exactly as written). Expected results are Traefik v3's, derived
// from github.com/traefik/traefik (MIT licence) at commit fd5a576df2e8aeb0bfc8a96b6ef6e60a61f7ec0a:
// pkg/muxer/http/matcher_test.go (TestClientIPMatcher, TestMethodMatcher, TestHostMatcher, TestHostRegexpMatcher,
// TestPathMatcher, TestPathRegexpMatcher, TestPathPrefixMatcher, TestHeaderMatcher, TestHeaderRegexpMatcher,
// TestQueryMatcher, TestQueryRegexpMatcher), pkg/muxer/http/mux_test.go (TestMuxer, TestRoutingPath,
// Test_addRoutePriority) and pkg/server/server_entrypoint_tcp.go (path normalization/sanitization, query semicolons).
// Where Traefik's tests build Go header maps by hand (non-canonical keys), the cases use what a client sends instead.
public sealed class RuleMatchingTests
{
    /// <param name="Request">"METHOD target host" plus optional extra header lines separated by '|'.</param>
    public sealed record Case(string Rule, string Request, bool Matches);

    private static readonly Case[] Cases =
    [
        // Host
        new("Host(`example.com`)", "GET / example.com", true),
        new("Host(`example.com`)", "GET / example.com:8080", true),
        new("Host(`example.com`)", "GET /path EXAMPLE.COM", true),
        new("Host(`example.com`)", "GET / example.org", false),
        new("Host(`example.com.`)", "GET / example.com", true),
        new("Host(`example.com.`)", "GET / example.com.", true),
        new("Host(`example.com.`)", "GET / example.org.", false),
        new("Host(`example.com`)", "GET /path example.com.", true),
        new("Host(`EXAMPLE.COM`)", "GET / example.com", true),
        new("Host(`xn--9t9h.com`)", "GET / example.com", false),
        new("Host(`*.example.com`)", "GET / test.example.com", true),
        new("Host(`*.example.com`)", "GET / example.com", false),
        new("Host(`*.example.com`)", "GET / a.b.example.com", false),
        new("Host(`*.example.com`)", "GET / test.otherexample.com", false),
        new("Host(`*`)", "GET / localhost", true),
        new("Host(`127.0.0.1`)", "GET /foo 127.0.0.1", true),
        new("Host(`10::10`)", "GET /foo [10::10]", true),
        new("Host(`10::10`)", "GET /foo [10::10]:8080", true),
        // HostRegexp
        new("HostRegexp(`^[a-zA-Z-]+\\.com$`)", "GET / example.com", true),
        new("HostRegexp(`^[a-zA-Z-]+\\.com$`)", "GET / example.com:8080", true),
        new("HostRegexp(`^[a-zA-Z-]+\\.com$`)", "GET / example.org", false),
        new("HostRegexp(`^[A-Z]+\\.com$`)", "GET / EXAMPLE.com", false),
        new("hostregexp(`{domain:[a-zA-Z-]+\\.com}`)", "GET / example.com", false),
        // Path, with Traefik's routing path (decoded except reserved characters, sanitized)
        new("Path(`/css`)", "GET /css example.org", true),
        new("Path(`/css`)", "GET /css/ example.com", false),
        new("Path(`/css`)", "GET /css/main.css example.com", false),
        new("Path(`/css`)", "GET /html example.com", false),
        new("Path(`/css`)", "GET / example.com", false),
        new("Path(`/foo bar`)", "GET /foo%20bar example.com", true),
        new("Path(`/a/b`)", "GET /a%2Fb example.com", false),
        new("Path(`/a%2Fb`)", "GET /a%2fb example.com", true),
        new("Path(`/a/b`)", "GET /a/./b example.com", true),
        new("Path(`/a/b`)", "GET /x/../a/b example.com", true),
        new("Path(`/a/b`)", "GET /a//b example.com", true),
        new("Path(`/caf%C3%A9`)", "GET /caf%C3%A9 example.com", false), // the routing path is decoded: /café
        // PathPrefix
        new("PathPrefix(\"/css\")", "GET /css example.com", true),
        new("PathPrefix(\"/css\")", "GET /css/ example.com", true),
        new("PathPrefix(\"/css\")", "GET /css/main.css example.com", true),
        new("PathPrefix(\"/css\")", "GET /html example.com", false),
        new("PathPrefix(\"/css\")", "GET /CSS example.com", false),
        new("Pathprefix(`/css`)", "GET /css example.com", true),
        new("PATHPREFIX(`/css`)", "GET /js example.com", false),
        // PathRegexp: unanchored, case-sensitive
        new("PathRegexp(`^/(css|js)`)", "GET /css example.com", true),
        new("PathRegexp(`^/(css|js)`)", "GET /CSS example.com", false),
        new("PathRegexp(`^/(css|js)`)", "GET /js/main.js example.com", true),
        new("PathRegexp(`^/(css|js)`)", "GET /html example.com", false),
        new("PathRegexp(\"/{path:(css|js)}\")", "GET /%7Bpath:css%7D/ example.com", true),
        new("PathRegexp(\"/{path:(css|js)}\")", "GET /css example.com", false),
        new("PathRegexp(`css$`)", "GET /a/css example.com", true),
        // Header: name case-insensitive, each header line one value
        new("Header(`X-Forwarded-Proto`, `https`)", "GET / example.com|X-Forwarded-Proto: https", true),
        new("Header(`x-forwarded-proto`, `https`)", "GET / example.com|X-FORWARDED-PROTO: https", true),
        new("Header(`X-Forwarded-Proto`, `https`)", "GET / example.com|X-Forwarded-Proto: http|X-Forwarded-Proto: https", true),
        new("Header(`X-Forwarded-Proto`, `https`)", "GET / example.com|X-Forwarded-Proto: http, https", false),
        new("Header(`X-Forwarded-Proto`, `https`)", "GET / example.com|X-Forwarded-Host: example.com", false),
        new("Header(`Host`, `example.com`)", "GET / example.com", false), // Go keeps Host out of the header map
        // HeaderRegexp
        new("HeaderRegexp(`X-Forwarded-Proto`, `^https?$`)", "GET / example.com|X-Forwarded-Proto: http", true),
        new("HeaderRegexp(`X-Forwarded-Proto`, `^https?$`)", "GET / example.com|X-Forwarded-Proto: HTTPS", false),
        new("HeaderRegexp(`X-Forwarded-Proto`, `^https?$`)", "GET / example.com|X-Forwarded-Proto: ws|X-Forwarded-Proto: https", true),
        new("HeaderRegexp(`X-Forwarded-Proto`, `http{secure:s?}`)", "GET / example.com|X-Forwarded-Proto: https", false),
        // Method: the rule's is upper-cased, the request's compared as sent
        new("Method(`GET`)", "GET / example.com", true),
        new("Method(`GET`)", "POST / example.com|Content-Length: 0", false),
        new("Method(`get`)", "GET / example.com", true),
        new("Method(`PURGE`)", "PURGE / example.com", true),
        // Query
        new("Query(`q`, `traefik`)", "GET /?q=traefik example.com", true),
        new("Query(`q`, `traefik`)", "GET /?rel=ddg&q=traefik example.com", true),
        new("Query(`q`, `traefik`)", "GET /?q=traefik&q=proxy example.com", true),
        new("Query(`q`, `traefik`)", "GET /?q=awesome&q=traefik example.com", true),
        new("Query(`q`, `traefik`)", "GET /?q=nginx example.com", false),
        new("Query(`q`, `traefik`)", "GET /?q=TRAEFIK example.com", false),
        new("Query(`q`, `traefik`)", "GET /?Q=traefik example.com", false),
        new("Query(`q`, `traefik`)", "GET /?rel=traefik example.com", false),
        new("Query(`q`, `traefik`)", "GET / example.com", false),
        new("Query(`q`, `traefik`)", "GET /?a=1;q=traefik example.com", true),
        new("Query(`q`, `a b`)", "GET /?q=a+b example.com", true),
        new("Query(`mobile`)", "GET /?mobile example.com", true),
        new("Query(`mobile`)", "GET /?mobile=true example.com", false),
        new("Query(`mobile`)", "GET / example.com", false),
        // QueryRegexp
        new("QueryRegexp(`q`, `^(traefik|nginx)$`)", "GET /?q=nginx example.com", true),
        new("QueryRegexp(`q`, `^(traefik|nginx)$`)", "GET /?q=haproxy example.com", false),
        new("QueryRegexp(`q`, `^(traefik|nginx)$`)", "GET /?q=NGINX example.com", false),
        new("QueryRegexp(`q`, `^.*$`)", "GET /?q=TRAEFIK example.com", true),
        new("QueryRegexp(`q`, `^.*$`)", "GET /?Q=traefik example.com", false),
        new("QueryRegexp(`q`, `{value:(traefik|nginx)}`)", "GET /?q={value:traefik} example.com", true),
        new("QueryRegexp(`q`, `{value:(traefik|nginx)}`)", "GET /?q=traefik example.com", false),
        // ClientIP: the remote address of the connection (these requests come from 127.0.0.1)
        new("ClientIP(`127.0.0.1`)", "GET / example.com", true),
        new("ClientIP(`127.0.0.0/8`)", "GET / example.com", true),
        new("ClientIP(`192.168.1.0/24`)", "GET / example.com", false),
        new("ClientIP(`::1`)", "GET / example.com", false),
        new("ClientIP(`10.0.0.1`)", "GET / example.com|X-Forwarded-For: 10.0.0.1", false),
        // Operators (mux_test.go TestMuxer)
        new("Host(`localhost`) && PathPrefix(`/css`)", "GET /css localhost", true),
        new("Host(`localhost`) && PathPrefix(`/css`)", "GET /js localhost", false),
        new("Host(\"example.com\") || Host(\"example.org\") && Path(\"/css\")", "GET /js example.com", true),
        new("Host(\"example.com\") || Host(\"example.org\") && Path(\"/css\")", "GET /js example.org", false),
        new("(Host(\"example.com\") || Host(\"example.org\")) && Path(\"/css\")", "GET /js example.com", false),
        new("(Host(\"example.com\") || Host(\"example.org\")) && Path(\"/css\")", "GET /css example.org", true),
        new("!Host(\"example.com\")", "GET / example.org", true),
        new("!Host(\"example.com\")", "GET / example.com", false),
        new("!(Host(\"example.com\") && !Path(\"/css\"))", "GET /css example.com", true),
        new("!(Host(\"example.com\") && !Path(\"/css\"))", "GET /css example.org", true),
        new("!(Host(\"example.com\") && !Path(\"/css\"))", "GET /js example.com", false),
        new("!(!(Host(\"example.com\") && Pathprefix(\"/css\")))", "GET /css example.com", true),
        new("!(!(Host(\"example.com\") && Pathprefix(\"/css\")))", "GET /css example.org", false),
        new("!Host(\"example.com\") && Pathprefix(\"/css\")", "GET /css example.org", true),
        new("!Host(\"example.com\") && Pathprefix(\"/css\")", "GET /css example.com", false),
    ];

    [Fact]
    public async Task Every_matcher_matches_requests_as_traefik_v3_does()
    {
        await using var backend = await TestBackend.StartAsync("matched");
        // One router per case; its own X-Case header value selects it, the rest of the rule is the case's.
        var routers = Cases.Select((c, i) => Router($"case{i}", $"Header(`X-Case`, `{i}`) && ({c.Rule})", "matched"));
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string>
        {
            ["rules.yml"] = Yaml.File(routers, [Yaml.LoadBalancer("matched", null, backend.UrlText)]),
        });
        Assert.DoesNotContain("error", h.Log.Text);

        var wrong = new List<string>();
        for (var i = 0; i < Cases.Length; i++)
        {
            var (status, body) = await SendAsync(h, Cases[i].Request, $"X-Case: {i}");
            var expected = Cases[i].Matches ? "200 matched" : "404";
            var actual = status == 200 ? $"200 {body}" : status.ToString();
            if (actual != expected)
            {
                wrong.Add($"{Cases[i].Rule} on \"{Cases[i].Request}\": expected {expected}, got {actual}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task The_default_priority_is_the_rule_length_in_bytes_as_go_counts_it()
    {
        await using var longer = await TestBackend.StartAsync("bytes");
        await using var shorter = await TestBackend.StartAsync("prefix");
        // 30 characters but 32 UTF-8 bytes, against 31: Traefik (len in Go) ranks the first one higher.
        const string accents = "Path(`/prio/x`) || Path(`/éé`)";
        const string prefix = "PathPrefix(`/pri`) || Path(`/`)";
        Assert.Equal((30, 32, 31), (accents.Length, Encoding.UTF8.GetByteCount(accents), prefix.Length));
        var routers = new[] { Router("accents", accents, "bytes"), Router("prefix", prefix, "prefix") };
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string>
        {
            ["rules.yml"] = Yaml.File(routers, [Yaml.LoadBalancer("bytes", null, longer.UrlText), Yaml.LoadBalancer("prefix", null, shorter.UrlText)]),
        });

        Assert.Equal((200, "bytes"), await SendAsync(h, "GET /prio/x example.com"));
        Assert.Equal((200, "prefix"), await SendAsync(h, "GET /prio/other example.com"));
    }

    [Fact]
    public async Task A_rule_traefik_refuses_is_not_served_and_its_error_is_logged()
    {
        await using var backend = await TestBackend.StartAsync("ok");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string>
        {
            ["bad.yml"] = Yaml.File([Router("two-hosts", "Host(`a.test`, `b.test`)", "ok")], [Yaml.LoadBalancer("ok", null, backend.UrlText)]),
            ["good.yml"] = Yaml.File([Router("fine", "host(`ok.test`)", "ok2")], [Yaml.LoadBalancer("ok2", null, backend.UrlText)]),
        });

        await RouterHarness.WaitUntilAsync(
            () => Task.FromResult(h.Log.Text.Contains("Host(`a.test`, `b.test`) takes exactly 1 argument, not 2", StringComparison.Ordinal)),
            "the refused rule in the log");
        Assert.Contains("bad.yml", h.Log.Text.Split('\n').Single(l => l.Contains("takes exactly 1 argument", StringComparison.Ordinal)));
        Assert.Equal(404, (await SendAsync(h, "GET / a.test")).Status);
        Assert.Equal(404, (await SendAsync(h, "GET / b.test")).Status);
        Assert.Equal((200, "ok"), await SendAsync(h, "GET / ok.test"));
    }

    [Fact]
    public async Task A_punycode_host_is_matched_by_the_rule_written_in_punycode()
    {
        // The service has no server with a weight: the router's own 503 proves the route matched without depending
        // on forwarding (ForwardingTransformer sends ASP.NET's Unicode form of the host, which HttpClient refuses).
        var routers = new[] { Router("seal", "HOST(`xn--9t9h.com`)", "nobody"), Router("other", "Host(`example.com`)", "nobody") };
        await using var backend = await TestBackend.StartAsync("unused");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string>
        {
            ["rules.yml"] = Yaml.File(routers, [Yaml.Weighted("nobody", ("lb", 0)), Yaml.LoadBalancer("lb", null, backend.UrlText)]),
        });

        Assert.Equal((503, "no available server\n"), await SendAsync(h, "GET / xn--9t9h.com"));
        Assert.Equal((503, "no available server\n"), await SendAsync(h, "GET /path XN--9T9H.COM:443"));
        Assert.Equal((503, "no available server\n"), await SendAsync(h, "GET / xn--9t9h.com."));
        Assert.Equal(404, (await SendAsync(h, "GET / xn--9t9h.org")).Status);
    }

    [Fact]
    public async Task A_punycode_host_is_forwarded_in_its_ascii_form_and_served()
    {
        await using var backend = await TestBackend.StartAsync("seal");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string>
        {
            ["rules.yml"] = Yaml.File([Router("seal", "Host(`xn--9t9h.com`)", "lb")], [Yaml.LoadBalancer("lb", null, backend.UrlText)]),
        });

        Assert.Equal((200, "seal"), await SendAsync(h, "GET / xn--9t9h.com"));
        Assert.Equal((200, "seal"), await SendAsync(h, "GET / xn--9t9h.com:8080"));
    }

    /// <summary>A router whose rule is written as a single-quoted YAML scalar, so backslashes stay as written.</summary>
    private static string Router(string name, string rule, string service) =>
        $"    {name}:\n      rule: '{rule.Replace("'", "''")}'\n      service: {service}\n";

    /// <summary>Sends one HTTP/1.1 request exactly as described ("METHOD target host|Header: v|…") and reads the status and body.</summary>
    private static async Task<(int Status, string Body)> SendAsync(RouterHarness h, string request, params string[] extraHeaders)
    {
        var lines = request.Split('|');
        var parts = lines[0].Split(' ');
        var text = new StringBuilder($"{parts[0]} {parts[1]} HTTP/1.1\r\nHost: {parts[2]}\r\n");
        foreach (var header in lines.Skip(1).Concat(extraHeaders))
        {
            text.Append(header).Append("\r\n");
        }

        text.Append("Connection: close\r\n\r\n");
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(RouterHarness.Deadline);
        await client.ConnectAsync(h.Router.ProxyUrl.Host, h.Router.ProxyUrl.Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()), timeout.Token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync(timeout.Token);
        var status = int.Parse(response.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        var bodyStart = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var body = bodyStart < 0 ? "" : response[(bodyStart + 4)..];
        // The backend answers with a chunked body when it does not know the length.
        if (response.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            var chunkLines = body.Split("\r\n");
            body = string.Concat(chunkLines.Where((_, i) => i % 2 == 1));
        }

        return (status, body);
    }
}
