namespace BlueGreen.Router.Tests.Support;

/// <summary>Small builders of routing files, in the YAML the product writes.</summary>
public static class Yaml
{
    public static string Router(string name, string rule, string service, int? priority = null) =>
        $"    {name}:\n      rule: \"{rule.Replace("\"", "\\\"")}\"\n      service: {service}\n" + (priority is { } p ? $"      priority: {p}\n" : "");

    public static string LoadBalancer(string name, bool? passHostHeader = null, params string[] urls) =>
        $"    {name}:\n      loadBalancer:\n        servers:\n" + string.Concat(urls.Select(u => $"        - url: {u}\n")) +
        (passHostHeader is { } pass ? $"        passHostHeader: {(pass ? "true" : "false")}\n" : "");

    public static string Weighted(string name, params (string Child, int Weight)[] children) =>
        $"    {name}:\n      weighted:\n        services:\n" + string.Concat(children.Select(c => $"        - name: {c.Child}\n          weight: {c.Weight}\n"));

    public static string File(IEnumerable<string> routers, IEnumerable<string> services)
    {
        var r = string.Concat(routers);
        var s = string.Concat(services);
        return "http:\n" + (r.Length > 0 ? "  routers:\n" + r : "") + (s.Length > 0 ? "  services:\n" + s : "");
    }

    /// <summary>One router on one backend.</summary>
    public static string Simple(string name, string rule, string url, int? priority = null) =>
        File([Router(name, rule, name, priority)], [LoadBalancer(name, null, url)]);
}
