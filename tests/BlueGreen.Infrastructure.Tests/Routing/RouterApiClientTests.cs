using BlueGreen.Core.Routing;
using System.Text.Json.Nodes;
using BlueGreen.Core.Slots;
using BlueGreen.Core.Status;
using BlueGreen.Infrastructure.Routing;
using BlueGreen.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Infrastructure.Tests.Routing;

/// <summary>A real HTTP server standing in for Traefik's API: answers /api/http/services/NAME as told.</summary>
internal sealed class FakeTraefikApi : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeTraefikApi(WebApplication app) => _app = app;

    /// <summary>Takes the service name asked for; returns the status and JSON body to answer.</summary>
    public Func<string, (int Status, string Body)> Answer { get; set; } = _ => (404, "{\"message\":\"service not found\"}");

    /// <summary>Takes the router name asked for (/api/http/routers/NAME); returns the status and JSON body.</summary>
    public Func<string, (int Status, string Body)> RouterAnswer { get; set; } = _ => (404, "{\"message\":\"router not found\"}");

    /// <summary>When set, requests wait for it before answering (a hung router).</summary>
    public TaskCompletionSource? Hang { get; set; }

    public List<string> Requests { get; } = [];

    public Uri Url { get; private set; } = null!;

    public static async Task<FakeTraefikApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var api = new FakeTraefikApi(app);
        app.MapGet("/api/http/services/{name}", async (string name, HttpContext context) =>
        {
            lock (api.Requests)
            {
                api.Requests.Add(name);
            }

            if (api.Hang is { } hang)
            {
                await hang.Task.WaitAsync(context.RequestAborted);
            }

            var (status, body) = api.Answer(name);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        });
        app.MapGet("/api/http/routers/{name}", (string name) =>
        {
            var (status, body) = api.RouterAnswer(name);
            return Results.Text(body, "application/json", statusCode: status);
        });
        await app.StartAsync();
        api.Url = new Uri(app.Urls.First());
        return api;
    }

    /// <summary>A weighted service as Traefik's API shows it (see tests/fixtures/traefik-api-samples).</summary>
    public static string Weighted(string site, int weightA, int weightB, string childSuffix = "") => new JsonObject
    {
        ["name"] = $"{site}@file",
        ["provider"] = "file",
        ["status"] = "enabled",
        ["type"] = "weighted",
        ["usedBy"] = new JsonArray($"{site}@file"),
        ["weighted"] = new JsonObject
        {
            ["services"] = new JsonArray(
                new JsonObject { ["name"] = $"{site}-a{childSuffix}", ["weight"] = weightA },
                new JsonObject { ["name"] = $"{site}-b{childSuffix}", ["weight"] = weightB }),
        },
    }.ToJsonString();

    public async ValueTask DisposeAsync()
    {
        Hang?.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed class RouterApiClientTests : IAsyncLifetime
{
    private FakeTraefikApi _api = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _api = await FakeTraefikApi.StartAsync();

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        _http.Dispose();
    }

    private RouterApiClient Client => new(_api.Url, _http, TimeProvider.System);

    /// <summary>The site's production router as Traefik's API shows it (tests/fixtures/traefik-api-samples/router-bar.json).</summary>
    private static string Router(string status, string service = "shop@file", string? error = null) =>
        $"{{\"name\":\"shop@file\",\"provider\":\"file\",\"rule\":\"Host(`shop`)\",\"service\":\"{service}\",\"status\":\"{status}\"{(error is null ? "" : $",\"error\":[\"{error}\"]")}}}";

    [Theory]
    [InlineData("enabled")]
    [InlineData("warning")]
    public async Task A_router_that_is_there_and_not_disabled_serves_the_slot_its_weights_name(string status)
    {
        _api.RouterAnswer = _ => (200, Router(status));
        _api.Answer = _ => (200, FakeTraefikApi.Weighted("shop", 0, 1));

        var view = await Client.ReadSiteAsync("shop", CancellationToken.None);

        Assert.Equal(RouterView.Serving(Slot.B, "weights: shop-a=0, shop-b=1"), view);
    }

    [Fact]
    public async Task A_disabled_router_serves_nobody_and_says_why()
    {
        _api.RouterAnswer = _ => (200, Router("disabled", error: "middleware \\\"x@file\\\" does not exist"));
        _api.Answer = _ => (200, FakeTraefikApi.Weighted("shop", 1, 0));

        var view = await Client.ReadSiteAsync("shop", CancellationToken.None);

        Assert.Equal(new RouterView(RouterFinding.Disabled, null, "middleware \"x@file\" does not exist"), view);
    }

    [Fact]
    public async Task No_router_or_a_router_to_another_service_is_not_serving()
    {
        Assert.Equal(RouterFinding.NoRouter, (await Client.ReadSiteAsync("shop", CancellationToken.None)).Finding);

        _api.RouterAnswer = _ => (200, Router("enabled", service: "other@file"));
        var view = await Client.ReadSiteAsync("shop", CancellationToken.None);
        Assert.Equal(new RouterView(RouterFinding.NoLiveSlot, null, "the router 'shop' points to service 'other@file', not 'shop'"), view);
    }

    [Fact]
    public async Task A_stopped_router_is_unreachable_at_once()
    {
        var url = _api.Url;
        await _api.DisposeAsync();

        var view = await new RouterApiClient(url, _http, TimeProvider.System).ReadSiteAsync("shop", CancellationToken.None);

        Assert.Equal(RouterFinding.Unreachable, view.Finding);
        Assert.Contains("Connection refused", view.Detail);
    }

    [Theory]
    [InlineData(1, 0, Slot.A)]
    [InlineData(0, 1, Slot.B)]
    public async Task The_live_slot_is_the_child_with_a_weight(int weightA, int weightB, Slot expected)
    {
        _api.Answer = name => (200, FakeTraefikApi.Weighted("shop", weightA, weightB));

        var (reachable, live, detail) = await Client.ReadLiveSlotAsync("shop", CancellationToken.None);

        Assert.True(reachable);
        Assert.Equal(expected, live);
        Assert.Equal($"weights: shop-a={weightA}, shop-b={weightB}", detail);
        Assert.Equal(["shop@file"], _api.Requests);
    }

    [Fact]
    public async Task A_split_is_read_as_its_weights_and_the_wait_ends_on_exactly_those_weights()
    {
        _api.Answer = name => (200, FakeTraefikApi.Weighted("shop", 90, 10));

        var (reachable, weights, _) = await Client.ReadWeightsAsync("shop", CancellationToken.None);
        var (_, live, _) = await Client.ReadLiveSlotAsync("shop", CancellationToken.None);
        var other = await Client.WaitForWeightsAsync("shop", SlotWeights.Split(Slot.A, 50), TimeSpan.FromMilliseconds(100), CancellationToken.None);
        var same = await Client.WaitForWeightsAsync("shop", SlotWeights.Split(Slot.A, 10), TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.True(reachable);
        Assert.Equal(new SlotWeights(90, 10), weights);
        Assert.Null(live);
        Assert.False(other.Live);
        Assert.True(same.Live);
    }

    [Fact]
    public async Task Children_named_with_their_provider_are_recognised()
    {
        _api.Answer = name => (200, FakeTraefikApi.Weighted("shop", 0, 1, "@file"));

        var (_, live, _) = await Client.ReadLiveSlotAsync("shop", CancellationToken.None);

        Assert.Equal(Slot.B, live);
    }

    [Fact]
    public async Task A_child_without_a_weight_has_traefiks_default_weight_of_one()
    {
        _api.Answer = _ => (200, "{\"type\":\"weighted\",\"weighted\":{\"services\":[{\"name\":\"shop-a\",\"weight\":0},{\"name\":\"shop-b\"}]}}");

        var (_, live, detail) = await Client.ReadLiveSlotAsync("shop", CancellationToken.None);

        Assert.Equal(Slot.B, live);
        Assert.Equal("weights: shop-a=0, shop-b=1", detail);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(0, 0)]
    public async Task Without_exactly_one_weighted_child_there_is_no_live_slot(int weightA, int weightB)
    {
        _api.Answer = name => (200, FakeTraefikApi.Weighted("shop", weightA, weightB));

        var (reachable, live, _) = await Client.ReadLiveSlotAsync("shop", CancellationToken.None);

        Assert.True(reachable);
        Assert.Null(live);
    }

    [Fact]
    public async Task A_service_the_router_does_not_have_is_reachable_without_a_live_slot()
    {
        var (reachable, live, detail) = await Client.ReadLiveSlotAsync("shop", CancellationToken.None);

        Assert.True(reachable);
        Assert.Null(live);
        Assert.Equal("the router has no such service", detail);
    }

    [Fact]
    public async Task A_load_balancer_service_is_not_weighted()
    {
        _api.Answer = _ => (200, File.ReadAllText(RepoPaths.TraefikApiSample("service-bar.json")));

        var (reachable, live, detail) = await Client.ReadLiveSlotAsync("shop", CancellationToken.None);

        Assert.True(reachable);
        Assert.Null(live);
        Assert.Equal("the service is not weighted", detail);
    }

    [Theory]
    [InlineData(500, "{}")]
    [InlineData(503, "")]
    public async Task An_error_status_is_unreachable_and_named(int status, string body)
    {
        _api.Answer = _ => (status, body);

        var (reachable, live, detail) = await Client.ReadLiveSlotAsync("shop", CancellationToken.None);

        Assert.False(reachable);
        Assert.Null(live);
        Assert.Contains($"answered {status}", detail);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"weighted\":{\"services\":[{\"weight\":1}]}}")]
    [InlineData("{\"weighted\":{\"services\":[{\"name\":\"shop-a\",\"weight\":\"heavy\"}]}}")]
    [InlineData("{\"weighted\":{\"services\":{}}}")]
    public async Task A_body_that_is_not_a_service_is_unreachable_not_an_exception(string body)
    {
        _api.Answer = _ => (200, body);

        var (reachable, live, _) = await Client.ReadLiveSlotAsync("shop", CancellationToken.None);

        Assert.False(reachable);
        Assert.Null(live);
    }

    [Fact]
    public async Task A_router_that_is_down_is_unreachable()
    {
        var url = _api.Url;
        await _api.DisposeAsync();
        var client = new RouterApiClient(url, _http, TimeProvider.System);

        var (reachable, live, detail) = await client.ReadLiveSlotAsync("shop", CancellationToken.None);

        Assert.False(reachable);
        Assert.Null(live);
        Assert.Contains(url.Authority, detail);
        _api = await FakeTraefikApi.StartAsync();
    }

    [Fact]
    public async Task Waiting_gives_up_early_when_the_connection_is_refused_three_times_in_a_row()
    {
        var url = _api.Url;
        await _api.DisposeAsync();
        var clock = new TimerWatchingClock();
        var client = new RouterApiClient(url, _http, clock);
        var started = clock.GetUtcNow();

        // A 60 s timeout on the test's clock, whose time passes only by the client's own 20 ms polls.
        var wait = client.WaitForLiveSlotAsync("shop", Slot.B, TimeSpan.FromSeconds(60), CancellationToken.None);
        await clock.AdvanceEachTimerUntilAsync(wait);
        var (live, detail, refused) = await wait;

        Assert.False(live);
        Assert.True(refused);
        Assert.Contains($"connection refused {RouterApiClient.RefusalsBeforeGivingUp} times in a row", detail);
        Assert.Equal(TimeSpan.FromMilliseconds(20) * (RouterApiClient.RefusalsBeforeGivingUp - 1), clock.GetUtcNow() - started);
        _api = await FakeTraefikApi.StartAsync();
    }

    [Fact]
    public async Task Waiting_returns_true_once_the_router_shows_the_expected_slot()
    {
        var calls = 0;
        _api.Answer = _ => Interlocked.Increment(ref calls) < 3 ? (200, FakeTraefikApi.Weighted("shop", 1, 0)) : (200, FakeTraefikApi.Weighted("shop", 0, 1));

        var (live, detail, _) = await Client.WaitForLiveSlotAsync("shop", Slot.B, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.True(live);
        Assert.Equal("weights: shop-a=0, shop-b=1", detail);
        Assert.True(calls >= 3);
    }

    [Fact]
    public async Task Waiting_returns_false_after_the_timeout_when_the_router_keeps_the_old_slot()
    {
        _api.Answer = _ => (200, FakeTraefikApi.Weighted("shop", 1, 0));

        var (live, detail, _) = await Client.WaitForLiveSlotAsync("shop", Slot.B, TimeSpan.FromMilliseconds(300), CancellationToken.None);

        Assert.False(live);
        Assert.Equal("weights: shop-a=1, shop-b=0", detail);
    }

    [Fact]
    public async Task Waiting_returns_false_when_the_router_answers_errors()
    {
        _api.Answer = _ => (500, "{}");

        var (live, detail, _) = await Client.WaitForLiveSlotAsync("shop", Slot.A, TimeSpan.FromMilliseconds(300), CancellationToken.None);

        Assert.False(live);
        Assert.Contains("answered 500", detail);
    }

    [Fact]
    public async Task Waiting_returns_false_when_the_router_never_answers()
    {
        _api.Hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var (live, detail, _) = await Client.WaitForLiveSlotAsync("shop", Slot.A, TimeSpan.FromMilliseconds(300), CancellationToken.None);

        Assert.False(live);
        Assert.Equal("the API did not answer within 2 s", detail);
    }
}
