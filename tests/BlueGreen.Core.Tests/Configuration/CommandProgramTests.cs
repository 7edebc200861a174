using BlueGreen.Core.Configuration;

namespace BlueGreen.Core.Tests.Configuration;

/// <summary>The program `config check` looks for in a DEPLOY_CMD/TEST_CMD: what sh would run first, or nothing to check.</summary>
public sealed class CommandProgramTests
{
    public static TheoryData<string, ProgramKind, string> Cases => new()
    {
        { "", ProgramKind.None, "" },
        { "   ", ProgramKind.None, "" },
        { "curl -fsS \"$BG_TARGET_URL/health\"", ProgramKind.Program, "curl" },
        { "./deploy.sh --slot $BG_SLOT", ProgramKind.Program, "./deploy.sh" },
        { "/opt/shop/bin/deploy", ProgramKind.Program, "/opt/shop/bin/deploy" },
        { "'my tool' x", ProgramKind.Program, "my tool" },
        { "\"/opt/my app/deploy\" x", ProgramKind.Program, "/opt/my app/deploy" },
        { "my\\ tool x", ProgramKind.Program, "my tool" },
        { "APP_START=\"/opt/shop/bin/shop --urls $BG_SLOT_URL\" sh /opt/bluegreen/docs/recipes/deploy-plain-process.sh", ProgramKind.Program, "sh" },
        { "A=1 B='x y' exec nosuch", ProgramKind.Program, "nosuch" },
        { "deploy.sh&&echo ok", ProgramKind.Program, "deploy.sh" },
        { "cd /opt/shop && docker compose up -d", ProgramKind.Builtin, "cd" },
        { "printf 'x=%s\\n' \"$BG_VERSION\" > /tmp/x", ProgramKind.Builtin, "printf" },
        { "[ -f x ] && y", ProgramKind.Builtin, "[" },
        { "true", ProgramKind.Builtin, "true" },
        { ". ./env.sh; run", ProgramKind.Builtin, "." },
        { "if true; then x; fi", ProgramKind.ShellConstruct, "if" },
        { "{ a; b; }", ProgramKind.ShellConstruct, "{" },
        { "! nosuch", ProgramKind.ShellConstruct, "!" },
        { "(cd x && y)", ProgramKind.ShellConstruct, "(" },
        { "> log deploy", ProgramKind.ShellConstruct, ">" },
        { "$HOME/bin/deploy", ProgramKind.ShellConstruct, "$HOME/bin/deploy" },
        { "\"$DEPLOYER\" x", ProgramKind.ShellConstruct, "\"$DEPLOYER\"" },
        { "`which deploy`", ProgramKind.ShellConstruct, "`which" },
        { "~/bin/deploy", ProgramKind.ShellConstruct, "~/bin/deploy" },
        { "/opt/*/deploy", ProgramKind.ShellConstruct, "/opt/*/deploy" },
        { "# nothing", ProgramKind.ShellConstruct, "#" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_first_program_is_what_sh_would_run_first(string command, ProgramKind kind, string name)
    {
        Assert.Equal(new CommandProgram(kind, name), CommandProgram.Of(command));
    }
}
