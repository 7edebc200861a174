using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using BlueGreen.Router.Tests.Support;
using BlueGreen.Testing;

namespace BlueGreen.Router.Tests;

/// <summary>The API answers in the shapes of Traefik's own (tests/fixtures/traefik-api-samples).</summary>
public sealed class ApiTests
{
    private static JsonNode Sample(string name) => JsonNode.Parse(File.ReadAllText(RepoPaths.TraefikApiSample(name)))!;

    /// <summary>Every field of the sample exists in the answer with the same JSON kind, recursively.</summary>
    private static void AssertShape(JsonNode sample, JsonNode? actual, string path, params string[] skip)
    {
        Assert.True(actual is not null, $"{path}: missing");
        Assert.True(sample.GetValueKind() == actual.GetValueKind(), $"{path}: expected {sample.GetValueKind()}, got {actual.GetValueKind()}");
        if (sample is JsonObject obj)
        {
            foreach (var (key, value) in obj)
            {
                if (key == "serverStatus")
                {
                    // Keys are server URLs: compare the kinds of the values only.
                    Assert.Equal(JsonValueKind.Object, actual[key]?.GetValueKind());
                    Assert.All(actual[key]!.AsObject(), kv => Assert.Equal(JsonValueKind.String, kv.Value!.GetValueKind()));
                }
                else if (!skip.Contains(key) && value is not null)
                {
                    AssertShape(value, actual[key], $"{path}.{key}", skip);
                }
            }
        }
        else if (sample is JsonArray { Count: > 0 } array && actual.AsArray().Count > 0)
        {
            AssertShape(array[0]!, actual.AsArray()[0], $"{path}[0]", skip);
        }
    }

    private static async Task<(RouterHarness H, TestBackend A, TestBackend B)> StartSiteAsync()
    {
        var a = await TestBackend.StartAsync("a");
        var b = await TestBackend.StartAsync("b");
        var file = Yaml.File(
            [Yaml.Router("shop", "Host(`shop.test`)", "shop"), Yaml.Router("shop-preview", "Host(`preview.shop.test`)", "shop-b", priority: 7)],
            [Yaml.Weighted("shop", ("shop-a", 1), ("shop-b", 0)), Yaml.LoadBalancer("shop-a", true, a.UrlText), Yaml.LoadBalancer("shop-b", true, b.UrlText)]);
        var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["bluegreen-shop.yml"] = file });
        return (h, a, b);
    }

    [Fact]
    public async Task Routers_have_traefiks_fields()
    {
        var (h, a, b) = await StartSiteAsync();
        await using var _ = h;
        await using var __ = a;
        await using var ___ = b;

        var router = await h.ApiJsonAsync("/api/http/routers/shop@file");
        AssertShape(Sample("router-bar.json"), router, "router", "middlewares");
        Assert.Equal("shop@file", router!["name"]!.GetValue<string>());
        Assert.Equal("file", router["provider"]!.GetValue<string>());
        Assert.Equal("Host(`shop.test`)", router["rule"]!.GetValue<string>());
        Assert.Equal("shop", router["service"]!.GetValue<string>());
        Assert.Equal("enabled", router["status"]!.GetValue<string>());
        Assert.Equal("0", router["priorityStr"]!.GetValue<string>());
        Assert.Null(router["priority"]);

        var routers = await h.ApiJsonAsync("/api/http/routers");
        AssertShape(Sample("routers.json"), routers, "routers", "middlewares");
        var preview = routers!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "shop-preview@file")!;
        Assert.Equal(7, preview["priority"]!.GetValue<int>());
        Assert.Equal("7", preview["priorityStr"]!.GetValue<string>());
    }

    [Fact]
    public async Task Services_have_traefiks_fields_for_load_balancers_and_weighted_services()
    {
        var (h, a, b) = await StartSiteAsync();
        await using var _ = h;
        await using var __ = a;
        await using var ___ = b;

        var lb = await h.ApiJsonAsync("/api/http/services/shop-a@file");
        AssertShape(Sample("service-bar.json"), lb, "service");
        Assert.Equal("loadbalancer", lb!["type"]!.GetValue<string>());
        Assert.Equal(a.UrlText, lb["loadBalancer"]!["servers"]![0]!["url"]!.GetValue<string>());
        Assert.True(lb["loadBalancer"]!["passHostHeader"]!.GetValue<bool>());
        Assert.Equal("UP", lb["serverStatus"]![a.UrlText]!.GetValue<string>());

        var weighted = await h.ApiJsonAsync("/api/http/services/shop@file");
        var canary = Sample("services.json").AsArray().Single(s => s!["type"]!.GetValue<string>() == "weighted")!;
        AssertShape(canary, weighted, "weighted", "sticky");
        Assert.Equal("weighted", weighted!["type"]!.GetValue<string>());
        Assert.Equal("shop@file", weighted["name"]!.GetValue<string>());
        Assert.Equal("file", weighted["provider"]!.GetValue<string>());
        Assert.Equal("enabled", weighted["status"]!.GetValue<string>());
        Assert.Equal(["shop@file"], weighted["usedBy"]!.AsArray().Select(u => u!.GetValue<string>()));
        var children = weighted["weighted"]!["services"]!.AsArray();
        Assert.Equal(("shop-a", 1), (children[0]!["name"]!.GetValue<string>(), children[0]!["weight"]!.GetValue<int>()));
        Assert.Equal(("shop-b", 0), (children[1]!["name"]!.GetValue<string>(), children[1]!["weight"]!.GetValue<int>()));
        Assert.Equal(JsonValueKind.Number, children[0]!["weight"]!.GetValueKind());

        var services = await h.ApiJsonAsync("/api/http/services");
        AssertShape(Sample("services.json"), services, "services");
        Assert.Equal(["shop-a@file", "shop-b@file", "shop@file"], services!.AsArray().Select(s => s!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Overview_ping_and_unknown_names()
    {
        var (h, a, b) = await StartSiteAsync();
        await using var _ = h;
        await using var __ = a;
        await using var ___ = b;

        var overview = await h.ApiJsonAsync("/api/overview");
        AssertShape(Sample("overview-dynamic.json"), overview, "overview");
        Assert.Equal(2, overview!["http"]!["routers"]!["total"]!.GetValue<int>());
        Assert.Equal(3, overview["http"]!["services"]!["total"]!.GetValue<int>());

        Assert.Equal("OK", await h.Api.GetStringAsync("/ping"));

        foreach (var path in new[] { "/api/http/routers/nope@file", "/api/http/services/nope@file" })
        {
            using var response = await h.Api.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            Assert.Contains("not found", body!["message"]!.GetValue<string>());
        }
    }
}
