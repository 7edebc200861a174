using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// `config check` beyond one file (docs/reference.md, "config check"): a slot URL or a rule two sites share,
/// and DEPLOY_CMD/TEST_CMD/PRE_SWITCH_CMD/POST_SWITCH_CMD programs that sh would not find or could not run, each at file:line with exit 2.
/// </summary>
public sealed class ConfigCheckAcrossSitesTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private static string Site(string host, int a, int b, string extra = "") =>
        $"RULE=Host(`{host}`)\nSLOT_A_URL=http://127.0.0.1:{a}\nSLOT_B_URL=http://127.0.0.1:{b}\n{extra}";

    private async Task<CliResult> CheckAsync() => await CliRunner.RunAsync(_home.Root, "config", "check");

    [Fact]
    public async Task Two_sites_sharing_a_slot_url_is_an_error_naming_both_files_and_lines()
    {
        _home.WriteSite("blog", Site("blog.example.com", 7001, 7002));
        _home.WriteSite("shop", Site("shop.example.com", 7003, 7002));

        var check = await CheckAsync();

        Assert.Equal(2, check.ExitCode);
        Assert.Contains($"{_home.Path_("conf", "sites", "shop.conf")}:3: SLOT_B_URL http://127.0.0.1:7002/ is also SLOT_B_URL of site 'blog' ({_home.Path_("conf", "sites", "blog.conf")}:3)", check.Stderr);
    }

    [Fact]
    public async Task Two_sites_with_the_same_production_rule_is_an_error()
    {
        _home.WriteSite("blog", Site("www.example.com", 7001, 7002));
        _home.WriteSite("shop", "# the shop\n" + Site("www.example.com", 7003, 7004));

        var check = await CheckAsync();

        Assert.Equal(2, check.ExitCode);
        Assert.Contains("shop.conf:2: RULE is the same rule as RULE of site 'blog'", check.Stderr);
        Assert.Contains("blog.conf:1)", check.Stderr);
    }

    [Fact]
    public async Task A_deploy_cmd_whose_program_is_not_on_path_is_an_error_at_its_line()
    {
        _home.WriteSite("shop", Site("shop.example.com", 7001, 7002, "DEPLOY_CMD=bg-no-such-program-4711 --slot \"$BG_SLOT\"\n"));

        var check = await CheckAsync();

        Assert.Equal(2, check.ExitCode);
        Assert.Contains("shop.conf:4: DEPLOY_CMD: program 'bg-no-such-program-4711' is not found on PATH", check.Stderr);
    }

    [Fact]
    public async Task Switch_hooks_whose_programs_cannot_run_are_errors_at_their_lines()
    {
        File.WriteAllText(_home.Path_("pre-switch.sh"), "#!/bin/sh\nexit 0\n");
        _home.WriteSite("shop", Site("shop.example.com", 7001, 7002, "PRE_SWITCH_CMD=./pre-switch.sh\nHOOK_TIMEOUT=5\nPOST_SWITCH_CMD=bg-no-such-program-4711 purge\n"));

        var check = await CheckAsync();

        Assert.Equal(2, check.ExitCode);
        Assert.Contains("shop.conf:4: PRE_SWITCH_CMD: './pre-switch.sh' is not executable", check.Stderr);
        Assert.Contains("shop.conf:6: POST_SWITCH_CMD: program 'bg-no-such-program-4711' is not found on PATH", check.Stderr);

        _home.WriteSite("shop", Site("shop.example.com", 7001, 7002, "PRE_SWITCH_CMD=sh pre-switch.sh\nHOOK_TIMEOUT=5\nPOST_SWITCH_CMD=true\n"));
        var fixedCheck = await CheckAsync();
        Assert.True(fixedCheck.ExitCode == 0, fixedCheck.ToString());
    }

    [Fact]
    public async Task A_test_cmd_that_is_not_executable_or_does_not_exist_is_an_error()
    {
        File.WriteAllText(_home.Path_("smoke.sh"), "#!/bin/sh\nexit 0\n");
        _home.WriteSite("shop", Site("shop.example.com", 7001, 7002, "TEST_CMD=./smoke.sh\n"));
        _home.WriteSite("blog", Site("blog.example.com", 7003, 7004, "TEST_CMD=./missing.sh \"$BG_TARGET_URL\"\n"));

        var check = await CheckAsync();

        Assert.Equal(2, check.ExitCode);
        Assert.Contains("shop.conf:4: TEST_CMD: './smoke.sh' is not executable", check.Stderr);
        Assert.Contains($"blog.conf:4: TEST_CMD: './missing.sh' does not exist ({_home.Path_("missing.sh")}", check.Stderr);

        File.SetUnixFileMode(_home.Path_("smoke.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Delete(_home.Path_("conf", "sites", "blog.conf"));
        var fixedCheck = await CheckAsync();
        Assert.True(fixedCheck.ExitCode == 0, fixedCheck.ToString());
    }

    /// <summary>What a shell resolves itself, or what only it can tell, is not a false error.</summary>
    [Theory]
    [InlineData("cd /opt/shop && bg-no-such-program-4711 up -d")]
    [InlineData("printf 'v=%s\\n' \"$BG_VERSION\" > /tmp/x")]
    [InlineData("if true; then bg-no-such-program-4711; fi")]
    [InlineData("$HOME/bin/bg-no-such-program-4711")]
    [InlineData("APP=\"x y\" sh -c 'exit 0'")]
    [InlineData("exec sh -c true")]
    public async Task Built_ins_shell_constructs_and_programs_on_path_are_not_errors(string command)
    {
        _home.WriteSite("shop", Site("shop.example.com", 7001, 7002, $"DEPLOY_CMD={command}\nTEST_CMD={command}\n"));

        var check = await CheckAsync();

        Assert.True(check.ExitCode == 0, check.ToString());
    }
}
