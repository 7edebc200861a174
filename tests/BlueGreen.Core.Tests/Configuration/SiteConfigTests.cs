using BlueGreen.Core.Configuration;

namespace BlueGreen.Core.Tests.Configuration;

public sealed class SiteConfigTests
{
    private const string Path = "/home/conf/sites/shop.conf";

    private const string Minimal = "RULE=Host(`shop.example.com`)\nSLOT_A_URL=http://127.0.0.1:7001\nSLOT_B_URL=http://127.0.0.1:7002\n";

    private static (SiteConfig? Config, IReadOnlyList<ConfigError> Errors) Parse(string text, string name = "shop", RouterKind router = RouterKind.Embedded) =>
        SiteConfig.Parse(Path, name, text, router);

    private static ConfigError SingleError(string text)
    {
        var (config, errors) = Parse(text);
        Assert.Null(config);
        return Assert.Single(errors);
    }

    [Fact]
    public void A_minimal_site_gets_the_documented_defaults()
    {
        var (config, errors) = Parse(Minimal);

        Assert.Empty(errors);
        Assert.NotNull(config);
        Assert.Equal("shop", config.Name);
        Assert.Equal("Host(`shop.example.com`)", config.Rule);
        Assert.Null(config.PreviewRule);
        Assert.Empty(config.EntryPoints);
        Assert.Equal(new Uri("http://127.0.0.1:7001"), config.SlotAUrl);
        Assert.Equal(new Uri("http://127.0.0.1:7002"), config.SlotBUrl);
        Assert.Equal("", config.DeployCmd);
        Assert.Equal("/", config.HealthPath);
        Assert.Equal(200, config.HealthStatus);
        Assert.Equal("", config.HealthBody);
        Assert.Equal(TimeSpan.FromSeconds(5), config.HealthTimeout);
        Assert.Empty(config.TcpChecks);
        Assert.Equal("", config.LogFile);
        Assert.Null(config.LogFileOf(Slots.Slot.A));
        Assert.Equal("ERROR|FATAL", config.LogErrorPattern);
        Assert.Equal(0, config.LogMaxErrors);
        Assert.Equal("", config.TestCmd);
        Assert.Equal(TimeSpan.FromSeconds(300), config.TestTimeout);
        Assert.Equal(("", ""), (config.PreSwitchCmd, config.PostSwitchCmd));
        Assert.Equal(TimeSpan.FromSeconds(60), config.HookTimeout);
    }

    [Fact]
    public void Every_optional_key_is_read()
    {
        var text = Minimal + """
            PREVIEW_RULE=Host(`recette.shop.example.com`)
            ENTRYPOINTS=web, websecure
            DEPLOY_CMD=./deploy.sh "$BG_VERSION"
            HEALTH_PATH=/health
            HEALTH_STATUS=204
            HEALTH_BODY='"status":"ok"'
            HEALTH_TIMEOUT=1500ms
            TCP_CHECKS=db.local:5432, [::1]:6379
            LOG_FILE=/var/log/shop-{slot}.log
            LOG_ERROR_PATTERN=ERROR|Exception
            LOG_MAX_ERRORS=3
            TEST_CMD=make smoke
            TEST_TIMEOUT=2m
            PRE_SWITCH_CMD=./checks/pre-switch.sh "$BG_TO_VERSION"
            POST_SWITCH_CMD=curl -fsS -X POST https://cdn.example/purge
            HOOK_TIMEOUT=1500ms
            """;

        var (config, errors) = Parse(text);

        Assert.Empty(errors);
        Assert.NotNull(config);
        Assert.Equal("Host(`recette.shop.example.com`)", config.PreviewRule);
        Assert.Equal(["web", "websecure"], config.EntryPoints);
        Assert.Equal("./deploy.sh \"$BG_VERSION\"", config.DeployCmd);
        Assert.Equal("/health", config.HealthPath);
        Assert.Equal(204, config.HealthStatus);
        Assert.Equal("\"status\":\"ok\"", config.HealthBody);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), config.HealthTimeout);
        Assert.Equal([new TcpEndpoint("db.local", 5432), new TcpEndpoint("::1", 6379)], config.TcpChecks);
        Assert.Equal("/var/log/shop-b.log", config.LogFileOf(Slots.Slot.B));
        Assert.Equal("ERROR|Exception", config.LogErrorPattern);
        Assert.Equal(3, config.LogMaxErrors);
        Assert.Equal("make smoke", config.TestCmd);
        Assert.Equal(TimeSpan.FromMinutes(2), config.TestTimeout);
        Assert.Equal("./checks/pre-switch.sh \"$BG_TO_VERSION\"", config.PreSwitchCmd);
        Assert.Equal("curl -fsS -X POST https://cdn.example/purge", config.PostSwitchCmd);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), config.HookTimeout);
    }

    [Theory]
    [InlineData("RULE")]
    [InlineData("SLOT_A_URL")]
    [InlineData("SLOT_B_URL")]
    public void A_missing_required_key_is_an_error_naming_it(string key)
    {
        var text = string.Join('\n', Minimal.Split('\n').Where(l => !l.StartsWith(key + "=", StringComparison.Ordinal)));

        var error = SingleError(text);

        Assert.Equal(Path, error.File);
        Assert.Equal($"missing required key {key}", error.Message);
    }

    [Fact]
    public void An_empty_file_reports_every_required_key()
    {
        var (config, errors) = Parse("");

        Assert.Null(config);
        Assert.Equal(
            ["missing required key RULE", "missing required key SLOT_A_URL", "missing required key SLOT_B_URL"],
            errors.Select(e => e.Message));
    }

    [Fact]
    public void A_required_key_set_to_empty_is_an_error_on_its_line()
    {
        var error = SingleError("SLOT_A_URL=http://127.0.0.1:7001\nSLOT_B_URL=http://127.0.0.1:7002\nRULE=\"\"\n");

        Assert.Equal(3, error.Line);
        Assert.Equal("RULE must not be empty", error.Message);
    }

    [Theory]
    [InlineData("Shop")]
    [InlineData("-shop")]
    [InlineData("shop_1")]
    [InlineData("shop.com")]
    [InlineData("")]
    public void A_bad_site_name_is_an_error(string name)
    {
        var (config, errors) = Parse(Minimal, name);

        Assert.Null(config);
        var error = Assert.Single(errors);
        Assert.Contains($"bad site name '{name}'", error.Message);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("shop-2")]
    public void A_good_site_name_is_accepted(string name)
    {
        Assert.NotNull(Parse(Minimal, name).Config);
        Assert.True(SiteConfig.IsValidName(name));
    }

    [Fact]
    public void A_site_name_of_63_characters_is_the_longest_allowed()
    {
        Assert.True(SiteConfig.IsValidName(new string('a', 63)));
        Assert.False(SiteConfig.IsValidName(new string('a', 64)));
    }

    [Theory]
    [InlineData("X-BlueGreen-Preview: 1", "X-BlueGreen-Preview", "1")]
    [InlineData("x-preview:yes please ", "x-preview", "yes please")]
    [InlineData("  X_Tester~1 :\ttoken=a:b", "X_Tester~1", "token=a:b")]
    public void A_preview_header_is_a_name_and_a_value(string raw, string name, string value)
    {
        var (config, errors) = Parse(Minimal + $"PREVIEW_HEADER={raw}\n");

        Assert.Empty(errors);
        Assert.Equal(new PreviewHeader(name, value), config!.PreviewHeader);
    }

    [Theory]
    [InlineData("X-BlueGreen-Preview", "is not NAME: VALUE")]
    [InlineData("X BlueGreen: 1", "'X BlueGreen' is not a header name")]
    [InlineData(": 1", "'' is not a header name")]
    [InlineData("X-Préview: 1", "is not a header name")]
    [InlineData("X-`Preview: 1", "is not a header name")]
    [InlineData("X-Preview:", "the header X-Preview has no value")]
    [InlineData("X-Preview: a`b", "no backtick")]
    [InlineData("X-Preview: é", "visible ASCII")]
    public void A_bad_preview_header_is_one_error_on_its_line(string raw, string message)
    {
        var error = SingleError(Minimal + $"PREVIEW_HEADER={raw}\n");

        Assert.Equal(Path, error.File);
        Assert.Equal(4, error.Line);
        Assert.StartsWith("PREVIEW_HEADER: ", error.Message);
        Assert.Contains(message, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("RULE=Host(`x.com`", 1, "RULE: the rule does not parse")]
    [InlineData("RULE=Hots(`x.com`)", 1, "unknown matcher Hots")]
    [InlineData("PREVIEW_RULE=Host(`x.com`) &&", 4, "PREVIEW_RULE: the rule does not parse")]
    public void A_rule_that_does_not_parse_is_an_error_on_its_line(string line, int expectedLine, string message)
    {
        var text = line.StartsWith("RULE=", StringComparison.Ordinal)
            ? line + "\n" + string.Join('\n', Minimal.Split('\n').Skip(1))
            : Minimal + line + "\n";

        var error = SingleError(text);

        Assert.Equal(expectedLine, error.Line);
        Assert.Contains(message, error.Message);
        Assert.Contains("at character", error.Message);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:7002")]
    [InlineData("127.0.0.1:7002")]
    [InlineData("/srv/slot-b")]
    [InlineData("http://")]
    [InlineData("not a url")]
    public void A_slot_url_that_is_not_http_or_https_is_an_error(string url)
    {
        var error = SingleError(Minimal.Replace("http://127.0.0.1:7002", url, StringComparison.Ordinal));

        Assert.Equal(3, error.Line);
        Assert.Contains("SLOT_B_URL", error.Message);
        Assert.Contains("not an http:// or https:// URL", error.Message);
    }

    [Fact]
    public void An_https_slot_url_is_accepted()
    {
        var (config, errors) = Parse(Minimal.Replace("http://127.0.0.1:7002", "https://slot-b.internal", StringComparison.Ordinal));

        Assert.Empty(errors);
        Assert.Equal(new Uri("https://slot-b.internal"), config!.SlotBUrl);
    }

    [Theory]
    [InlineData("http://127.0.0.1:7001")]
    [InlineData("http://127.0.0.1:7001/")]
    [InlineData("HTTP://127.0.0.1:7001")]
    public void Two_slots_on_the_same_url_are_an_error(string slotB)
    {
        var error = SingleError(Minimal.Replace("http://127.0.0.1:7002", slotB, StringComparison.Ordinal));

        Assert.Equal(3, error.Line);
        Assert.Contains("SLOT_B_URL is the same URL as SLOT_A_URL", error.Message);
    }

    [Theory]
    [InlineData("db.local")]
    [InlineData("db.local:")]
    [InlineData(":5432")]
    [InlineData("db.local:0")]
    [InlineData("db.local:65536")]
    [InlineData("db.local:port")]
    public void A_tcp_check_that_is_not_host_and_port_is_an_error(string item)
    {
        var error = SingleError(Minimal + $"TCP_CHECKS=ok.local:1, {item}\n");

        Assert.Equal(4, error.Line);
        Assert.Contains($"TCP_CHECKS: '{item}' is not host:port", error.Message);
    }

    [Theory]
    [InlineData("ERROR(")]
    [InlineData("[unclosed")]
    [InlineData("*")]
    public void A_log_pattern_that_is_not_a_regular_expression_is_an_error(string pattern)
    {
        var error = SingleError(Minimal + $"LOG_ERROR_PATTERN={pattern}\n");

        Assert.Equal(4, error.Line);
        Assert.Contains("LOG_ERROR_PATTERN: not a valid regular expression", error.Message);
    }

    [Theory]
    [InlineData("health")]
    [InlineData("http://x/health")]
    public void A_health_path_without_a_leading_slash_is_an_error(string path)
    {
        var error = SingleError(Minimal + $"HEALTH_PATH={path}\n");

        Assert.Equal(4, error.Line);
        Assert.Contains("must start with /", error.Message);
    }

    [Theory]
    [InlineData("HEALTH_STATUS=99", "HEALTH_STATUS")]
    [InlineData("HEALTH_STATUS=ok", "HEALTH_STATUS")]
    [InlineData("HEALTH_TIMEOUT=fast", "HEALTH_TIMEOUT")]
    [InlineData("TEST_TIMEOUT=1h", "TEST_TIMEOUT")]
    [InlineData("HOOK_TIMEOUT=soon", "HOOK_TIMEOUT")]
    [InlineData("HOOK_TIMEOUT=50ms", "HOOK_TIMEOUT")]
    [InlineData("LOG_MAX_ERRORS=-1", "LOG_MAX_ERRORS")]
    [InlineData("ENTRYPOINTS=web,web secure", "ENTRYPOINTS")]
    public void A_bad_optional_value_is_an_error_on_its_line(string line, string key)
    {
        var (config, errors) = Parse(Minimal + line + "\n");

        var error = Assert.Single(errors);
        Assert.Equal(4, error.Line);
        Assert.StartsWith(key, error.Message);
        Assert.Null(config);
    }

    [Fact]
    public void A_host_regexp_rule_is_served_by_both_routers_without_a_warning()
    {
        var text = "RULE=HostRegexp(`^.+\\.example\\.com$`)\nSLOT_A_URL=http://127.0.0.1:7001\nSLOT_B_URL=http://127.0.0.1:7002\n";

        var (embedded, embeddedErrors) = Parse(text, router: RouterKind.Embedded);
        var (traefik, traefikErrors) = Parse(text, router: RouterKind.Traefik);

        Assert.Empty(embeddedErrors);
        Assert.Empty(traefikErrors);
        Assert.NotNull(embedded);
        Assert.NotNull(traefik);
    }

    [Theory]
    [InlineData("RULE=Host(`a.test`, `b.test`)", 1, "RULE: the rule does not parse: Host(`a.test`, `b.test`) takes exactly 1 argument, not 2; Traefik v3 refuses several values: write Host(`a.test`) || Host(`b.test`)")]
    [InlineData("RULE=Host(`a.test`)\nPREVIEW_RULE=PathPrefix(`preview`)", 2, "PREVIEW_RULE: the rule does not parse: PathPrefix(`preview`): the path must start with '/'")]
    public void A_rule_traefik_would_refuse_is_an_error_on_its_line(string rules, int line, string message)
    {
        var (config, errors) = Parse(rules + "\nSLOT_A_URL=http://127.0.0.1:7001\nSLOT_B_URL=http://127.0.0.1:7002\n");

        var error = Assert.Single(errors);
        Assert.False(error.IsWarning);
        Assert.Equal(line, error.Line);
        Assert.Equal(message, error.Message);
        Assert.Null(config);
    }

    [Fact]
    public void Errors_of_the_syntax_and_of_the_values_are_reported_together()
    {
        var text = "RULE=Host(`x`)\nSLOT_A_URL=ftp://a\nSLOT_B_URL=http://b\nNOPE=1\nHEALTH_PATH=x\n";

        var (config, errors) = Parse(text);

        Assert.Null(config);
        Assert.Equal([2, 4, 5], errors.Select(e => e.Line).Order());
    }
}
