using System.Net;
using System.Text.Json.Nodes;
using BlueGreen.Router.Tests.Support;

namespace BlueGreen.Router.Tests;

public sealed class ReloadTests
{
    private static async Task<string?> ServiceUrlAsync(RouterHarness h, string service) =>
        (await h.ApiJsonAsync($"/api/http/services/{service}"))?["loadBalancer"]?["servers"]?[0]?["url"]?.GetValue<string>();

    [Fact]
    public async Task Serves_a_new_version_within_a_second_after_an_atomic_rename()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["site.yml"] = Yaml.Simple("site", "Host(`site.test`)", a.UrlText) });
        Assert.Equal("a", (await h.GetAsync("site.test", "/")).Body);

        await h.WriteAtomicAsync("site.yml", Yaml.Simple("site", "Host(`site.test`)", b.UrlText));
        var renamed = DateTime.UtcNow;
        await RouterHarness.WaitUntilAsync(async () => (await h.GetAsync("site.test", "/")).Body == "b", "the new routing", TimeSpan.FromSeconds(1));
        Assert.True(DateTime.UtcNow - renamed < TimeSpan.FromSeconds(1));
        Assert.Equal(b.UrlText, await ServiceUrlAsync(h, "site@file"));
        Assert.Matches("revision 2: 1 file", h.Log.Text);
    }

    [Theory]
    [InlineData("not yaml", "http:\n  routers: [oops\n", "site.yml: line")]
    [InlineData("empty", "", "site.yml: the file is empty")]
    [InlineData("nothing declared", "http: {}\n", "site.yml: the file declares no HTTP router or service")]
    public async Task A_bad_file_dropped_in_while_traffic_flows_is_ignored_and_the_last_good_version_keeps_serving(string _, string bad, string logged)
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var other = await TestBackend.StartAsync("other");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string>
        {
            ["site.yml"] = Yaml.Simple("site", "Host(`site.test`)", a.UrlText),
            ["other.yml"] = Yaml.Simple("other", "Host(`other.test`)", other.UrlText),
        });

        using var stop = new CancellationTokenSource();
        var failures = 0;
        var requests = 0;
        var traffic = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var (status, body, _) = await h.GetAsync("site.test", "/");
                Interlocked.Increment(ref requests);
                if (status != HttpStatusCode.OK || body != "a")
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });

        await RouterHarness.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref requests) >= 20), "traffic before the bad write");
        await h.WriteAtomicAsync("site.yml", bad);
        await RouterHarness.WaitUntilAsync(() => Task.FromResult(h.Log.Text.Contains(logged)), "the error line");
        // The other file changes meanwhile: it is reloaded, the bad one stays at its last good version.
        await h.WriteAtomicAsync("other.yml", Yaml.Simple("other2", "Host(`other.test`)", other.UrlText));
        await RouterHarness.WaitUntilAsync(async () => await h.ApiJsonAsync("/api/http/routers/other2@file") is not null, "the other file's reload");
        var afterReload = Volatile.Read(ref requests);
        await RouterHarness.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref requests) >= afterReload + 20), "traffic after the reload");
        await stop.CancelAsync();
        await traffic;

        Assert.True(requests > 0);
        Assert.Equal(0, failures);
        Assert.Contains("last good version keeps serving", h.Log.Text);
        Assert.Equal(a.UrlText, await ServiceUrlAsync(h, "site@file"));
        Assert.Equal("Host(`site.test`)", (await h.ApiJsonAsync("/api/http/routers/site@file"))?["rule"]?.GetValue<string>());
        Assert.Equal("a", (await h.GetAsync("site.test", "/")).Body);
    }

    [Fact]
    public async Task Loads_yml_and_yaml_files_and_ignores_sub_folders_and_other_names()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["site.yml"] = Yaml.Simple("site", "Host(`site.test`)", a.UrlText) });
        Directory.CreateDirectory(Path.Combine(h.RoutesDir, ".bluegreen-tmp"));
        await File.WriteAllTextAsync(Path.Combine(h.RoutesDir, ".bluegreen-tmp", "x.yml"), Yaml.Simple("tmp", "Host(`tmp.test`)", a.UrlText));
        await File.WriteAllTextAsync(Path.Combine(h.RoutesDir, "notes.yml.bak"), Yaml.Simple("bak", "Host(`bak.test`)", a.UrlText));
        await File.WriteAllTextAsync(Path.Combine(h.RoutesDir, "long.yaml"), Yaml.Simple("long", "Host(`long.test`)", a.UrlText));
        await File.WriteAllTextAsync(Path.Combine(h.RoutesDir, "upper.YML"), Yaml.Simple("upper", "Host(`upper.test`)", a.UrlText));
        await File.WriteAllTextAsync(Path.Combine(h.RoutesDir, "later.yml"), Yaml.Simple("later", "Host(`later.test`)", a.UrlText));
        await RouterHarness.WaitUntilAsync(async () => (await h.GetAsync("later.test", "/")).Status == HttpStatusCode.OK, "later.yml");
        await RouterHarness.WaitUntilAsync(async () => (await h.GetAsync("long.test", "/")).Status == HttpStatusCode.OK, "long.yaml");

        var routers = (await h.ApiJsonAsync("/api/http/routers"))!.AsArray().Select(r => r!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["later@file", "long@file", "site@file", "upper@file"], routers);
        Assert.Equal(HttpStatusCode.NotFound, (await h.GetAsync("tmp.test", "/")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await h.GetAsync("bak.test", "/")).Status);
    }

    [Fact]
    public async Task A_name_defined_again_in_another_file_is_skipped_and_the_first_keeps_serving()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var other = await TestBackend.StartAsync("other");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["bluegreen-shop.yml"] = Yaml.Simple("shop", "Host(`shop.test`)", a.UrlText) });
        Assert.Equal("a", (await h.GetAsync("shop.test", "/")).Body);

        // A hand-written file, later in name order, reuses the router and service names.
        await h.WriteAtomicAsync("extra.yml", Yaml.Simple("shop", "Host(`extra.test`)", other.UrlText));
        await RouterHarness.WaitUntilAsync(() => Task.FromResult(h.Log.Text.Contains("revision 2")), "the reload");

        Assert.Equal("a", (await h.GetAsync("shop.test", "/")).Body);
        Assert.Equal(HttpStatusCode.NotFound, (await h.GetAsync("extra.test", "/")).Status);
        var router = await h.ApiJsonAsync("/api/http/routers/shop@file");
        Assert.Equal("warning", router?["status"]?.GetValue<string>());
        Assert.Equal("Host(`shop.test`)", router?["rule"]?.GetValue<string>());
        Assert.Equal("HTTP router shop@file already configured in bluegreen-shop.yml, skipping the definition in extra.yml", router?["error"]?[0]?.GetValue<string>());
        var service = await h.ApiJsonAsync("/api/http/services/shop@file");
        Assert.Equal("warning", service?["status"]?.GetValue<string>());
        Assert.Equal(a.UrlText, await ServiceUrlAsync(h, "shop@file"));
        var overview = await h.ApiJsonAsync("/api/overview");
        Assert.Equal(1, overview?["http"]?["routers"]?["warnings"]?.GetValue<int>());
        Assert.Equal(0, overview?["http"]?["routers"]?["errors"]?.GetValue<int>());
        Assert.Contains("router: warning: HTTP router shop@file already configured in bluegreen-shop.yml, skipping the definition in extra.yml", h.Log.Text);
        Assert.Contains("router: warning: HTTP service shop@file already configured", h.Log.Text);
    }

    [Fact]
    public async Task A_bad_router_or_service_is_disabled_alone_and_the_rest_of_its_file_serves()
    {
        await using var a = await TestBackend.StartAsync("a");
        var file = Yaml.File(
            [
                Yaml.Router("good", "Host(`good.test`)", "lb"),
                Yaml.Router("broken", "Host(`broken.test`", "lb"),
                Yaml.Router("orphan", "Host(`orphan.test`)", "missing"),
                Yaml.Router("badurl", "Host(`badurl.test`)", "bad"),
            ],
            [Yaml.LoadBalancer("lb", null, a.UrlText), Yaml.LoadBalancer("bad", null, "not-a-url")]);
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["site.yml"] = file });

        Assert.Equal("a", (await h.GetAsync("good.test", "/")).Body);
        foreach (var host in new[] { "broken.test", "orphan.test", "badurl.test" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await h.GetAsync(host, "/")).Status);
        }

        async Task<(string? Status, string? Error)> RouterAsync(string name)
        {
            var r = await h.ApiJsonAsync($"/api/http/routers/{name}@file");
            return (r?["status"]?.GetValue<string>(), r?["error"]?[0]?.GetValue<string>());
        }

        Assert.Equal(("enabled", null), await RouterAsync("good"));
        var broken = await RouterAsync("broken");
        Assert.Equal("disabled", broken.Status);
        Assert.StartsWith("router broken: rule \"Host(`broken.test`\": ", broken.Error);
        Assert.Equal(("disabled", "the service \"missing@file\" does not exist"), await RouterAsync("orphan"));
        Assert.Contains("service bad: server url \"not-a-url\"", (await RouterAsync("badurl")).Error);
        Assert.Equal("disabled", (await h.ApiJsonAsync("/api/http/services/bad@file"))?["status"]?.GetValue<string>());
        Assert.Equal(3, (await h.ApiJsonAsync("/api/overview"))?["http"]?["routers"]?["errors"]?.GetValue<int>());
        Assert.Contains("router: error: site.yml: router broken@file is disabled: router broken: rule", h.Log.Text);
        Assert.DoesNotContain("last good version", h.Log.Text);
    }

    [Fact]
    public async Task Stops_gracefully_finishing_a_request_in_flight()
    {
        await using var slow = await TestBackend.StartAsync("slow");
        var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["s.yml"] = Yaml.Simple("s", "Host(`s.test`)", slow.UrlText) });
        await using (h)
        {
            // The backend holds its answer until released: the request is in flight, as the router's API shows.
            var inFlight = h.GetAsync("s.test", "/hold");
            await RouterHarness.WaitUntilAsync(async () => (await h.ApiJsonAsync("/api/http/services/s@file"))?["inFlight"]?[slow.UrlText]?["requests"]?.GetValue<int>() == 1, "the request in flight");
            var stopping = h.Router.StopAsync();
            slow.ReleaseHeld();
            var (status, body, _) = await inFlight;
            await stopping;
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("slow", body);
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => h.GetAsync("s.test", "/"));
        }
    }
}
