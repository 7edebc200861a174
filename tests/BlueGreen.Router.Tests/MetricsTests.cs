using System.Net;
using BlueGreen.Router.Tests.Support;
using BlueGreen.Testing;

namespace BlueGreen.Router.Tests;

/// <summary>
/// /metrics on the API address, read after known traffic through a real router to real backends, and parsed
/// by Prometheus' reference parser: Traefik's names, labels and buckets, counted as the traffic was.
/// </summary>
public sealed class MetricsTests
{
    private static readonly (string, string) Web = ("entrypoint", "web");
    private static readonly (string, string) Get = ("method", "GET");
    private static readonly (string, string) Http = ("protocol", "http");

    private static (string, string) Code(int code) => ("code", code.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static async Task<IReadOnlyDictionary<string, PromFamily>> ScrapeAsync(RouterHarness h)
    {
        using var response = await h.Api.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The product's layout: a production router on a weighted service over the two slot services.</summary>
    private static string SiteFile(string site, string urlA, string urlB, int weightA = 1, int weightB = 0) => Yaml.File(
        [Yaml.Router(site, $"Host(`{site}.test`)", site)],
        [Yaml.Weighted(site, ($"{site}-a", weightA), ($"{site}-b", weightB)), Yaml.LoadBalancer($"{site}-a", true, urlA), Yaml.LoadBalancer($"{site}-b", true, urlB)]);

    [Fact]
    public async Task Counters_and_histograms_match_the_traffic_sent_with_Traefik_names_labels_and_buckets()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["shop.yml"] = SiteFile("shop", a.UrlText, b.UrlText) });

        const int gets = 7, unknown = 3, posts = 2;
        for (var i = 0; i < gets; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await h.GetAsync("shop.test", $"/p{i}")).Status);
        }

        for (var i = 0; i < unknown; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await h.GetAsync("nobody.test", "/")).Status);
        }

        for (var i = 0; i < posts; i++)
        {
            using var post = new HttpRequestMessage(HttpMethod.Post, "/form") { Content = new StringContent("x=1") };
            post.Headers.Host = "shop.test";
            Assert.Equal(HttpStatusCode.OK, (await h.Proxy.SendAsync(post)).StatusCode);
        }

        var m = await ScrapeAsync(h);

        Assert.Equal("counter", m["traefik_entrypoint_requests"].Type);
        Assert.Equal("histogram", m["traefik_service_request_duration_seconds"].Type);
        Assert.Equal(gets, m.Value("traefik_entrypoint_requests_total", Web, Code(200), Get, Http));
        Assert.Equal(unknown, m.Value("traefik_entrypoint_requests_total", Web, Code(404), Get, Http));
        Assert.Equal(posts, m.Value("traefik_entrypoint_requests_total", Web, Code(200), ("method", "POST"), Http));
        Assert.Equal(3, m.Samples("traefik_entrypoint_requests_total").Count);

        // A 404 reached no router: the router and service counters hold the routed requests only.
        var router = new[] { ("router", "shop@file"), ("service", "shop@file") };
        Assert.Equal(gets, m.Value("traefik_router_requests_total", [.. router, Code(200), Get, Http]));
        Assert.Equal(posts, m.Value("traefik_router_requests_total", [.. router, Code(200), ("method", "POST"), Http]));
        Assert.Equal(2, m.Samples("traefik_router_requests_total").Count);

        // Traefik labels the service that holds the server (the slot), not the weighted one above it.
        Assert.Equal(gets, m.Value("traefik_service_requests_total", ("service", "shop-a@file"), Code(200), Get, Http));
        Assert.Equal(posts, m.Value("traefik_service_requests_total", ("service", "shop-a@file"), Code(200), ("method", "POST"), Http));
        Assert.Empty(m.Samples("traefik_service_requests_total", ("service", "shop-b@file")));
        Assert.Empty(m.Samples("traefik_service_requests_total", ("service", "shop@file")));

        // Every histogram has Traefik's default buckets, and as many observations as the counter beside it.
        foreach (var (family, counter, labels) in new[]
        {
            ("traefik_entrypoint_request_duration_seconds", "traefik_entrypoint_requests_total", new[] { Web, Code(200), Get, Http }),
            ("traefik_router_request_duration_seconds", "traefik_router_requests_total", [.. router, Code(200), Get, Http]),
            ("traefik_service_request_duration_seconds", "traefik_service_requests_total", [("service", "shop-a@file"), Code(200), Get, Http]),
        })
        {
            var buckets = m.Samples(family + "_bucket", labels);
            Assert.Equal(["0.1", "0.3", "1.2", "5", "+Inf"], buckets.Select(s => s.Labels["le"]));
            Assert.Equal(m.Value(counter, labels), buckets[^1].Value);
            Assert.Equal(m.Value(counter, labels), m.Value(family + "_count", labels));
            Assert.True(m.Value(family + "_sum", labels) > 0);
            Assert.Equal(buckets.Select(s => s.Value).Order(), buckets.Select(s => s.Value)); // cumulative
        }
    }

    [Fact]
    public async Task A_slow_server_lands_above_the_buckets_its_latency_passes()
    {
        // The backend itself waits 0.35 s: each request takes at least that, so it is never within 0.1 or 0.3.
        await using var slow = await TestBackend.StartAsync("slow", TimeSpan.FromMilliseconds(350));
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["slow.yml"] = Yaml.Simple("slow", "Host(`slow.test`)", slow.UrlText) });
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await h.GetAsync("slow.test", "/")).Status);
        }

        var m = await ScrapeAsync(h);
        (string, string)[] labels = [("service", "slow@file"), Code(200), Get, Http];
        Assert.Equal(0, m.Value("traefik_service_request_duration_seconds_bucket", [.. labels, ("le", "0.1")]));
        Assert.Equal(0, m.Value("traefik_service_request_duration_seconds_bucket", [.. labels, ("le", "0.3")]));
        Assert.Equal(2, m.Value("traefik_service_request_duration_seconds_bucket", [.. labels, ("le", "+Inf")]));
        Assert.True(m.Value("traefik_service_request_duration_seconds_sum", labels) >= 0.7);
    }

    [Fact]
    public async Task Reloads_count_each_applied_configuration_and_not_a_file_that_does_not_parse()
    {
        await using var a = await TestBackend.StartAsync("a");
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["one.yml"] = Yaml.Simple("one", "Host(`one.test`)", a.UrlText) });

        // As in Traefik, the configuration the router starts with is the first one applied.
        var m = await ScrapeAsync(h);
        Assert.Equal(1, m.Value("traefik_config_reloads_total"));
        var first = m.Value("traefik_config_last_reload_success")!.Value;
        Assert.InRange(first, before, DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        await h.WriteAtomicAsync("two.yml", Yaml.Simple("two", "Host(`two.test`)", a.UrlText));
        await RouterHarness.WaitUntilAsync(async () => await h.ApiJsonAsync("/api/http/routers/two@file") is not null, "the new router");
        m = await ScrapeAsync(h);
        Assert.Equal(2, m.Value("traefik_config_reloads_total"));
        Assert.InRange(m.Value("traefik_config_last_reload_success")!.Value, first, DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        // A broken file changes no configuration: no reload. A later good change counts again.
        await h.WriteAtomicAsync("two.yml", "http:\n  routers: [oops\n");
        await RouterHarness.WaitUntilAsync(() => Task.FromResult(h.Log.Text.Contains("two.yml: line")), "the error line");
        Assert.Equal(2, (await ScrapeAsync(h)).Value("traefik_config_reloads_total"));
        await h.WriteAtomicAsync("three.yml", Yaml.Simple("three", "Host(`three.test`)", a.UrlText));
        await RouterHarness.WaitUntilAsync(async () => await h.ApiJsonAsync("/api/http/routers/three@file") is not null, "the third router");
        Assert.Equal(3, (await ScrapeAsync(h)).Value("traefik_config_reloads_total"));
    }

    [Fact]
    public async Task A_removed_router_and_service_are_exported_once_more_then_dropped_as_Traefik_does()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string>
        {
            ["keep.yml"] = Yaml.Simple("keep", "Host(`keep.test`)", a.UrlText),
            ["gone.yml"] = Yaml.Simple("gone", "Host(`gone.test`)", a.UrlText),
        });
        await h.GetAsync("keep.test", "/");
        await h.GetAsync("gone.test", "/");

        File.Delete(Path.Combine(h.RoutesDir, "gone.yml"));
        await RouterHarness.WaitUntilAsync(async () => await h.ApiJsonAsync("/api/http/routers/gone@file") is null, "the router's removal");

        var last = await ScrapeAsync(h);
        Assert.Equal(1, last.Value("traefik_router_requests_total", ("router", "gone@file")));
        Assert.Equal(1, last.Value("traefik_service_requests_total", ("service", "gone@file")));
        var next = await ScrapeAsync(h);
        Assert.Empty(next.Samples("traefik_router_requests_total", ("router", "gone@file")));
        Assert.Empty(next.Samples("traefik_service_requests_total", ("service", "gone@file")));
        Assert.Empty(next.Samples("traefik_router_request_duration_seconds_count", ("router", "gone@file")));
        Assert.Equal(1, next.Value("traefik_router_requests_total", ("router", "keep@file")));
        Assert.Equal(2, next.Value("traefik_entrypoint_requests_total", Code(200)));
    }

    [Fact]
    public async Task A_dead_server_counts_its_502s_and_has_no_server_up_sample_since_only_a_health_check_sets_it()
    {
        // A port that was just free: nothing listens there.
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var deadUrl = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        listener.Stop();

        await using var a = await TestBackend.StartAsync("a");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["shop.yml"] = SiteFile("shop", deadUrl, a.UrlText) });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.BadGateway, (await h.GetAsync("shop.test", "/")).Status);
        }

        var m = await ScrapeAsync(h);
        Assert.Equal(3, m.Value("traefik_service_requests_total", ("service", "shop-a@file"), Code(502)));
        Assert.Equal(3, m.Value("traefik_router_requests_total", ("router", "shop@file"), Code(502)));

        // Traefik sets traefik_service_server_up from its health checkers only; the product's files have no
        // healthCheck and the router runs none, so, like Traefik on the same files, there is no sample.
        Assert.Empty(m.Samples("traefik_service_server_up"));
    }

    [Fact]
    public async Task A_route_without_an_available_server_counts_its_503_on_the_router_only()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["shop.yml"] = SiteFile("shop", a.UrlText, a.UrlText, 0, 0) });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await h.GetAsync("shop.test", "/")).Status);

        var m = await ScrapeAsync(h);
        Assert.Equal(1, m.Value("traefik_entrypoint_requests_total", Code(503)));
        Assert.Equal(1, m.Value("traefik_router_requests_total", ("router", "shop@file"), ("service", "shop@file"), Code(503)));
        Assert.Empty(m.Samples("traefik_service_requests_total"));
    }

    [Fact]
    public async Task Method_and_protocol_labels_follow_Traefik_an_unknown_method_and_an_event_stream()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["shop.yml"] = Yaml.Simple("shop", "Host(`shop.test`)", a.UrlText) });
        using (var purge = new HttpRequestMessage(new HttpMethod("PURGE"), "/"))
        {
            purge.Headers.Host = "shop.test";
            Assert.Equal(HttpStatusCode.OK, (await h.Proxy.SendAsync(purge)).StatusCode);
        }

        using (var sse = new HttpRequestMessage(HttpMethod.Get, "/plain"))
        {
            sse.Headers.Host = "shop.test";
            sse.Headers.TryAddWithoutValidation("Accept", "text/html, TEXT/EVENT-STREAM");
            Assert.Equal(HttpStatusCode.OK, (await h.Proxy.SendAsync(sse)).StatusCode);
        }

        var m = await ScrapeAsync(h);
        Assert.Equal(1, m.Value("traefik_service_requests_total", ("method", "EXTENSION_METHOD"), Http));
        Assert.Equal(1, m.Value("traefik_service_requests_total", Get, ("protocol", "sse")));
        Assert.Equal(2, m.Samples("traefik_service_requests_total").Count);
    }
}
