using BlueGreen.Core.Configuration;
using BlueGreen.Core.Notifications;

namespace BlueGreen.Core.Tests.Configuration;

public sealed class GlobalConfigTests
{
    private const string Path = "/home/conf/global.conf";

    [Fact]
    public void An_empty_file_gives_every_documented_default()
    {
        var (config, errors) = GlobalConfig.Parse(Path, "");

        Assert.Empty(errors);
        Assert.Equal(RouterKind.Embedded, config.Router);
        Assert.Equal("var/routes", config.RoutesDir);
        Assert.Equal("127.0.0.1:8080", config.RouterListen);
        Assert.Equal(new Uri("http://127.0.0.1:8081"), config.RouterApi);
        Assert.Equal(TimeSpan.FromSeconds(10), config.SwitchVerifyTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3600), config.ValidationMaxAge);
        Assert.Equal("127.0.0.1:9090", config.CockpitListen);
        Assert.Equal(CockpitMode.Safe, config.CockpitMode);
        Assert.Equal("conf/cockpit.token", config.CockpitAdminTokenFile);
        Assert.False(config.DryRun);
        Assert.Equal(32, config.StatusParallelism);
        Assert.Equal(GlobalConfig.DefaultStatusDeadline, config.StatusDeadline);
        Assert.Equal(TimeSpan.FromSeconds(10), GlobalConfig.DefaultStatusDeadline);
        Assert.Equal(new GlobalConfig(), config);
    }

    [Fact]
    public void Status_parallelism_and_deadline_are_read()
    {
        var (config, errors) = GlobalConfig.Parse(Path, "STATUS_PARALLELISM=4\nSTATUS_DEADLINE=1500ms\n");

        Assert.Empty(errors);
        Assert.Equal(4, config.StatusParallelism);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), config.StatusDeadline);
    }

    [Fact]
    public void Every_key_is_read()
    {
        var text = """
            ROUTER=traefik
            ROUTES_DIR=/etc/traefik/dynamic
            ROUTER_LISTEN=0.0.0.0:80
            ROUTER_API="http://traefik:8080"
            SWITCH_VERIFY_TIMEOUT=500ms
            VALIDATION_MAX_AGE=30m
            COCKPIT_LISTEN=127.0.0.1:9999
            COCKPIT_MODE=admin
            COCKPIT_ADMIN_TOKEN_FILE=/secret/token
            DRY_RUN=1
            """;

        var (config, errors) = GlobalConfig.Parse(Path, text);

        Assert.Empty(errors);
        Assert.Equal(RouterKind.Traefik, config.Router);
        Assert.Equal("/etc/traefik/dynamic", config.RoutesDir);
        Assert.Equal("0.0.0.0:80", config.RouterListen);
        Assert.Equal(new Uri("http://traefik:8080"), config.RouterApi);
        Assert.Equal(TimeSpan.FromMilliseconds(500), config.SwitchVerifyTimeout);
        Assert.Equal(TimeSpan.FromMinutes(30), config.ValidationMaxAge);
        Assert.Equal("127.0.0.1:9999", config.CockpitListen);
        Assert.Equal(CockpitMode.Admin, config.CockpitMode);
        Assert.Equal("/secret/token", config.CockpitAdminTokenFile);
        Assert.True(config.DryRun);
    }

    [Theory]
    [InlineData("ROUTER_API=")]
    [InlineData("ROUTER_API=\"\"")]
    [InlineData("ROUTER_API=''")]
    public void An_empty_router_api_means_no_api_verification(string line)
    {
        var (config, errors) = GlobalConfig.Parse(Path, line);

        Assert.Empty(errors);
        Assert.Null(config.RouterApi);
    }

    [Fact]
    public void Router_api_takes_a_comma_separated_list_of_routers()
    {
        var (config, errors) = GlobalConfig.Parse(Path, "ROUTER_API= http://10.0.0.1:8081 ,https://edge-2.example:8443/\n");

        Assert.Empty(errors);
        Assert.Equal([new Uri("http://10.0.0.1:8081/"), new Uri("https://edge-2.example:8443/")], config.RouterApiList);
        Assert.Equal(new Uri("http://10.0.0.1:8081/"), config.RouterApi);
    }

    [Theory]
    [InlineData("SWITCH_VERIFY_TIMEOUT=soon", "SWITCH_VERIFY_TIMEOUT", "not a duration")]
    [InlineData("SWITCH_VERIFY_TIMEOUT=10h", "SWITCH_VERIFY_TIMEOUT", "not a duration")]
    [InlineData("SWITCH_VERIFY_TIMEOUT=50ms", "SWITCH_VERIFY_TIMEOUT", "below the minimum")]
    [InlineData("VALIDATION_MAX_AGE=-5", "VALIDATION_MAX_AGE", "not a duration")]
    [InlineData("VALIDATION_MAX_AGE=0", "VALIDATION_MAX_AGE", "below the minimum")]
    [InlineData("ROUTER=nginx", "ROUTER", "not one of embedded, traefik")]
    [InlineData("ROUTER=Embedded", "ROUTER", "not one of")]
    [InlineData("COCKPIT_MODE=root", "COCKPIT_MODE", "not one of safe, admin")]
    [InlineData("DRY_RUN=yes", "DRY_RUN", "not one of 0, 1")]
    [InlineData("ROUTER_API=ftp://x", "ROUTER_API", "not an http:// or https:// URL")]
    [InlineData("ROUTER_API=localhost:8081", "ROUTER_API", "not an http:// or https:// URL")]
    [InlineData("ROUTER_API=http://10.0.0.1:8081,10.0.0.2:8081", "ROUTER_API", "'10.0.0.2:8081' is not an http:// or https:// URL (one router's API, or several comma-separated)")]
    [InlineData("ROUTER_API=http://a:8081,,http://b:8081", "ROUTER_API", "'' is not an http:// or https:// URL")]
    [InlineData("ROUTER_API=http://a:8081, http://A:8081/", "ROUTER_API", "'http://A:8081/' is listed twice")]
    [InlineData("ROUTER_LISTEN=8080", "ROUTER_LISTEN", "not HOST:PORT")]
    [InlineData("COCKPIT_LISTEN=127.0.0.1:99999", "COCKPIT_LISTEN", "not HOST:PORT")]
    [InlineData("ROUTES_DIR=\"  \"", "ROUTES_DIR", "must not be empty")]
    [InlineData("STATUS_PARALLELISM=0", "STATUS_PARALLELISM", "not a whole number from 1 to 1024")]
    [InlineData("STATUS_PARALLELISM=many", "STATUS_PARALLELISM", "not a whole number from 1 to 1024")]
    [InlineData("STATUS_PARALLELISM=2000", "STATUS_PARALLELISM", "not a whole number from 1 to 1024")]
    [InlineData("STATUS_DEADLINE=soon", "STATUS_DEADLINE", "not a duration")]
    [InlineData("STATUS_DEADLINE=50ms", "STATUS_DEADLINE", "below the minimum")]
    [InlineData("STATUS_DEADLINE=11m", "STATUS_DEADLINE", "above the maximum of 600s")]
    [InlineData("ROUTING_STORE=consul", "ROUTING_STORE", "not one of file, etcd")]
    [InlineData("ROUTING_STORE=etcd", "ROUTING_STORE", "needs ETCD_ENDPOINTS")]
    [InlineData("ETCD_ENDPOINTS=127.0.0.1:2379", "ETCD_ENDPOINTS", "'127.0.0.1:2379' is not an etcd client URL")]
    [InlineData("ETCD_ENDPOINTS=http://127.0.0.1:2379,ftp://x:1", "ETCD_ENDPOINTS", "'ftp://x:1' is not an etcd client URL")]
    [InlineData("ETCD_ENDPOINTS=http://127.0.0.1", "ETCD_ENDPOINTS", "(http://host:port, comma-separated)")]
    [InlineData("ETCD_ENDPOINTS=http://127.0.0.1:2379/v3", "ETCD_ENDPOINTS", "not an etcd client URL")]
    [InlineData("ETCD_ENDPOINTS=http://a:1,,http://b:2", "ETCD_ENDPOINTS", "'' is not an etcd client URL")]
    [InlineData("ETCD_PREFIX=/traefik", "ETCD_PREFIX", "not a key prefix")]
    [InlineData("ETCD_PREFIX=", "ETCD_PREFIX", "not a key prefix")]
    [InlineData("ETCD_STATE_PREFIX=traefik/bluegreen", "ETCD_STATE_PREFIX", "must not start with ETCD_PREFIX 'traefik'")]
    [InlineData("ETCD_STATE_PREFIX=Traefik2", "ETCD_STATE_PREFIX", "must not start with ETCD_PREFIX")]
    [InlineData("ETCD_STATE_PREFIX=a b", "ETCD_STATE_PREFIX", "not a key prefix")]
    public void A_bad_value_is_an_error_with_file_and_line_and_the_default_is_kept(string line, string key, string message)
    {
        var (config, errors) = GlobalConfig.Parse(Path, $"# global\n\n{line}\n");

        var error = Assert.Single(errors);
        Assert.Equal(Path, error.File);
        Assert.Equal(3, error.Line);
        Assert.StartsWith(key, error.Message);
        Assert.Contains(message, error.Message);
        Assert.False(error.IsWarning);
        Assert.Equal(new GlobalConfig(), config);
    }

    [Fact]
    public void The_etcd_keys_are_read_and_the_endpoints_kept_in_their_order()
    {
        var text = "ROUTING_STORE=etcd\nETCD_ENDPOINTS= http://10.0.0.2:2379 ,https://etcd-b:2379\nETCD_PREFIX=edge/traefik\nETCD_STATE_PREFIX=edge-bluegreen\n";

        var (config, errors) = GlobalConfig.Parse(Path, text);

        Assert.Empty(errors);
        Assert.Equal(RoutingStoreKind.Etcd, config.RoutingStore);
        Assert.Equal(["http://10.0.0.2:2379", "https://etcd-b:2379"], config.EtcdEndpointUrls);
        Assert.Equal("edge/traefik", config.EtcdPrefix);
        Assert.Equal("edge-bluegreen", config.EtcdStatePrefix);
        Assert.Equal(GlobalConfig.Parse(Path, text).Config, config);
    }

    [Fact]
    public void The_etcd_defaults_are_a_file_store_and_traefiks_root_key()
    {
        var config = new GlobalConfig();

        Assert.Equal(RoutingStoreKind.File, config.RoutingStore);
        Assert.Empty(config.EtcdEndpointUrls);
        Assert.Equal("traefik", config.EtcdPrefix);
        Assert.Equal("bluegreen", config.EtcdStatePrefix);
    }

    [Fact]
    public void A_state_prefix_under_a_changed_root_key_names_the_root_key_line()
    {
        var (_, errors) = GlobalConfig.Parse(Path, "ETCD_PREFIX=blue\n");

        var error = Assert.Single(errors);
        Assert.Equal(1, error.Line);
        Assert.Contains("ETCD_STATE_PREFIX 'bluegreen' must not start with ETCD_PREFIX 'blue'", error.Message);
    }

    [Fact]
    public void An_unknown_key_in_the_global_file_is_an_error()
    {
        var (_, errors) = GlobalConfig.Parse(Path, "ROUTER=embedded\nRULE=Host(`x`)\n");

        var error = Assert.Single(errors);
        Assert.Equal(2, error.Line);
        Assert.Contains("unknown key RULE", error.Message);
    }
}

/// <summary>Precedence (docs/reference.md): an environment variable named as a key wins over the file, which wins over the default.</summary>
public sealed class GlobalConfigEnvironmentTests
{
    private const string Path = "/home/conf/global.conf";

    [Fact]
    public void The_environment_wins_over_the_file_and_the_file_over_the_default()
    {
        var file = "COCKPIT_LISTEN=127.0.0.2:9000\nCOCKPIT_MODE=safe\nDRY_RUN=1\n";
        var environment = new Dictionary<string, string> { ["COCKPIT_MODE"] = "admin", ["DRY_RUN"] = "0", ["ROUTER_LISTEN"] = "127.0.0.3:81" };

        var (config, errors) = GlobalConfig.Parse(Path, file, environment);

        Assert.Empty(errors);
        Assert.Equal(CockpitMode.Admin, config.CockpitMode);     // environment over file
        Assert.False(config.DryRun);                              // environment over file, either way
        Assert.Equal("127.0.0.3:81", config.RouterListen);        // environment over default
        Assert.Equal("127.0.0.2:9000", config.CockpitListen);     // file over default
        Assert.Equal(new GlobalConfig().RouterApi, config.RouterApi);
    }

    [Fact]
    public void Every_key_is_read_from_the_environment_and_a_control_character_in_any_is_an_error()
    {
        foreach (var key in GlobalConfig.Keys)
        {
            // A value no key accepts: an error for exactly that key, located in the environment.
            var (_, errors) = GlobalConfig.Parse(Path, "", new Dictionary<string, string> { [key] = "\u0001" });
            var error = Assert.Single(errors);
            Assert.Equal("environment", error.File);
            Assert.Contains(key, error.Message);
        }
    }

    [Theory]
    [InlineData("COCKPIT_MODE", "root", "environment: COCKPIT_MODE: 'root' is not one of safe, admin")]
    [InlineData("SWITCH_VERIFY_TIMEOUT", "soon", "environment: SWITCH_VERIFY_TIMEOUT: 'soon' is not a duration")]
    [InlineData("ROUTER_LISTEN", "example.com:80", "environment: ROUTER_LISTEN: 'example.com:80': the host must be an IP address")]
    public void A_bad_value_from_the_environment_is_an_error_naming_the_environment(string key, string value, string expected)
    {
        var (config, errors) = GlobalConfig.Parse(Path, $"{key}=", new Dictionary<string, string> { [key] = value });

        Assert.StartsWith(expected, Assert.Single(errors).ToString());
    }

    [Fact]
    public void An_empty_variable_counts_as_unset()
    {
        var (config, errors) = GlobalConfig.Parse(Path, "COCKPIT_MODE=admin\n", new Dictionary<string, string> { ["COCKPIT_MODE"] = "" });

        Assert.Empty(errors);
        Assert.Equal(CockpitMode.Admin, config.CockpitMode);
    }

    [Fact]
    public void Variables_that_are_not_keys_are_ignored()
    {
        var (config, errors) = GlobalConfig.Parse(Path, "", new Dictionary<string, string> { ["RULE"] = "x", ["PATH"] = "/bin" });

        Assert.Empty(errors);
        Assert.Equal(new GlobalConfig(), config);
    }

    [Fact]
    public void An_unknown_key_in_the_file_suggests_the_key_meant() =>
        Assert.EndsWith("unknown key COCKPIT_MOED (did you mean COCKPIT_MODE?)", Assert.Single(GlobalConfig.Parse(Path, "COCKPIT_MOED=admin\n").Errors).Message);
    [Fact]
    public void The_notify_keys_default_to_nowhere_json_and_5_s()
    {
        var config = new GlobalConfig();

        Assert.Empty(config.NotifyUrlList);
        Assert.Equal(NotifyFormat.Json, config.NotifyFormat);
        Assert.Equal(TimeSpan.FromSeconds(5), config.NotifyTimeout);
    }

    [Fact]
    public void The_notify_keys_are_read_and_the_urls_kept_in_their_order()
    {
        var text = "NOTIFY_URLS= https://hooks.slack.com/services/T0/B0/x ,http://127.0.0.1:9000/bluegreen?team=ops\nNOTIFY_FORMAT=slack\nNOTIFY_TIMEOUT=1500ms\n";

        var (config, errors) = GlobalConfig.Parse(Path, text);

        Assert.Empty(errors);
        Assert.Equal([new Uri("https://hooks.slack.com/services/T0/B0/x"), new Uri("http://127.0.0.1:9000/bluegreen?team=ops")], config.NotifyUrlList);
        Assert.Equal(NotifyFormat.Slack, config.NotifyFormat);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), config.NotifyTimeout);
        Assert.Equal(GlobalConfig.Parse(Path, text).Config, config);
    }

    [Theory]
    [InlineData("NOTIFY_URLS=https://ok.example/hook,ftp://files.example/x\n", 1, "NOTIFY_URLS: 'ftp://files.example/x' is not an absolute http:// or https:// URL (comma-separated)")]
    [InlineData("ROUTER=embedded\nNOTIFY_URLS=/relative/hook\n", 2, "NOTIFY_URLS: '/relative/hook' is not an absolute http:// or https:// URL")]
    [InlineData("NOTIFY_URLS=https://a.example/x,,https://b.example/y\n", 1, "NOTIFY_URLS: '' is not an absolute")]
    [InlineData("NOTIFY_FORMAT=teams\n", 1, "NOTIFY_FORMAT: 'teams' is not one of json, slack")]
    [InlineData("NOTIFY_TIMEOUT=5 seconds\n", 1, "NOTIFY_TIMEOUT")]
    [InlineData("NOTIFY_TIMEOUT=50ms\n", 1, "NOTIFY_TIMEOUT")]
    [InlineData("NOTIFY_TIMEOUT=6m\n", 1, "NOTIFY_TIMEOUT: 6m is above the maximum of 300s")]
    public void A_bad_notify_value_is_one_error_on_its_line_and_notifies_nowhere(string text, int line, string message)
    {
        var (config, errors) = GlobalConfig.Parse(Path, text);

        var error = Assert.Single(errors);
        Assert.Equal(line, error.Line);
        Assert.StartsWith($"{Path}:{line}: ", error.ToString());
        Assert.Contains(message, error.Message);
        Assert.Empty(config.NotifyUrlList);
    }
}
