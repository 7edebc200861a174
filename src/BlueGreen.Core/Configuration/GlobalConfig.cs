using BlueGreen.Core.Notifications;

namespace BlueGreen.Core.Configuration;

public enum RouterKind
{
    Embedded,
    Traefik,
}

/// <summary>Where the routing (and, with etcd, the state, journal head and locks) lives: one host's files, or an etcd cluster.</summary>
public enum RoutingStoreKind
{
    File,
    Etcd,
}

public enum CockpitMode
{
    Safe,
    Admin,
}

/// <summary>conf/global.conf: every key has a default, so an absent file is a valid configuration.</summary>
public sealed record GlobalConfig
{
    public RouterKind Router { get; init; } = RouterKind.Embedded;

    /// <summary>As written in the file: relative paths are relative to the installation home.</summary>
    public string RoutesDir { get; init; } = "var/routes";

    public string RouterListen { get; init; } = "127.0.0.1:8080";

    /// <summary>
    /// ROUTER_API as comma-joined absolute URLs, one per router (several routers on several hosts read one etcd); empty
    /// when empty in the file: no API verification. Kept as text so that the record's equality stays by value.
    /// </summary>
    public string RouterApis { get; init; } = "http://127.0.0.1:8081/";

    /// <summary>Every router's API: a switch is verified only when each of them shows it.</summary>
    public IReadOnlyList<Uri> RouterApiList => RouterApis.Length == 0 ? [] : RouterApis.Split(',').Select(u => new Uri(u)).ToList();

    /// <summary>The first router's API (where `./run.sh router` listens by default); null: none.</summary>
    public Uri? RouterApi => RouterApiList.FirstOrDefault();

    public TimeSpan SwitchVerifyTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ValidationMaxAge { get; init; } = TimeSpan.FromSeconds(3600);

    public string CockpitListen { get; init; } = "127.0.0.1:9090";

    public CockpitMode CockpitMode { get; init; } = CockpitMode.Safe;

    public string CockpitAdminTokenFile { get; init; } = "conf/cockpit.token";

    /// <summary>Extension: lets admin mode listen beyond loopback; needs COCKPIT_HTTPS_CERT too.</summary>
    public bool CockpitAllowRemote { get; init; }

    /// <summary>Extension: PFX certificate for the cockpit's HTTPS when remote access is allowed.</summary>
    public string CockpitHttpsCert { get; init; } = "";

    public bool DryRun { get; init; }

    /// <summary>Extension: the embedded router logs one line per request when set.</summary>
    public bool RouterAccessLog { get; init; }

    /// <summary>Past this size the journal continues in a new segment file (docs/journal.md).</summary>
    public int JournalSegmentMb { get; init; } = 64;

    /// <summary>How many network probes `status` (and the cockpit's prober) run at once: slots' health and router reads.</summary>
    public int StatusParallelism { get; init; } = DefaultStatusParallelism;

    /// <summary>
    /// When `status` stops waiting for probes: one not answered by then shows "unknown (timed out)", so a slow
    /// network never holds the command (or the cockpit's refresh) for longer than this.
    /// </summary>
    public TimeSpan StatusDeadline { get; init; } = DefaultStatusDeadline;

    public const int DefaultStatusParallelism = 32;

    public const int MaxStatusParallelism = 1024;

    public static readonly TimeSpan DefaultStatusDeadline = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan MinStatusDeadline = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan MaxStatusDeadline = TimeSpan.FromMinutes(10);

    public RoutingStoreKind RoutingStore { get; init; } = RoutingStoreKind.File;

    /// <summary>The etcd cluster's client URLs, validated, comma-separated; required (and only read) with ROUTING_STORE=etcd.</summary>
    /// <remarks>Kept as text so that the record's equality stays by value; <see cref="EtcdEndpointUrls"/> splits it.</remarks>
    public string EtcdEndpoints { get; init; } = "";

    public IReadOnlyList<string> EtcdEndpointUrls => EtcdEndpoints.Length == 0 ? [] : EtcdEndpoints.Split(',');

    /// <summary>Traefik's KV rootKey: the routing is written under it in Traefik's layout.</summary>
    public string EtcdPrefix { get; init; } = "traefik";

    /// <summary>The product's own keys (state, journal, locks): never under <see cref="EtcdPrefix"/>, which Traefik reads whole.</summary>
    public string EtcdStatePrefix { get; init; } = "bluegreen";

    /// <summary>Where a switch's journaled result is posted (docs/notifications.md): absolute http(s) URLs, comma-separated; empty: nowhere.</summary>
    /// <remarks>Kept as text, like <see cref="EtcdEndpoints"/>, so that the record's equality stays by value.</remarks>
    public string NotifyUrls { get; init; } = "";

    public IReadOnlyList<Uri> NotifyUrlList => NotifyUrls.Length == 0 ? [] : NotifyUrls.Split(',').Select(u => new Uri(u)).ToList();

    public NotifyFormat NotifyFormat { get; init; } = NotifyFormat.Json;

    /// <summary>All of a notification's attempts, to every URL, end by then: a switch's command never waits longer for them.</summary>
    public TimeSpan NotifyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan MaxNotifyTimeout = TimeSpan.FromMinutes(5);

    public static readonly IReadOnlySet<string> Keys = new HashSet<string>(StringComparer.Ordinal)
    {
        "ROUTER", "ROUTES_DIR", "ROUTER_LISTEN", "ROUTER_API", "SWITCH_VERIFY_TIMEOUT", "VALIDATION_MAX_AGE",
        "COCKPIT_LISTEN", "COCKPIT_MODE", "COCKPIT_ADMIN_TOKEN_FILE", "COCKPIT_ALLOW_REMOTE", "COCKPIT_HTTPS_CERT",
        "DRY_RUN", "ROUTER_ACCESS_LOG", "JOURNAL_SEGMENT_MB", "STATUS_PARALLELISM", "STATUS_DEADLINE",
        "ROUTING_STORE", "ETCD_ENDPOINTS", "ETCD_PREFIX", "ETCD_STATE_PREFIX", "NOTIFY_URLS", "NOTIFY_FORMAT", "NOTIFY_TIMEOUT",
    };

    private static readonly Dictionary<string, bool> Flags = new() { ["0"] = false, ["1"] = true };

    /// <summary>
    /// Reads the file's text with the environment laid over it: every key may be set by an environment variable
    /// of the same name, which wins over the file (docs/reference.md, "Precedence"). A command's option wins over both.
    /// </summary>
    public static (GlobalConfig Config, IReadOnlyList<ConfigError> Errors) Parse(string path, string text, IReadOnlyDictionary<string, string>? environment = null)
    {
        var file = ConfigFileParser.Parse(path, text, Keys);
        if (environment is not null)
        {
            file = ConfigFileParser.WithEnvironment(file, environment, Keys);
        }

        var errors = new List<ConfigError>(file.Errors);
        var r = new ConfigReader(file, errors);
        var d = new GlobalConfig();
        var routerApis = ReadRouterApis(r, d);
        var config = new GlobalConfig
        {
            Router = r.Choice("ROUTER", d.Router, new Dictionary<string, RouterKind> { ["embedded"] = RouterKind.Embedded, ["traefik"] = RouterKind.Traefik }),
            RoutesDir = NonEmpty(r, "ROUTES_DIR", d.RoutesDir),
            RouterListen = r.ListenAddress("ROUTER_LISTEN", d.RouterListen),
            RouterApis = routerApis,
            SwitchVerifyTimeout = r.Duration("SWITCH_VERIFY_TIMEOUT", d.SwitchVerifyTimeout, TimeSpan.FromMilliseconds(100)),
            ValidationMaxAge = r.Duration("VALIDATION_MAX_AGE", d.ValidationMaxAge, TimeSpan.FromSeconds(1)),
            CockpitListen = r.ListenAddress("COCKPIT_LISTEN", d.CockpitListen),
            CockpitMode = r.Choice("COCKPIT_MODE", d.CockpitMode, new Dictionary<string, CockpitMode> { ["safe"] = CockpitMode.Safe, ["admin"] = CockpitMode.Admin }),
            CockpitAdminTokenFile = NonEmpty(r, "COCKPIT_ADMIN_TOKEN_FILE", d.CockpitAdminTokenFile),
            CockpitAllowRemote = r.Choice("COCKPIT_ALLOW_REMOTE", false, Flags),
            CockpitHttpsCert = r.String("COCKPIT_HTTPS_CERT", ""),
            DryRun = r.Choice("DRY_RUN", false, Flags),
            RouterAccessLog = r.Choice("ROUTER_ACCESS_LOG", false, Flags),
            JournalSegmentMb = r.Integer("JOURNAL_SEGMENT_MB", d.JournalSegmentMb, 1, 4096),
            StatusParallelism = r.Integer("STATUS_PARALLELISM", d.StatusParallelism, 1, MaxStatusParallelism),
            StatusDeadline = AtMost(r, "STATUS_DEADLINE", r.Duration("STATUS_DEADLINE", d.StatusDeadline, MinStatusDeadline), MaxStatusDeadline, d.StatusDeadline),
        };
        return (ReadNotify(r, ReadEtcd(r, config, d), d), errors);
    }

    /// <summary>
    /// ROUTER_API: one URL or a comma-separated list (one per router). Empty means "no API verification"; absent means
    /// the default. A bad item is an error and keeps the default, like every other key: it must never silently turn
    /// verification off, nor verify on fewer routers than listed.
    /// </summary>
    private static string ReadRouterApis(ConfigReader r, GlobalConfig d)
    {
        if (r.Raw("ROUTER_API") is not { } raw)
        {
            return d.RouterApis;
        }

        if (raw.Trim().Length == 0)
        {
            return "";
        }

        var urls = new List<string>();
        foreach (var part in raw.Split(','))
        {
            var item = part.Trim();
            if (!Uri.TryCreate(item, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || uri.Host.Length == 0 || item.Any(char.IsWhiteSpace))
            {
                r.Error("ROUTER_API", $"ROUTER_API: '{item}' is not an http:// or https:// URL (one router's API, or several comma-separated)");
                return d.RouterApis;
            }

            if (urls.Contains(uri.AbsoluteUri))
            {
                r.Error("ROUTER_API", $"ROUTER_API: '{item}' is listed twice");
                return d.RouterApis;
            }

            urls.Add(uri.AbsoluteUri);
        }

        return string.Join(',', urls);
    }

    private static GlobalConfig ReadNotify(ConfigReader r, GlobalConfig config, GlobalConfig d)
    {
        var urls = new List<string>();
        if (r.Raw("NOTIFY_URLS") is { } raw && raw.Trim().Length > 0)
        {
            foreach (var part in raw.Split(','))
            {
                var item = part.Trim();
                if (!Uri.TryCreate(item, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                    || uri.Host.Length == 0 || item.Any(char.IsWhiteSpace) || uri.Fragment.Length > 0)
                {
                    r.Error("NOTIFY_URLS", $"NOTIFY_URLS: '{item}' is not an absolute http:// or https:// URL (comma-separated)");
                    urls.Clear();
                    break;
                }

                urls.Add(uri.AbsoluteUri);
            }
        }

        return config with
        {
            NotifyUrls = string.Join(',', urls),
            NotifyFormat = r.Choice("NOTIFY_FORMAT", d.NotifyFormat, new Dictionary<string, NotifyFormat> { ["json"] = NotifyFormat.Json, ["slack"] = NotifyFormat.Slack }),
            NotifyTimeout = AtMost(r, "NOTIFY_TIMEOUT", r.Duration("NOTIFY_TIMEOUT", d.NotifyTimeout, TimeSpan.FromMilliseconds(100)), MaxNotifyTimeout, d.NotifyTimeout),
        };
    }

    private static GlobalConfig ReadEtcd(ConfigReader r, GlobalConfig config, GlobalConfig d)
    {
        var store = r.Choice("ROUTING_STORE", d.RoutingStore, new Dictionary<string, RoutingStoreKind> { ["file"] = RoutingStoreKind.File, ["etcd"] = RoutingStoreKind.Etcd });
        var endpoints = new List<string>();
        if (r.Raw("ETCD_ENDPOINTS") is { } raw && raw.Trim().Length > 0)
        {
            foreach (var part in raw.Split(','))
            {
                var item = part.Trim();
                if (!Uri.TryCreate(item, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                    || uri.Host.Length == 0 || uri.IsDefaultPort || uri.AbsolutePath != "/" || uri.Query.Length > 0)
                {
                    r.Error("ETCD_ENDPOINTS", $"ETCD_ENDPOINTS: '{item}' is not an etcd client URL (http://host:port, comma-separated)");
                    endpoints.Clear();
                    break;
                }

                endpoints.Add($"{uri.Scheme}://{uri.Authority}");
            }
        }
        else if (store == RoutingStoreKind.Etcd)
        {
            r.Error(r.Raw("ETCD_ENDPOINTS") is null ? "ROUTING_STORE" : "ETCD_ENDPOINTS", "ROUTING_STORE=etcd needs ETCD_ENDPOINTS (comma-separated http://host:port)");
            store = d.RoutingStore;
        }

        var prefix = KeyPrefix(r, "ETCD_PREFIX", d.EtcdPrefix);
        var statePrefix = KeyPrefix(r, "ETCD_STATE_PREFIX", d.EtcdStatePrefix);
        // Traefik lists its whole rootKey: the product's keys under it would be read as routing (and etcd keys are compared bytewise).
        if (statePrefix.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            r.Error(r.Raw("ETCD_STATE_PREFIX") is null ? "ETCD_PREFIX" : "ETCD_STATE_PREFIX",
                $"ETCD_STATE_PREFIX '{statePrefix}' must not start with ETCD_PREFIX '{prefix}' (Traefik reads everything under ETCD_PREFIX)");
            statePrefix = d.EtcdStatePrefix;
        }

        return config with { RoutingStore = store, EtcdEndpoints = string.Join(',', endpoints), EtcdPrefix = prefix, EtcdStatePrefix = statePrefix };
    }

    /// <summary>A key prefix: letters, digits, '-', '_', '.', and '/' between parts (no leading or trailing '/').</summary>
    private static string KeyPrefix(ConfigReader r, string key, string fallback)
    {
        var raw = r.Raw(key);
        if (raw is null)
        {
            return fallback;
        }

        var parts = raw.Split('/');
        if (raw.Length == 0 || parts.Any(p => p.Length == 0 || !p.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            r.Error(key, $"{key}: '{raw}' is not a key prefix (letters, digits, '-', '_', '.', parts separated by '/')");
            return fallback;
        }

        return raw;
    }

    private static TimeSpan AtMost(ConfigReader r, string key, TimeSpan value, TimeSpan maximum, TimeSpan fallback)
    {
        if (value <= maximum)
        {
            return value;
        }

        r.Error(key, $"{key}: {r.Raw(key)} is above the maximum of {Duration.Format(maximum)}");
        return fallback;
    }

    private static string NonEmpty(ConfigReader r, string key, string fallback)
    {
        var value = r.Raw(key);
        if (value is null)
        {
            return fallback;
        }

        if (value.Trim().Length == 0)
        {
            r.Error(key, $"{key} must not be empty");
            return fallback;
        }

        return value;
    }
}
