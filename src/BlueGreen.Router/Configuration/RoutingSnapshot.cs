using BlueGreen.Core.Routing;
using BlueGreen.Router.Proxy;
using Microsoft.AspNetCore.Http;

namespace BlueGreen.Router.Configuration;

/// <summary>A router that serves traffic: its qualified name, effective priority, predicate and service (node and qualified name).</summary>
internal sealed record CompiledRoute(string Name, int Priority, RuleMatcher.Predicate Matches, ServiceNode Service, string ServiceName);

/// <summary>Traefik's three states (pkg/config/runtime): an error disables, a warning (e.g. a skipped duplicate) does not.</summary>
internal static class Status
{
    public static string Of(IReadOnlyList<string> errors, IReadOnlyList<string> warnings) =>
        errors.Count > 0 ? "disabled" : warnings.Count > 0 ? "warning" : "enabled";
}

/// <summary>A router as the API shows it (qualified name, configuration as written, status, errors and warnings).</summary>
internal sealed record RouterView(string Name, RouterConfig Config, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings)
{
    /// <summary>The routes file it was read from (for the log).</summary>
    public string File { get; init; } = "";

    public bool Enabled => Errors.Count == 0;

    public string Status => Configuration.Status.Of(Errors, Warnings);
}

/// <summary>A service as the API shows it, with the routers that use it.</summary>
internal sealed record ServiceView(string Name, ServiceConfig Config, IReadOnlyList<string> Errors, IReadOnlyList<string> UsedBy, IReadOnlyList<string> Warnings)
{
    /// <summary>The routes file it was read from (for the log).</summary>
    public string File { get; init; } = "";

    public bool Enabled => Errors.Count == 0;

    public string Status => Configuration.Status.Of(Errors, Warnings);
}

/// <summary>
/// One immutable routing state. The proxy and the API read the same instance, so the API never shows
/// a configuration before it serves traffic.
/// </summary>
internal sealed record RoutingSnapshot(
    long Revision,
    IReadOnlyList<string> Files,
    CompiledRoute[] Routes,
    IReadOnlyDictionary<string, RouterView> Routers,
    IReadOnlyDictionary<string, ServiceView> Services)
{
    public static readonly RoutingSnapshot Empty = new(0, [], [], new Dictionary<string, RouterView>(), new Dictionary<string, ServiceView>());

    /// <summary>The highest-priority route matching the request, or null (404).</summary>
    public CompiledRoute? Match(HttpContext context)
    {
        var request = new RequestFacts(context);
        foreach (var route in Routes)
        {
            if (route.Matches(request))
            {
                return route;
            }
        }

        return null;
    }
}

/// <summary>The single volatile reference the whole router reads; a reload replaces it in one write.</summary>
/// <param name="published">Told of each snapshot once it serves (the metrics count reloads).</param>
internal sealed class SnapshotHolder(Action<RoutingSnapshot>? published = null)
{
    private volatile RoutingSnapshot _current = RoutingSnapshot.Empty;

    public RoutingSnapshot Current => _current;

    public void Publish(RoutingSnapshot snapshot)
    {
        _current = snapshot;
        published?.Invoke(snapshot);
    }
}
