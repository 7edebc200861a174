using System.Text.Json.Nodes;
using BlueGreen.Core.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Testing;

/// <summary>
/// A real HTTP server answering /api/http/services/NAME@file and /api/http/routers/NAME@file in the shape of Traefik's API
/// (tests/fixtures/traefik-api-samples), from the routing files on disk. Frozen = it keeps showing what it
/// showed last, like a router that does not reload: a switch must then time out and restore.
/// </summary>
public sealed class FakeTraefikApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, JsonObject> _shown = [];
    private readonly Dictionary<string, JsonObject> _routers = [];

    private FakeTraefikApi(WebApplication app) => _app = app;

    public bool Frozen { get; set; }

    public Uri Url { get; private set; } = null!;

    public static async Task<FakeTraefikApi> StartAsync(string routesDir)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var api = new FakeTraefikApi(app);
        app.MapGet("/ping", () => "OK");
        app.MapGet("/api/http/services/{name}", (string name) => api.Service(routesDir, name));
        app.MapGet("/api/http/routers/{name}", (string name) => api.Router(routesDir, name));
        await app.StartAsync();
        api.Url = new Uri(app.Urls.First());
        return api;
    }

    private IResult Service(string routesDir, string name)
    {
        lock (_shown)
        {
            if (!Frozen)
            {
                Reload(routesDir);
            }

            return _shown.TryGetValue(name, out var service)
                ? Results.Text(service.ToJsonString(), "application/json")
                : Results.Json(new { message = "service not found" }, statusCode: 404);
        }
    }

    private IResult Router(string routesDir, string name)
    {
        lock (_shown)
        {
            if (!Frozen)
            {
                Reload(routesDir);
            }

            return _routers.TryGetValue(name, out var router)
                ? Results.Text(router.ToJsonString(), "application/json")
                : Results.Json(new { message = "router not found" }, statusCode: 404);
        }
    }

    private void Reload(string routesDir)
    {
        _shown.Clear();
        _routers.Clear();
        if (!Directory.Exists(routesDir))
        {
            return;
        }

        foreach (var file in Directory.GetFiles(routesDir, "*.yml"))
        {
            var (config, _) = RoutingFileFormat.Parse(File.ReadAllText(file));
            foreach (var (key, router) in config?.Http?.Routers ?? [])
            {
                _routers[$"{key}@file"] = new JsonObject
                {
                    ["name"] = $"{key}@file", ["provider"] = "file", ["rule"] = router.Rule, ["service"] = router.Service, ["status"] = "enabled",
                };
            }

            foreach (var (key, service) in config?.Http?.Services ?? [])
            {
                var json = new JsonObject { ["name"] = $"{key}@file", ["provider"] = "file", ["status"] = "enabled" };
                if (service.Weighted is { } weighted)
                {
                    json["type"] = "weighted";
                    json["weighted"] = new JsonObject
                    {
                        ["services"] = new JsonArray(weighted.Services.Select(s => (JsonNode)new JsonObject { ["name"] = s.Name, ["weight"] = s.Weight }).ToArray()),
                    };
                }
                else
                {
                    json["type"] = "loadbalancer";
                }

                _shown[$"{key}@file"] = json;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
