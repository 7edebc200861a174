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
    [InlineData("broken", "http:\n  routers:\n    site:\n      rule: \"Host(`site.test`\"\n      service: site\n", "site.yml: router site: rule")]
    [InlineData("not yaml", "http:\n  routers: [oops\n", "site.yml: line")]
    [InlineData("empty", "", "site.yml: the file is empty")]
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

        await Task.Delay(100);
        await h.WriteAtomicAsync("site.yml", bad);
        await RouterHarness.WaitUntilAsync(() => Task.FromResult(h.Log.Text.Contains(logged)), "the error line");
        // The other file changes meanwhile: it is reloaded, the bad one stays at its last good version.
        await h.WriteAtomicAsync("other.yml", Yaml.Simple("other2", "Host(`other.test`)", other.UrlText));
        await RouterHarness.WaitUntilAsync(async () => await h.ApiJsonAsync("/api/http/routers/other2@file") is not null, "the other file's reload");
        await Task.Delay(200);
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
    public async Task Ignores_sub_folders_and_files_not_named_yml()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["site.yml"] = Yaml.Simple("site", "Host(`site.test`)", a.UrlText) });
        Directory.CreateDirectory(Path.Combine(h.RoutesDir, ".bluegreen-tmp"));
        await File.WriteAllTextAsync(Path.Combine(h.RoutesDir, ".bluegreen-tmp", "x.yml"), Yaml.Simple("tmp", "Host(`tmp.test`)", a.UrlText));
        await File.WriteAllTextAsync(Path.Combine(h.RoutesDir, "notes.yml.bak"), Yaml.Simple("bak", "Host(`bak.test`)", a.UrlText));
        await File.WriteAllTextAsync(Path.Combine(h.RoutesDir, "later.yml"), Yaml.Simple("later", "Host(`later.test`)", a.UrlText));
        await RouterHarness.WaitUntilAsync(async () => (await h.GetAsync("later.test", "/")).Status == HttpStatusCode.OK, "later.yml");

        var routers = (await h.ApiJsonAsync("/api/http/routers"))!.AsArray().Select(r => r!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["later@file", "site@file"], routers);
        Assert.Equal(HttpStatusCode.NotFound, (await h.GetAsync("tmp.test", "/")).Status);
    }

    [Fact]
    public async Task A_name_defined_in_two_files_is_an_error_in_both()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string>
        {
            ["one.yml"] = Yaml.Simple("dup", "Host(`one.test`)", a.UrlText),
            ["two.yml"] = Yaml.Simple("dup", "Host(`two.test`)", a.UrlText),
        });
        Assert.Equal(HttpStatusCode.NotFound, (await h.GetAsync("one.test", "/")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await h.GetAsync("two.test", "/")).Status);
        var router = await h.ApiJsonAsync("/api/http/routers/dup@file");
        Assert.Equal("disabled", router?["status"]?.GetValue<string>());
        Assert.Contains("one.yml, two.yml", router?["error"]?[0]?.GetValue<string>());
        Assert.Contains("router dup@file", h.Log.Text);
    }

    [Fact]
    public async Task Stops_gracefully_finishing_a_request_in_flight()
    {
        await using var slow = await TestBackend.StartAsync("slow", delay: TimeSpan.FromMilliseconds(500));
        var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["s.yml"] = Yaml.Simple("s", "Host(`s.test`)", slow.UrlText) });
        await using (h)
        {
            var inFlight = h.GetAsync("s.test", "/");
            await Task.Delay(150);
            var stopping = h.Router.StopAsync();
            var (status, body, _) = await inFlight;
            await stopping;
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("slow", body);
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => h.GetAsync("s.test", "/"));
        }
    }
}
