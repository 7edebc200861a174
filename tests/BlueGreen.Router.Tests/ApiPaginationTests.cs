using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using BlueGreen.Router.Api;
using BlueGreen.Router.Tests.Support;

namespace BlueGreen.Router.Tests;

/// <summary>
/// Paging, filtering, sorting and name decoding of the API, as Traefik's pkg/api does them. The tables come
/// from Traefik's source and tests at github.com/traefik/traefik commit fd5a576df2e8aeb0bfc8a96b6ef6e60a61f7ec0a:
/// pkg/api/criterion.go, sort.go, handler_http.go, handler_http_test.go (TestHandler_HTTP, generateHTTPRouters).
/// </summary>
public sealed class ApiPaginationTests
{
    private static IReadOnlyDictionary<string, string> Query(string raw) => GoUrl.ParseQuery(raw);

    // criterion.go pagination(): (query, total) → start, end, next page; or Traefik's error text.
    [Theory]
    [InlineData("", 0, 0, 0, 1L)] // routers-empty.json: an empty list is page 1, next 1
    [InlineData("", 2, 0, 2, 1L)] // default per_page 100
    [InlineData("page=2&per_page=1", 3, 1, 2, 3L)] // routers-page2.json, X-Next-Page 3
    [InlineData("page=3&per_page=7", 19, 14, 19, 1L)] // routers-many-lastpage.json, X-Next-Page 1
    [InlineData("page=1&per_page=7", 19, 0, 7, 2L)]
    [InlineData("page=1&per_page=10", 10, 0, 10, 1L)] // exactly full: no next page
    [InlineData("page=1&per_page=5", 0, 0, 0, 1L)] // page 1 is never past the end
    [InlineData("page=%2B2&per_page=1", 3, 1, 2, 3L)] // Atoi takes a '+' sign
    [InlineData("page=&per_page=", 1, 0, 1, 1L)] // empty means default
    [InlineData("page=2&page=9&per_page=1", 3, 1, 2, 3L)] // url.Values.Get: the first value
    [InlineData("page=9;per_page=1", 3, 0, 3, 1L)] // a pair holding ';' is dropped by url.ParseQuery
    public void Pages_as_traefik(string query, int total, int start, int end, long next)
    {
        Assert.True(ApiListing.TryPage(Query(query), total, out var page, out var error), error);
        Assert.Equal(new PageInfo(start, end, next), page);
    }

    [Theory]
    [InlineData("page=2&per_page=10", 5, "invalid request: page: 2, per_page: 10")] // TestHandler_HTTP: 400
    [InlineData("page=2&per_page=10", 10, "invalid request: page: 2, per_page: 10")] // TestHandler_HTTP: 400
    [InlineData("page=2", 0, "invalid request: page: 2, per_page: 100")]
    [InlineData("per_page=0", 3, "invalid request: per_page: 0")]
    [InlineData("page=-1", 3, "invalid request: page: -1")]
    [InlineData("page=abc", 3, "invalid request: page: 0")] // Atoi's value on a syntax error is 0
    [InlineData("page=1.5", 3, "invalid request: page: 0")]
    [InlineData("page=%201", 3, "invalid request: page: 0")] // no space allowed
    [InlineData("page=99999999999999999999", 3, "invalid request: page: 9223372036854775807")] // Atoi clamps
    [InlineData("per_page=x&page=x", 3, "invalid request: per_page: 0")] // per_page is read first
    [InlineData("page=4611686018427387904&per_page=4", 3, "invalid request: page: 4611686018427387904, per_page: 4")]
    public void Refuses_pages_as_traefik(string query, int total, string expected)
    {
        Assert.False(ApiListing.TryPage(Query(query), total, out _, out var error));
        Assert.Equal(expected, error);
    }

    // criterion.go filterService: the router's service with '@' must equal the filter, without it the filter's part before '@'.
    [Theory]
    [InlineData("fii-service@myprovider", "fii-service@myprovider", true)] // routers-filtered-serviceName.json: test@myprovider
    [InlineData("fii-service@myprovider", "fii-service", true)] // ... and foo@otherprovider
    [InlineData("fii-service@myprovider", "foo-service@myprovider", false)]
    [InlineData("fii-service", "fii-service", true)]
    [InlineData("fii-service", "fii-service@myprovider", false)]
    [InlineData("fii-service@file", "fii-service@other", false)]
    [InlineData("FII-service", "fii-service", false)] // case-sensitive
    public void Filters_by_service_as_traefik(string filter, string routerService, bool kept) =>
        Assert.Equal(kept, SearchCriterion.From(Query("serviceName=" + Uri.EscapeDataString(filter)))!.FilterService(routerService));

    [Fact]
    public void Search_and_status_as_traefik()
    {
        Assert.Null(SearchCriterion.From(Query("")));
        Assert.Null(SearchCriterion.From(Query("page=2&search=&status=")));

        var search = SearchCriterion.From(Query("search=FII"))!;
        Assert.True(search.SearchIn("Host(`fii.bar.other`)", "test@myprovider")); // routers-filtered-search.json
        Assert.False(search.SearchIn("Host(`foo.bar`)", "bar@myprovider"));
        Assert.True(SearchCriterion.From(Query("search=a+b"))!.SearchIn("x A B y")); // '+' is a space in a query

        var status = SearchCriterion.From(Query("status=Enabled"))!; // strings.EqualFold
        Assert.True(status.WithStatus("enabled"));
        Assert.False(status.WithStatus("disabled"));
        Assert.True(SearchCriterion.From(Query("search=x"))!.WithStatus("disabled")); // no status filter

        // The files the router serves declare no middlewares: any middlewareName filter keeps no router.
        Assert.False(SearchCriterion.From(Query("middlewareName=auth"))!.FilterMiddleware([]));
        Assert.True(SearchCriterion.From(Query("middlewareName=auth"))!.FilterMiddleware(["addPrefixTest", "auth"]));
    }

    // url.PathUnescape, as getRouter/getService apply it to the {routerID} segment.
    [Theory]
    [InlineData("foo%20%2F%20bar@myprovider", "foo / bar@myprovider")] // url.PathEscape("foo / bar@myprovider"), router-foo-slash-bar.json
    [InlineData("a+b@file", "a+b@file")] // '+' is not a space in a path
    [InlineData("a%252Fb@file", "a%2Fb@file")] // decoded once
    [InlineData("caf%C3%A9@file", "café@file")]
    [InlineData("shop@file", "shop@file")]
    public void Path_names_decode_as_go(string escaped, string name)
    {
        Assert.True(GoUrl.TryPathUnescape(escaped, out var decoded, out var error), error);
        Assert.Equal(name, decoded);
    }

    [Theory]
    [InlineData("a%zz@file", "invalid URL escape \"%zz\"")]
    [InlineData("abc%4", "invalid URL escape \"%4\"")]
    [InlineData("abc%", "invalid URL escape \"%\"")]
    public void Bad_path_escapes_fail_as_go(string escaped, string expected)
    {
        Assert.False(GoUrl.TryPathUnescape(escaped, out _, out var error));
        Assert.Equal(expected, error);
    }

    // handler.go createRouter: gorilla/mux on the encoded path, {name} = one non-empty segment ([^/]+).
    [Theory]
    [InlineData("/api/http/routers", nameof(ApiEndpoint.Routers), "")]
    [InlineData("/api/http/routers/foo%20%2F%20bar@file", nameof(ApiEndpoint.Router), "foo%20%2F%20bar@file")]
    [InlineData("/api/http/services/shop.v2@file", nameof(ApiEndpoint.Service), "shop.v2@file")]
    [InlineData("/api/http/routers/", nameof(ApiEndpoint.NotFound), "")]
    [InlineData("/api/http/routers/a/b", nameof(ApiEndpoint.NotFound), "")]
    [InlineData("/api/%68ttp/routers", nameof(ApiEndpoint.NotFound), "")] // matched as sent, not decoded
    [InlineData("/api/overview", nameof(ApiEndpoint.Overview), "")]
    [InlineData("/api/overview/", nameof(ApiEndpoint.NotFound), "")]
    public void Routes_on_the_path_as_sent(string path, string endpoint, string name) =>
        Assert.Equal((Enum.Parse<ApiEndpoint>(endpoint), name), TraefikApi.Resolve(path));

    /// <summary>Traefik's generateHTTPRouters(n): routers "bar%2d" (so "bar 0".."bar 9", "bar10"..) on one service.</summary>
    private static string ManyRouters(int count) => Yaml.File(
        Enumerable.Range(0, count).Select(i => Yaml.Router($"\"bar{i,2}\"", $"Host(`foo.bar{i}`)", "foo-service")),
        [Yaml.LoadBalancer("foo-service", null, "http://127.0.0.1:9")]);

    private static async Task<(HttpStatusCode Status, string? NextPage, string ContentType, string Body)> GetAsync(RouterHarness h, string path)
    {
        using var response = await h.Api.GetAsync(path);
        var next = response.Headers.TryGetValues(ApiListing.NextPageHeader, out var values) ? values.Single() : null;
        return (response.StatusCode, next, response.Content.Headers.ContentType?.ToString() ?? "", await response.Content.ReadAsStringAsync());
    }

    private static IEnumerable<string> Names(string body) => JsonNode.Parse(body)!.AsArray().Select(r => r!["name"]!.GetValue<string>());

    [Fact]
    public async Task Lists_page_through_a_real_router()
    {
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["many.yml"] = ManyRouters(19) });

        // The 19 routers of TestHandler_HTTP's "19 results overall, 7 res per page, want page 3": bar14..bar18, next 1.
        var last = await GetAsync(h, "/api/http/routers?page=3&per_page=7");
        Assert.Equal((HttpStatusCode.OK, "1", "application/json"), (last.Status, last.NextPage, last.ContentType));
        Assert.Equal(Enumerable.Range(14, 5).Select(i => $"bar{i}@file"), Names(last.Body));

        // Walking the pages by X-Next-Page gives every router once, in Go's byte order ("bar 9" before "bar10").
        var seen = new List<string>();
        var page = "1";
        do
        {
            var answer = await GetAsync(h, $"/api/http/routers?per_page=4&page={page}");
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            seen.AddRange(Names(answer.Body));
            page = answer.NextPage!;
        }
        while (page != "1");
        Assert.Equal(Enumerable.Range(0, 19).Select(i => $"bar{i,2}@file"), seen);

        // Past the end: 400, Traefik's message through http.Error (text/plain), no X-Next-Page.
        var past = await GetAsync(h, "/api/http/routers?page=4&per_page=7");
        Assert.Equal((HttpStatusCode.BadRequest, (string?)null), (past.Status, past.NextPage));
        Assert.StartsWith("text/plain", past.ContentType);
        Assert.Equal("invalid request: page: 4, per_page: 7", JsonNode.Parse(past.Body)!["message"]!.GetValue<string>());

        var services = await GetAsync(h, "/api/http/services?page=1&per_page=1");
        Assert.Equal((HttpStatusCode.OK, "1"), (services.Status, services.NextPage));
        Assert.Equal(["foo-service@file"], Names(services.Body));
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(h, "/api/http/services?page=2&per_page=1")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(h, "/api/http/services?per_page=-3")).Status);
    }

    [Fact]
    public async Task Lists_filter_and_sort_through_a_real_router()
    {
        await using var backend = await TestBackend.StartAsync("x");
        var file = Yaml.File(
            [
                Yaml.Router("test", "Host(`fii.bar.other`)", "fii-service", priority: 5),
                Yaml.Router("bar", "Host(`foo.bar`)", "foo-service"),
                Yaml.Router("broken", "Nope(`x`)", "fii-service", priority: 9),
            ],
            [Yaml.LoadBalancer("fii-service", null, backend.UrlText), Yaml.LoadBalancer("foo-service", null, backend.UrlText, backend.UrlText),
             Yaml.Weighted("all", ("fii-service", 1))]);
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["site.yml"] = file });

        async Task<IEnumerable<string>> NamesAt(string path)
        {
            var answer = await GetAsync(h, path);
            Assert.True(answer.Status == HttpStatusCode.OK, $"{path}: {answer.Status} {answer.Body}");
            Assert.Equal("1", answer.NextPage);
            return Names(answer.Body);
        }

        Assert.Equal(["bar@file", "broken@file", "test@file"], await NamesAt("/api/http/routers"));
        Assert.Equal(["test@file"], await NamesAt("/api/http/routers?search=FII.bar")); // in the rule, any case
        Assert.Equal(["broken@file"], await NamesAt("/api/http/routers?search=broken"));  // in the name
        Assert.Equal(["bar@file", "test@file"], await NamesAt("/api/http/routers?status=enabled"));
        Assert.Equal(["broken@file"], await NamesAt("/api/http/routers?status=DISABLED"));
        Assert.Equal(["broken@file", "test@file"], await NamesAt("/api/http/routers?serviceName=fii-service@file"));
        Assert.Equal(["broken@file", "test@file"], await NamesAt("/api/http/routers?serviceName=fii-service"));
        Assert.Equal(["test@file"], await NamesAt("/api/http/routers?serviceName=fii-service&status=enabled"));
        Assert.Empty(await NamesAt("/api/http/routers?middlewareName=auth"));
        Assert.Equal(["foo-service@file"], await NamesAt("/api/http/services?search=FOO"));

        // sort.go: by key then name; "asc" ascends, any other direction descends.
        Assert.Equal(["bar@file", "test@file", "broken@file"], await NamesAt("/api/http/routers?sortBy=priority"));
        Assert.Equal(["broken@file", "test@file", "bar@file"], await NamesAt("/api/http/routers?sortBy=priority&direction=desc"));
        Assert.Equal(["test@file", "broken@file", "bar@file"], await NamesAt("/api/http/routers?direction=ASC"));
        Assert.Equal(["bar@file", "test@file", "broken@file"], await NamesAt("/api/http/routers?sortBy=service&direction=desc"));
        Assert.Equal(["broken@file", "bar@file", "test@file"], await NamesAt("/api/http/routers?sortBy=status&direction=asc"));
        Assert.Equal(["all@file", "fii-service@file", "foo-service@file"], await NamesAt("/api/http/services?sortBy=servers"));
        Assert.Equal(["foo-service@file", "fii-service@file", "all@file"], await NamesAt("/api/http/services?sortBy=servers&direction=desc"));
        Assert.Equal(["all@file", "foo-service@file", "fii-service@file"], await NamesAt("/api/http/services?sortBy=type&direction=desc"));
    }

    [Fact]
    public async Task Names_with_spaces_and_slashes_are_found_as_traefik_escapes_them()
    {
        await using var backend = await TestBackend.StartAsync("x");
        var file = Yaml.File(
            [Yaml.Router("\"foo / bar\"", "Host(`foo.bar`)", "\"svc a%2Fb\"")],
            [Yaml.LoadBalancer("\"svc a%2Fb\"", null, backend.UrlText)]);
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["site.yml"] = file });

        // url.PathEscape("foo / bar@file"), as Traefik's own test and web UI send it.
        var router = await GetAsync(h, "/api/http/routers/foo%20%2F%20bar@file");
        Assert.True(router.Status == HttpStatusCode.OK, router.Body);
        Assert.Equal("foo / bar@file", JsonNode.Parse(router.Body)!["name"]!.GetValue<string>());
        Assert.Equal("application/json", router.ContentType);

        // A literal "%2F" in a name is sent as %252F and decoded once.
        var service = await GetAsync(h, "/api/http/services/svc%20a%252Fb@file");
        Assert.True(service.Status == HttpStatusCode.OK, service.Body);
        Assert.Equal("svc a%2Fb@file", JsonNode.Parse(service.Body)!["name"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(h, "/api/http/services/svc%20a%2Fb@file")).Status);

        // An unescaped slash is another path: gorilla/mux's plain 404.
        var split = await GetAsync(h, "/api/http/routers/foo%20/%20bar@file");
        Assert.Equal((HttpStatusCode.NotFound, "404 page not found\n"), (split.Status, split.Body));

        var missing = await GetAsync(h, "/api/http/routers/no%20such@file");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.StartsWith("text/plain", missing.ContentType);
        Assert.Equal("router not found: no such@file", JsonNode.Parse(missing.Body)!["message"]!.GetValue<string>());

        // A bad escape (which no client library sends, hence raw bytes) is Traefik's 400 with the decode error.
        var (status, body) = await RawGetAsync(h.Router.ApiUrl!, "/api/http/routers/a%zz@file");
        Assert.Equal(400, status);
        Assert.Equal("unable to decode routerID \"a%zz@file\": invalid URL escape \"%zz\"", JsonNode.Parse(body)!["message"]!.GetValue<string>());

        using var post = await h.Api.PostAsync("/api/http/routers", new StringContent(""));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    private static async Task<(int Status, string Body)> RawGetAsync(Uri api, string target)
    {
        // HTTP/1.0: the answer ends when the connection closes, no chunked framing to undo.
        using var client = new TcpClient();
        await client.ConnectAsync(api.Host, api.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.0\r\nHost: {api.Authority}\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = new CancellationTokenSource(RouterHarness.Deadline);
        var response = await reader.ReadToEndAsync(timeout.Token);
        var parts = response.Split("\r\n\r\n", 2);
        return (int.Parse(parts[0].Split(' ')[1]), parts[1]);
    }
}
