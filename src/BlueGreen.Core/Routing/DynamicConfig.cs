namespace BlueGreen.Core.Routing;

// The subset of Traefik's file-provider dynamic configuration that the product writes and the
// embedded router serves. Property names map to Traefik's camelCase keys.

public sealed class DynamicConfig
{
    public HttpConfig? Http { get; set; }
}

public sealed class HttpConfig
{
    public Dictionary<string, RouterConfig>? Routers { get; set; }

    public Dictionary<string, ServiceConfig>? Services { get; set; }
}

public sealed class RouterConfig
{
    public List<string>? EntryPoints { get; set; }

    public string Rule { get; set; } = "";

    public string Service { get; set; } = "";

    public int? Priority { get; set; }
}

public sealed class ServiceConfig
{
    public LoadBalancerConfig? LoadBalancer { get; set; }

    public WeightedConfig? Weighted { get; set; }
}

public sealed class LoadBalancerConfig
{
    public List<ServerConfig> Servers { get; set; } = [];

    public bool? PassHostHeader { get; set; }
}

public sealed class ServerConfig
{
    public string Url { get; set; } = "";
}

public sealed class WeightedConfig
{
    public List<WeightedServiceConfig> Services { get; set; } = [];
}

public sealed class WeightedServiceConfig
{
    public string Name { get; set; } = "";

    public int Weight { get; set; }
}
