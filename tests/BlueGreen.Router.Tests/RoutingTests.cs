using System.Net;
using BlueGreen.Router.Tests.Support;

namespace BlueGreen.Router.Tests;

public sealed class RoutingTests
{
    [Fact]
    public async Task Routes_by_host_path_prefix_path_and_combinations_with_traefik_precedence()
    {
        var names = new[] { "host", "prefix", "exact", "and", "or", "parens", "prio" };
        var backends = new Dictionary<string, TestBackend>();
        foreach (var n in names)
        {
            backends[n] = await TestBackend.StartAsync(n);
        }

        try
        {
            var routers = new[]
            {
                Yaml.Router("host", "Host(`shop.test`)", "host"),
                Yaml.Router("prefix", "Host(`shop.test`) && PathPrefix(`/api`)", "prefix"),
                Yaml.Router("exact", "Host(`shop.test`) && Path(`/api/exact`)", "exact"),
                Yaml.Router("and", "Host(`other.test`) && PathPrefix(`/x`)", "and"),
                Yaml.Router("or", "Host(`one.test`) || Host(`two.test`)", "or"),
                Yaml.Router("parens", "(Host(`p.test`) || Host(`q.test`)) && PathPrefix(`/in`)", "parens"),
                // Explicit priority beats a longer rule on the same host.
                Yaml.Router("prio", "Host(`prio.test`)", "prio", priority: 1000),
                Yaml.Router("long", "Host(`prio.test`) && PathPrefix(`/a-very-long-prefix`)", "host"),
            };
            var services = names.Select(n => Yaml.LoadBalancer(n, null, backends[n].UrlText));
            await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["routes.yml"] = Yaml.File(routers, services) });

            async Task Expect(string host, string path, string expected)
            {
                var (status, body, _) = await h.GetAsync(host, path);
                Assert.True(status == HttpStatusCode.OK && body == expected, $"{host}{path}: expected {expected}, got {(int)status} {body}");
            }

            await Expect("shop.test", "/", "host");
            await Expect("SHOP.Test", "/", "host"); // Host is case-insensitive
            await Expect("shop.test", "/api/x", "prefix"); // longer rule first
            await Expect("shop.test", "/api/exact", "exact");
            await Expect("shop.test", "/api/exact/more", "prefix");
            await Expect("other.test", "/x/1", "and");
            await Expect("one.test", "/", "or");
            await Expect("two.test", "/z", "or");
            await Expect("p.test", "/in/1", "parens");
            await Expect("q.test", "/in", "parens");
            await Expect("prio.test", "/a-very-long-prefix/1", "prio");

            Assert.Equal(HttpStatusCode.NotFound, (await h.GetAsync("other.test", "/y")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await h.GetAsync("q.test", "/out")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await h.GetAsync("nobody.test", "/")).Status);
        }
        finally
        {
            foreach (var b in backends.Values)
            {
                await b.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Weight_zero_gets_no_traffic_and_all_zero_answers_503()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        var file = Yaml.File(
            [Yaml.Router("shop", "Host(`shop.test`)", "shop"), Yaml.Router("dead", "Host(`dead.test`)", "dead")],
            [
                Yaml.Weighted("shop", ("shop-a", 1), ("shop-b", 0)),
                Yaml.Weighted("dead", ("shop-a", 0), ("shop-b", 0)),
                Yaml.LoadBalancer("shop-a", true, a.UrlText),
                Yaml.LoadBalancer("shop-b", true, b.UrlText),
            ]);
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["bluegreen-shop.yml"] = file });

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("a", (await h.GetAsync("shop.test", "/")).Body);
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await h.GetAsync("dead.test", "/")).Status);
    }

    [Fact]
    public async Task Sends_forwarded_headers_and_keeps_the_host_unless_told_not_to()
    {
        await using var backend = await TestBackend.StartAsync("x");
        var file = Yaml.File(
            [Yaml.Router("keep", "Host(`keep.test`)", "keep"), Yaml.Router("drop", "Host(`drop.test`)", "drop")],
            [Yaml.LoadBalancer("keep", null, backend.UrlText), Yaml.LoadBalancer("drop", false, backend.UrlText)]);
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["r.yml"] = file });

        using var request = new HttpRequestMessage(HttpMethod.Get, "/some/path?q=1");
        request.Headers.Host = "keep.test";
        request.Headers.Add("X-Forwarded-For", "6.6.6.6"); // an untrusted client's claim is replaced
        using var response = await h.Proxy.SendAsync(request);
        string Seen(HttpResponseMessage r, string name) => string.Join(",", r.Headers.GetValues("X-Seen-" + name));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("keep.test", Seen(response, "Host"));
        Assert.Equal("/some/path?q=1", Seen(response, "Path"));
        Assert.Equal("127.0.0.1", Seen(response, "X-Forwarded-For"));
        Assert.Equal("keep.test", Seen(response, "X-Forwarded-Host"));
        Assert.Equal("http", Seen(response, "X-Forwarded-Proto"));

        var (_, _, dropped) = await h.GetAsync("drop.test", "/");
        Assert.Equal(backend.Url.Authority, Seen(dropped, "Host"));
        Assert.Equal("drop.test", Seen(dropped, "X-Forwarded-Host"));
    }

    [Fact]
    public async Task Spreads_requests_round_robin_over_the_servers_of_a_load_balancer()
    {
        await using var s1 = await TestBackend.StartAsync("s1");
        await using var s2 = await TestBackend.StartAsync("s2");
        await using var s3 = await TestBackend.StartAsync("s3");
        var file = Yaml.File([Yaml.Router("rr", "Host(`rr.test`)", "rr")], [Yaml.LoadBalancer("rr", null, s1.UrlText, s2.UrlText, s3.UrlText)]);
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["rr.yml"] = file });

        var counts = new Dictionary<string, int>();
        for (var i = 0; i < 30; i++)
        {
            var body = (await h.GetAsync("rr.test", "/")).Body;
            counts[body] = counts.GetValueOrDefault(body) + 1;
        }

        Assert.Equal(new[] { "s1", "s2", "s3" }, counts.Keys.Order());
        Assert.All(counts.Values, c => Assert.Equal(10, c));
    }

    [Fact]
    public async Task An_unreachable_upstream_gives_502_not_a_crash()
    {
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["r.yml"] = Yaml.Simple("gone", "Host(`gone.test`)", "http://127.0.0.1:1") });
        Assert.Equal(HttpStatusCode.BadGateway, (await h.GetAsync("gone.test", "/")).Status);
    }

    [Fact]
    public async Task Writes_an_access_log_line_per_request_when_asked()
    {
        await using var backend = await TestBackend.StartAsync("x");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["r.yml"] = Yaml.Simple("web", "Host(`web.test`)", backend.UrlText) }, accessLog: true);
        await h.GetAsync("web.test", "/logged");
        await h.GetAsync("none.test", "/missing");
        await RouterHarness.WaitUntilAsync(() => Task.FromResult(h.Log.Text.Contains("/missing")), "the access log");
        Assert.Contains("\"GET /logged HTTP/1.1\" 200 \"web.test\" \"web@file\"", h.Log.Text);
        Assert.Contains("\"GET /missing HTTP/1.1\" 404", h.Log.Text);
    }

    [Fact]
    public async Task The_access_log_carries_Traefiks_field_names_as_structured_fields()
    {
        await using var backend = await TestBackend.StartAsync("x");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["r.yml"] = Yaml.Simple("web", "Host(`web.test`)", backend.UrlText) }, accessLog: true);
        await h.GetAsync("web.test", "/fields?q=1");
        await h.GetAsync("none.test", "/missing");
        await RouterHarness.WaitUntilAsync(() => Task.FromResult(h.Log.Text.Contains("/missing")), "the access log");

        var entries = h.Log.Events.Where(e => e.Category == "BlueGreen.Router.Proxy.AccessLog").ToList();
        var routed = entries.Single(e => Equals(e.Fields["RequestPath"], "/fields?q=1")).Fields;
        Assert.Equal("GET", routed["RequestMethod"]);
        Assert.Equal("HTTP/1.1", routed["RequestProtocol"]);
        Assert.Equal("web.test", routed["RequestHost"]);
        Assert.Equal(200, routed["DownstreamStatus"]);
        Assert.Equal(200, routed["OriginStatus"]);
        Assert.Equal("web@file", routed["RouterName"]);
        Assert.StartsWith(backend.UrlText.TrimEnd('/'), (string)routed["ServiceURL"]!);
        Assert.Equal("127.0.0.1", routed["ClientHost"]);
        Assert.StartsWith("127.0.0.1:", (string)routed["ClientAddr"]!);
        Assert.True((long)routed["Duration"]! > 0, "Duration is in nanoseconds, as Traefik's");
        Assert.True(DateTimeOffset.TryParse((string)routed["StartUTC"]!, out _));

        // Not routed: no router, no service, no origin status (Traefik leaves them out).
        var missing = entries.Single(e => Equals(e.Fields["RequestPath"], "/missing")).Fields;
        Assert.Equal(404, missing["DownstreamStatus"]);
        Assert.Null(missing["RouterName"]);
        Assert.Null(missing["ServiceURL"]);
        Assert.Null(missing["OriginStatus"]);
    }
}
