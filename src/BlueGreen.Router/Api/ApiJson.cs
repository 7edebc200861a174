using System.Globalization;
using System.Text.Json.Nodes;
using BlueGreen.Core.Routing;
using BlueGreen.Router.Configuration;
using BlueGreen.Router.Proxy;

namespace BlueGreen.Router.Api;

/// <summary>Renders snapshot views in the shapes of Traefik's API (pkg/api), field names as Traefik's.</summary>
internal static class ApiJson
{
    public const string EntryPoint = "web";

    public static JsonObject Router(RouterView view)
    {
        var config = view.Config;
        var entryPoints = EntryPointsOf(config);
        var json = new JsonObject
        {
            ["entryPoints"] = Array(entryPoints),
            ["service"] = config.Service,
            ["rule"] = config.Rule,
        };

        // Traefik omits priority when unset (0) and always gives priorityStr.
        if (config.Priority is > 0 and var p)
        {
            json["priority"] = p;
        }

        json["priorityStr"] = (config.Priority ?? 0).ToString(CultureInfo.InvariantCulture);
        AddStatus(json, view.Status, view.Errors, view.Warnings);
        json["using"] = Array(entryPoints);
        json["name"] = view.Name;
        json["provider"] = SnapshotBuilder.ProviderOf(view.Name);
        return json;
    }

    /// <summary>
    /// A service in Traefik's shape, plus one extension field for a loadBalancer: <c>inFlight</c>, per server
    /// URL, the exchanges in flight and the WebSockets/event streams open (deploy waits on it to drain a slot).
    /// </summary>
    public static JsonObject Service(ServiceView view, ServerLoads loads)
    {
        var json = new JsonObject();
        if (view.Config.LoadBalancer is { } lb)
        {
            var servers = new JsonArray();
            var status = new JsonObject();
            var inFlight = new JsonObject();
            foreach (var server in lb.Servers)
            {
                servers.Add((JsonNode)new JsonObject { ["url"] = server.Url });
                status[server.Url] = "UP";
                var (requests, streams) = loads.Of(server.Url);
                inFlight[server.Url] = new JsonObject { ["requests"] = requests, ["streams"] = streams };
            }

            json["loadBalancer"] = new JsonObject { ["servers"] = servers, ["passHostHeader"] = lb.PassHostHeader ?? true };
            AddStatus(json, view.Status, view.Errors, view.Warnings);
            json["serverStatus"] = status;
            json["inFlight"] = inFlight;
            json["type"] = TypeOf(view.Config);
        }
        else
        {
            var children = new JsonArray();
            foreach (var child in view.Config.Weighted?.Services ?? [])
            {
                children.Add((JsonNode)new JsonObject { ["name"] = child.Name, ["weight"] = child.Weight });
            }

            json["weighted"] = new JsonObject { ["services"] = children };
            if (view.Config.Weighted?.Sticky?.Cookie is { } cookie)
            {
                // Traefik's API shows the sticky cookie as configured (its JSON names, empty ones left out).
                var sticky = new JsonObject();
                if (cookie.Name is { Length: > 0 } cookieName)
                {
                    sticky["name"] = cookieName;
                }

                json["weighted"]!["sticky"] = new JsonObject { ["cookie"] = sticky };
            }
            AddStatus(json, view.Status, view.Errors, view.Warnings);
            json["type"] = TypeOf(view.Config);
        }

        json["usedBy"] = Array(view.UsedBy);
        json["name"] = view.Name;
        json["provider"] = SnapshotBuilder.ProviderOf(view.Name);
        return json;
    }

    public static JsonObject Overview(RoutingSnapshot snapshot, bool accessLog) => new()
    {
        ["features"] = new JsonObject { ["accessLog"] = accessLog, ["metrics"] = "", ["tracing"] = "" },
        ["http"] = new JsonObject
        {
            ["middlewares"] = Counts(0, 0),
            ["routers"] = Counts(snapshot.Routers.Count, snapshot.Routers.Values.Count(r => r.Status == "disabled"), snapshot.Routers.Values.Count(r => r.Status == "warning")),
            ["services"] = Counts(snapshot.Services.Count, snapshot.Services.Values.Count(s => s.Status == "disabled"), snapshot.Services.Values.Count(s => s.Status == "warning")),
        },
        ["tcp"] = new JsonObject { ["middlewares"] = Counts(0, 0), ["routers"] = Counts(0, 0), ["services"] = Counts(0, 0) },
        ["udp"] = new JsonObject { ["routers"] = Counts(0, 0), ["services"] = Counts(0, 0) },
        ["providers"] = new JsonArray("File"),
    };

    /// <summary>The entry points a router shows: as written, <c>web</c> when none.</summary>
    public static IReadOnlyList<string> EntryPointsOf(RouterConfig config) => config.EntryPoints is { Count: > 0 } eps ? eps : [EntryPoint];

    /// <summary>Traefik's <c>type</c>: the lower-cased name of the service's one configured kind.</summary>
    public static string TypeOf(ServiceConfig config) => config.LoadBalancer is not null ? "loadbalancer" : "weighted";

    public static JsonObject Message(string message) => new() { ["message"] = message };

    private static JsonObject Counts(int total, int errors, int warnings = 0) => new() { ["errors"] = errors, ["total"] = total, ["warnings"] = warnings };

    /// <summary>Traefik keeps errors and warnings in one "error" list; the status tells which it is.</summary>
    private static void AddStatus(JsonObject json, string status, IReadOnlyList<string> errors, IReadOnlyList<string> warnings)
    {
        json["status"] = status;
        if (errors.Count + warnings.Count > 0)
        {
            json["error"] = Array(errors.Concat(warnings));
        }
    }

    private static JsonArray Array(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
}
