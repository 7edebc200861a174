using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>Every bad configuration input exits 2 naming file:line, and writes nothing.</summary>
public sealed class ConfigErrorTests : IDisposable
{
    private readonly TempHome _home = new();

    private const string Good = "RULE=Host(`shop.example.com`)\nSLOT_A_URL=http://127.0.0.1:7001\nSLOT_B_URL=http://127.0.0.1:7002\n";

    public void Dispose() => _home.Dispose();

    public static TheoryData<string, string, string> BadSites => new()
    {
        { "shop", Good + "COLOUR=blue\n", "shop.conf:4: unknown key COLOUR" },
        { "shop", Good + "RULE=Host(`x`)\n", "shop.conf:4: duplicate key RULE (first set on line 1)" },
        { "shop", Good + "this is not a setting\n", "shop.conf:4: malformed line" },
        { "shop", Good + "HEALTH_TIMEOUT=soon\n", "shop.conf:4: HEALTH_TIMEOUT: 'soon' is not a duration" },
        { "shop", Good + "HEALTH_STATUS=2000\n", "shop.conf:4: HEALTH_STATUS" },
        { "shop", "SLOT_A_URL=http://127.0.0.1:7001\nSLOT_B_URL=http://127.0.0.1:7002\n", "shop.conf: missing required key RULE" },
        { "Shop_1", Good, "Shop_1.conf: bad site name 'Shop_1'" },
        { "shop", "RULE=Host(`shop.example.com`\nSLOT_A_URL=http://127.0.0.1:7001\nSLOT_B_URL=http://127.0.0.1:7002\n", "shop.conf:1: RULE: the rule does not parse" },
        { "shop", "RULE=Host(`shop.example.com`)\nSLOT_A_URL=ftp://127.0.0.1:7001\nSLOT_B_URL=http://127.0.0.1:7002\n", "shop.conf:2: SLOT_A_URL: 'ftp://127.0.0.1:7001' is not an http:// or https:// URL" },
        { "shop", "RULE=Host(`shop.example.com`)\nSLOT_A_URL=http://127.0.0.1:7001\nSLOT_B_URL=http://127.0.0.1:7001/\n", "shop.conf:3: SLOT_B_URL is the same URL as SLOT_A_URL" },
        { "shop", Good + "DEPLOY_CMD=\"unterminated\n", "shop.conf:4: DEPLOY_CMD: unterminated quote" },
    };

    [Theory]
    [MemberData(nameof(BadSites))]
    public async Task Config_check_reports_the_file_and_line_exits_2_and_writes_nothing(string site, string text, string expected)
    {
        _home.WriteSite(site, text);

        var check = await CliRunner.RunAsync(_home.Root, "config", "check");
        Assert.Equal(2, check.ExitCode);
        Assert.Contains(expected, check.Stderr);

        var deploy = await CliRunner.RunAsync(_home.Root, "deploy", site, "--version", "v1");
        Assert.Equal(2, deploy.ExitCode);
        Assert.False(Directory.Exists(_home.Path_("var")), "a command with a bad configuration wrote under var/");
    }

    [Fact]
    public async Task Config_check_reports_every_error_of_every_file_in_one_pass()
    {
        _home.WriteGlobal("ROUTER=nginx\nSWITCH_VERIFY_TIMEOUT=-1\n");
        _home.WriteSite("one", Good + "COLOUR=blue\n");
        _home.WriteSite("two", "RULE=Host(`two`\n");

        var check = await CliRunner.RunAsync(_home.Root, "config", "check");

        Assert.Equal(2, check.ExitCode);
        Assert.Contains("global.conf:1: ROUTER: 'nginx' is not one of embedded, traefik", check.Stderr);
        Assert.Contains("global.conf:2: SWITCH_VERIFY_TIMEOUT", check.Stderr);
        Assert.Contains("one.conf:4: unknown key COLOUR", check.Stderr);
        Assert.Contains("two.conf:1: RULE: the rule does not parse", check.Stderr);
        Assert.Contains("two.conf: missing required key SLOT_A_URL", check.Stderr);
    }

    [Fact]
    public async Task Values_are_never_evaluated_by_a_shell()
    {
        var marker = _home.Path_("evaluated");
        _home.WriteSite("shop", Good + $"HEALTH_BODY=$(touch {marker})\nTEST_CMD=`touch {marker}`\n");
        var check = await CliRunner.RunAsync(_home.Root, "config", "check");
        Assert.Equal(0, check.ExitCode);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task A_bad_argument_is_a_usage_error_with_exit_2()
    {
        var result = await CliRunner.RunAsync(_home.Root, "deploy", "shop");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--version", result.Stderr);
        var unknown = await CliRunner.RunAsync(_home.Root, "status", "--colour");
        Assert.Equal(2, unknown.ExitCode);
    }
}
