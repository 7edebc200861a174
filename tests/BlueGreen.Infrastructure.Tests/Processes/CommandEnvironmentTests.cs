using BlueGreen.Core.Slots;
using BlueGreen.Infrastructure.Processes;

namespace BlueGreen.Infrastructure.Tests.Processes;

public sealed class CommandEnvironmentTests
{
    [Fact]
    public void The_deploy_environment_names_site_slot_url_version_and_home()
    {
        var env = CommandEnvironment.Build("shop", Slot.B, new Uri("http://127.0.0.1:7002/"), "1.4.2", "/opt/bg");

        Assert.Equal("shop", env["BG_SITE"]);
        Assert.Equal("b", env["BG_SLOT"]);
        Assert.Equal("http://127.0.0.1:7002", env["BG_SLOT_URL"]);
        Assert.Equal("1.4.2", env["BG_VERSION"]);
        Assert.Equal("/opt/bg", env["BG_HOME"]);
        Assert.False(env.ContainsKey("BG_TARGET_URL"));
    }

    [Fact]
    public void The_test_environment_also_has_the_target_url_and_deployment_id()
    {
        var env = CommandEnvironment.Build("shop", Slot.A, new Uri("http://127.0.0.1:7001"), "2", "/h", new Uri("http://127.0.0.1:7001/app/"), "d-1");

        Assert.Equal("http://127.0.0.1:7001/app", env["BG_TARGET_URL"]);
        Assert.Equal("d-1", env["BG_DEPLOYMENT_ID"]);
    }

    [Fact]
    public async Task The_built_environment_reaches_a_real_command()
    {
        var env = CommandEnvironment.Build("shop", Slot.B, new Uri("http://127.0.0.1:7002"), "v9", "/h", new Uri("http://127.0.0.1:7002"));
        var request = new ShellCommandRequest("echo \"$BG_SITE $BG_SLOT $BG_SLOT_URL $BG_VERSION $BG_HOME $BG_TARGET_URL\"", Path.GetTempPath(), env, TimeSpan.FromSeconds(10));

        var result = await new ShellCommand().RunAsync(request);

        Assert.Equal("shop b http://127.0.0.1:7002 v9 /h http://127.0.0.1:7002", result.Tail.Single());
    }
}
