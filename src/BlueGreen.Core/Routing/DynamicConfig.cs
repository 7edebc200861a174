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

    /// <summary>Traefik's `weighted.sticky`: a cookie that keeps a client on the child that first answered it.</summary>
    public StickyConfig? Sticky { get; set; }
}

public sealed class StickyConfig
{
    public CookieConfig? Cookie { get; set; }
}

/// <summary>Traefik's `sticky.cookie` (pkg/config/dynamic/http_config.go, Cookie).</summary>
public sealed class CookieConfig
{
    public string? Name { get; set; }

    public bool? Secure { get; set; }

    public bool? HttpOnly { get; set; }

    public string? SameSite { get; set; }

    public int? MaxAge { get; set; }

    public string? Path { get; set; }

    public string? Domain { get; set; }
}

public sealed class WeightedServiceConfig
{
    public string Name { get; set; } = "";

    public int Weight { get; set; }
}
