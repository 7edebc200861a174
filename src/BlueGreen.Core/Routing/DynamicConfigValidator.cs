using BlueGreen.Core.Routing.Rules;

namespace BlueGreen.Core.Routing;

/// <summary>
/// Checks one parsed routing file on its own (cross-file references are the router's business, since
/// Traefik's file provider shares one namespace between files). Every message names the router or service.
/// </summary>
public static class DynamicConfigValidator
{
    /// <param name="supportedMatchers">Matchers the consumer can serve; null accepts every Traefik matcher.</param>
    public static IReadOnlyList<string> Validate(DynamicConfig config, IReadOnlySet<string>? supportedMatchers = null)
    {
        var errors = new List<string>();
        var routers = config.Http?.Routers ?? [];
        var services = config.Http?.Services ?? [];
        if (routers.Count == 0 && services.Count == 0)
        {
            errors.Add("the file declares no HTTP router or service");
        }

        foreach (var (name, router) in routers)
        {
            ValidateRouter(name, router, supportedMatchers, errors);
        }

        foreach (var (name, service) in services)
        {
            ValidateService(name, service, errors);
        }

        return errors;
    }

    private static void ValidateRouter(string name, RouterConfig? router, IReadOnlySet<string>? supported, List<string> errors)
    {
        if (router is null)
        {
            errors.Add($"router {name}: empty definition");
            return;
        }

        if (string.IsNullOrWhiteSpace(router.Service))
        {
            errors.Add($"router {name}: no service");
        }

        if (router.Priority is < 0)
        {
            errors.Add($"router {name}: negative priority {router.Priority}");
        }

        var parsed = RuleParser.Parse(router.Rule ?? "");
        if (parsed.Rule is null)
        {
            errors.Add($"router {name}: rule \"{router.Rule}\": {parsed.Error}");
            return;
        }

        var unsupported = RuleParser.AllMatchers(parsed.Rule).Select(m => m.Name).Where(n => supported is not null && !supported.Contains(n)).Distinct().ToList();
        if (unsupported.Count > 0)
        {
            errors.Add($"router {name}: rule \"{router.Rule}\": unsupported matcher {string.Join(", ", unsupported)}");
        }
    }

    private static void ValidateService(string name, ServiceConfig? service, List<string> errors)
    {
        if (service is null || (service.LoadBalancer is null) == (service.Weighted is null))
        {
            errors.Add($"service {name}: needs exactly one of loadBalancer or weighted");
            return;
        }

        foreach (var server in service.LoadBalancer?.Servers ?? [])
        {
            if (!Uri.TryCreate(server?.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"service {name}: server url \"{server?.Url}\" is not an absolute http(s) URL");
            }
        }

        foreach (var child in service.Weighted?.Services ?? [])
        {
            if (string.IsNullOrWhiteSpace(child?.Name))
            {
                errors.Add($"service {name}: a weighted child has no name");
            }
            else if (child.Weight < 0)
            {
                errors.Add($"service {name}: child {child.Name} has a negative weight");
            }
        }
    }
}
