using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using BlueGreen.Core.Draining;
using BlueGreen.Core.Routing.Rules;
using BlueGreen.Core.Slots;

namespace BlueGreen.Core.Configuration;

/// <summary>A host:port that must accept a TCP connection (TCP_CHECKS).</summary>
public sealed record TcpEndpoint(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>conf/sites/SITE.conf, parsed and checked.</summary>
public sealed record SiteConfig
{
    /// <summary>The value of each key a site's file leaves out (docs/reference.md): one place for the parser and for code that builds a config.</summary>
    public static class Defaults
    {
        public const string HealthPath = "/";
        public const int HealthStatus = 200;
        public const int HealthRetries = 3;
        public const string LogErrorPattern = "ERROR|FATAL";
        public const Draining.DrainPolicy DrainPolicy = Draining.DrainPolicy.Wait;
        public static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(5);
        public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(300);
        public static readonly TimeSpan DeployTimeout = TimeSpan.FromSeconds(600);
        public static readonly TimeSpan HookTimeout = TimeSpan.FromSeconds(60);
        public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);
    }

    public required string Name { get; init; }

    public required string Rule { get; init; }

    public string? PreviewRule { get; init; }

    /// <summary>Extension: requests on <see cref="Rule"/> with this header reach the candidate (router SITE-preview-header).</summary>
    public PreviewHeader? PreviewHeader { get; init; }

    /// <summary>Extension: during a split (`apply --weight`), the weighted service's sticky cookie (Traefik's `weighted.sticky.cookie.name`).</summary>
    public string? StickyCookie { get; init; }

    /// <summary>True when a router follows the candidate (PREVIEW_RULE, PREVIEW_HEADER): deploy rewrites the routing for it.</summary>
    public bool HasPreviewRouters => PreviewRule is not null || PreviewHeader is not null;

    public IReadOnlyList<string> EntryPoints { get; init; } = [];

    public required Uri SlotAUrl { get; init; }

    public required Uri SlotBUrl { get; init; }

    public string DeployCmd { get; init; } = "";

    public string HealthPath { get; init; } = Defaults.HealthPath;

    public int HealthStatus { get; init; } = Defaults.HealthStatus;

    public string HealthBody { get; init; } = "";

    public TimeSpan HealthTimeout { get; init; } = Defaults.HealthTimeout;

    /// <summary>Extension: how many probes the HTTP gate makes before it fails.</summary>
    public int HealthRetries { get; init; } = Defaults.HealthRetries;

    public IReadOnlyList<TcpEndpoint> TcpChecks { get; init; } = [];

    public string LogFile { get; init; } = "";

    public string LogErrorPattern { get; init; } = Defaults.LogErrorPattern;

    public int LogMaxErrors { get; init; }

    public string TestCmd { get; init; } = "";

    public TimeSpan TestTimeout { get; init; } = Defaults.TestTimeout;

    /// <summary>Extension: timeout of DEPLOY_CMD.</summary>
    public TimeSpan DeployTimeout { get; init; } = Defaults.DeployTimeout;

    /// <summary>Extension: run (`sh -c`) under the switch lock just before a switch writes the routing; failing refuses the switch.</summary>
    public string PreSwitchCmd { get; init; } = "";

    /// <summary>Extension: run (`sh -c`) after a switch's outcome is journaled; failing is reported, the switch stands.</summary>
    public string PostSwitchCmd { get; init; } = "";

    /// <summary>Extension: timeout of PRE_SWITCH_CMD and of POST_SWITCH_CMD, each.</summary>
    public TimeSpan HookTimeout { get; init; } = Defaults.HookTimeout;

    /// <summary>Extension: how long `deploy` waits for a slot users were on before the last switch to go idle.</summary>
    public TimeSpan DrainTimeout { get; init; } = Defaults.DrainTimeout;

    /// <summary>Extension: what `deploy` does when the slot is still busy after <see cref="DrainTimeout"/>.</summary>
    public DrainPolicy DrainPolicy { get; init; } = Defaults.DrainPolicy;

    public Uri UrlOf(Slot slot) => slot == Slot.A ? SlotAUrl : SlotBUrl;

    /// <summary>The file it was read from, with each key's line (null when built in code).</summary>
    public ConfigFile? Source { get; init; }

    /// <summary>A problem located at a key's line of the site's file (line 0 when the key is not in it).</summary>
    public ConfigError ErrorAt(string key, string message, bool warning = false) =>
        new(Source?.Path ?? $"{Name}.conf", Source?.Entries.GetValueOrDefault(key)?.Line ?? 0, message, warning);

    /// <summary>LOG_FILE with {slot} replaced, or null when no log gate is configured.</summary>
    public string? LogFileOf(Slot slot) => LogFile.Length == 0 ? null : LogFile.Replace("{slot}", slot.Name(), StringComparison.Ordinal);

    public static readonly IReadOnlySet<string> Keys = new HashSet<string>(StringComparer.Ordinal)
    {
        "RULE", "PREVIEW_RULE", "ENTRYPOINTS", "SLOT_A_URL", "SLOT_B_URL", "DEPLOY_CMD", "DEPLOY_TIMEOUT",
        "HEALTH_PATH", "HEALTH_STATUS", "HEALTH_BODY", "HEALTH_TIMEOUT", "HEALTH_RETRIES",
        "TCP_CHECKS", "LOG_FILE", "LOG_ERROR_PATTERN", "LOG_MAX_ERRORS", "TEST_CMD", "TEST_TIMEOUT",
        "DRAIN_TIMEOUT", "DRAIN_POLICY", "PRE_SWITCH_CMD", "POST_SWITCH_CMD", "HOOK_TIMEOUT",
        "PREVIEW_HEADER", "STICKY_COOKIE",
    };

    private static readonly Regex EntryPointPattern = new("^[A-Za-z0-9_-]+$", RegexOptions.CultureInvariant);

    public static bool IsValidName(string name) => Input.OperatorInput.IsSiteName(name);

    /// <summary>Parses a site file. Returns null for the config when an error makes it unusable.</summary>
    public static (SiteConfig? Config, IReadOnlyList<ConfigError> Errors) Parse(string path, string siteName, string text, RouterKind router = RouterKind.Embedded)
    {
        var file = ConfigFileParser.Parse(path, text, Keys);
        var errors = new List<ConfigError>(file.Errors);
        var r = new ConfigReader(file, errors);
        if (!IsValidName(siteName))
        {
            errors.Add(new ConfigError(path, 0, Input.OperatorInput.NotASiteName(siteName)));
        }

        var rule = CheckRule(r, "RULE", r.Required("RULE"));
        var previewRule = r.Raw("PREVIEW_RULE") is { Length: > 0 } p ? CheckRule(r, "PREVIEW_RULE", p) : null;
        var previewHeader = ParsePreviewHeader(r, rule);
        var slotA = r.HttpUrl("SLOT_A_URL", required: true);
        var slotB = r.HttpUrl("SLOT_B_URL", required: true);
        if (slotA is not null && slotB is not null && Uri.Compare(slotA, slotB, UriComponents.AbsoluteUri, UriFormat.SafeUnescaped, StringComparison.OrdinalIgnoreCase) == 0)
        {
            r.Error("SLOT_B_URL", $"SLOT_B_URL is the same URL as SLOT_A_URL ({slotA}): the two slots must be different places");
        }

        var entryPoints = Split(r.String("ENTRYPOINTS", ""));
        foreach (var bad in entryPoints.Where(e => !EntryPointPattern.IsMatch(e)))
        {
            r.Error("ENTRYPOINTS", $"ENTRYPOINTS: '{bad}' is not an entry point name");
        }

        var healthPath = r.String("HEALTH_PATH", Defaults.HealthPath);
        if (!healthPath.StartsWith('/'))
        {
            r.Error("HEALTH_PATH", $"HEALTH_PATH: '{healthPath}' must start with /");
        }

        var pattern = r.String("LOG_ERROR_PATTERN", Defaults.LogErrorPattern);
        if (PatternError(pattern) is { } patternError)
        {
            r.Error("LOG_ERROR_PATTERN", $"LOG_ERROR_PATTERN: not a valid regular expression: {patternError}");
        }

        var config = slotA is null || slotB is null || rule is null ? null : new SiteConfig
        {
            Name = siteName,
            Source = file,
            Rule = rule,
            PreviewRule = previewRule,
            PreviewHeader = previewHeader,
            StickyCookie = ParseStickyCookie(r),
            EntryPoints = entryPoints,
            SlotAUrl = slotA,
            SlotBUrl = slotB,
            DeployCmd = r.String("DEPLOY_CMD", ""),
            DeployTimeout = r.Duration("DEPLOY_TIMEOUT", Defaults.DeployTimeout, TimeSpan.FromSeconds(1)),
            HealthPath = healthPath,
            HealthStatus = r.Integer("HEALTH_STATUS", Defaults.HealthStatus, 100, 599),
            HealthBody = r.String("HEALTH_BODY", ""),
            HealthTimeout = r.Duration("HEALTH_TIMEOUT", Defaults.HealthTimeout, TimeSpan.FromMilliseconds(10)),
            HealthRetries = r.Integer("HEALTH_RETRIES", Defaults.HealthRetries, 1, 20),
            TcpChecks = ParseTcpChecks(r),
            LogFile = r.String("LOG_FILE", ""),
            LogErrorPattern = pattern,
            LogMaxErrors = r.Integer("LOG_MAX_ERRORS", 0, 0, int.MaxValue),
            TestCmd = r.String("TEST_CMD", ""),
            TestTimeout = r.Duration("TEST_TIMEOUT", Defaults.TestTimeout, TimeSpan.FromMilliseconds(100)),
            DrainTimeout = r.Duration("DRAIN_TIMEOUT", Defaults.DrainTimeout, TimeSpan.Zero),
            PreSwitchCmd = r.String("PRE_SWITCH_CMD", ""),
            PostSwitchCmd = r.String("POST_SWITCH_CMD", ""),
            HookTimeout = r.Duration("HOOK_TIMEOUT", Defaults.HookTimeout, TimeSpan.FromMilliseconds(100)),
            DrainPolicy = r.Choice("DRAIN_POLICY", Defaults.DrainPolicy, new Dictionary<string, DrainPolicy> { ["wait"] = DrainPolicy.Wait, ["refuse"] = DrainPolicy.Refuse }),
        };
        return (errors.Any(e => !e.IsWarning) ? null : config, errors);
    }

    /// <summary>Patterns already checked, with why each does not compile (null: it does).</summary>
    private static readonly ConcurrentDictionary<string, string?> CheckedPatterns = new(StringComparer.Ordinal);

    /// <summary>
    /// Why a pattern does not compile, or null. Checking compiles it (several microseconds); status parses 10,000 site
    /// files that mostly share a few patterns, so each is checked once per process (up to a bound, then every time).
    /// </summary>
    private static string? PatternError(string pattern)
    {
        if (CheckedPatterns.TryGetValue(pattern, out var known))
        {
            return known;
        }

        string? error = null;
        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            error = e.Message;
        }

        if (CheckedPatterns.Count < 1024)
        {
            CheckedPatterns.TryAdd(pattern, error);
        }

        return error;
    }

    // The one rule parser the router also uses: a rule Traefik v3 would refuse is refused here, on its line.
    private static string? CheckRule(ConfigReader r, string key, string rule)
    {
        if (rule.Length == 0)
        {
            return null;
        }

        var parsed = RuleParser.Parse(rule);
        if (!parsed.Success)
        {
            r.Error(key, $"{key}: the rule does not parse: {parsed.Error}");
            return null;
        }

        return rule;
    }

    private static PreviewHeader? ParsePreviewHeader(ConfigReader r, string? rule)
    {
        if (r.Raw("PREVIEW_HEADER") is not { Length: > 0 } raw)
        {
            return null;
        }

        var (header, error) = PreviewHeader.Parse(raw);
        if (header is null)
        {
            r.Error("PREVIEW_HEADER", $"PREVIEW_HEADER: {error}");
            return null;
        }

        // The router's rule must be one Traefik accepts: checked as the router will carry it.
        if (rule is not null && !RuleParser.Parse(Routing.RoutingPlanner.PreviewHeaderRule(rule, header)).Success)
        {
            r.Error("PREVIEW_HEADER", $"PREVIEW_HEADER: '{raw}' does not make a rule Traefik accepts");
            return null;
        }

        return header;
    }

    // A cookie name is an RFC 6265 token, the same characters as a header name; Traefik would rewrite any other
    // character to '_' (pkg/server/cookie, sanitizeName): refused here rather than renamed behind the operator's back.
    private static string? ParseStickyCookie(ConfigReader r)
    {
        if (r.Raw("STICKY_COOKIE") is not { Length: > 0 } name)
        {
            return null;
        }

        if (!PreviewHeader.IsToken(name))
        {
            r.Error("STICKY_COOKIE", $"STICKY_COOKIE: '{name}' is not a cookie name (letters, digits and !#$%&'*+-.^_`|~)");
            return null;
        }

        return name;
    }

    private static IReadOnlyList<TcpEndpoint> ParseTcpChecks(ConfigReader r)
    {
        var result = new List<TcpEndpoint>();
        foreach (var item in Split(r.String("TCP_CHECKS", "")))
        {
            var colon = item.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(item[(colon + 1)..], out var port) || port is < 1 or > 65535)
            {
                r.Error("TCP_CHECKS", $"TCP_CHECKS: '{item}' is not host:port");
                continue;
            }

            result.Add(new TcpEndpoint(item[..colon].Trim('[', ']'), port));
        }

        return result;
    }

    private static List<string> Split(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
