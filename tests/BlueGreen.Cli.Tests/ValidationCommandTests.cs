using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using BlueGreen.Core.Routing;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>validate and the gates through the real run.sh: reports, refusals naming the gate, the preview route.</summary>
public sealed class ValidationCommandTests : TwoSlotHomeTest
{
    private TcpListener _service = null!;

    protected override async Task SetUpAsync()
    {
        _service = new TcpListener(IPAddress.Loopback, 0);
        _service.Start();
    }

    protected override async Task TearDownAsync()
    {
        _service.Stop();
    }

    private string LogOf(string slot) => Home.Path_($"app-{slot}.log");

    private void AddSiteWithAllGates(string testCmd = "exit 0", int? tcpPort = null)
    {
        File.WriteAllText(LogOf("a"), "");
        File.WriteAllText(LogOf("b"), "");
        Home.AddSite("shop", A.Url, B.Url, $"""
            PREVIEW_RULE=Host(`preview.shop.example.com`)
            HEALTH_RETRIES=2
            TCP_CHECKS=127.0.0.1:{tcpPort ?? ((IPEndPoint)_service.LocalEndpoint).Port}
            LOG_FILE={Home.Path_("app-{slot}.log")}
            TEST_CMD={testCmd}
            TEST_TIMEOUT=5

            """);
    }

    [Fact]
    public async Task All_four_gates_pass_and_the_report_is_bound_to_the_deployment()
    {
        AddSiteWithAllGates(testCmd: "curl -fsS \"$BG_TARGET_URL/health\"");
        var deploy = await Run("deploy", "shop", "--version", "v1", "--json");
        var deploymentId = JsonDocument.Parse(deploy.Stdout).RootElement.GetProperty("result").GetProperty("deployment_id").GetString();

        var validate = await Run("validate", "shop", "--json");

        Assert.True(validate.ExitCode == 0, validate.ToString());
        var report = JsonDocument.Parse(validate.Stdout).RootElement.GetProperty("result");
        Assert.Equal(deploymentId, report.GetProperty("deployment_id").GetString());
        Assert.Equal(["http", "log", "tcp", "tests"], report.GetProperty("gates").EnumerateArray().Select(g => g.GetProperty("gate").GetString()!).Order().ToArray());
        Assert.All(report.GetProperty("gates").EnumerateArray(), g => Assert.True(g.GetProperty("passed").GetBoolean()));
        Assert.Single(Directory.GetFiles(Home.Path_("var", "log", "validation"), $"shop-{deploymentId}-*.json"));
    }

    public static TheoryData<string, string> FailingGates => new()
    {
        { "tcp", "closed port" },
        { "log", "an ERROR line after the deploy" },
        { "tests", "TEST_CMD exits 1" },
        { "http", "the candidate answers 500" },
    };

    [Theory]
    [MemberData(nameof(FailingGates))]
    public async Task Apply_refuses_after_a_failed_gate_and_names_it(string gate, string how)
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var closedPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        AddSiteWithAllGates(testCmd: gate == "tests" ? "echo failing test; exit 1" : "exit 0", tcpPort: gate == "tcp" ? closedPort : null);
        File.AppendAllText(LogOf("a"), "2020-01-01T00:00:00Z ERROR an old error, before the deploy: it does not count\n");
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v1")).ExitCode);
        if (gate == "log")
        {
            File.AppendAllText(LogOf("a"), "ERROR the new version cannot reach its database\n");
        }

        if (gate == "http")
        {
            A.HealthStatus = 500;
        }

        var validate = await Run("validate", "shop");
        Assert.True(validate.ExitCode == 1, $"{how}: {validate}");
        Assert.Contains($"failed gate {gate}", validate.All);
        A.HealthStatus = 200;

        var apply = await Run("apply", "shop", "--yes");
        Assert.Equal(3, apply.ExitCode);
        Assert.Contains($"gate {gate} failed", apply.All);

        var status = JsonDocument.Parse((await Run("status", "shop", "--json")).Stdout).RootElement.GetProperty("sites")[0];
        Assert.Equal(gate, status.GetProperty("validation").GetProperty("failed_gate").GetString());
    }

    [Fact]
    public async Task Validate_of_a_candidate_that_is_down_fails_within_the_probe_timeouts_and_says_why()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var down = new Uri($"http://127.0.0.1:{((IPEndPoint)closed.LocalEndpoint).Port}");
        closed.Stop();
        Home.WriteSite("shop", $"RULE=Host(`shop.example.com`)\nSLOT_A_URL={down}\nSLOT_B_URL={B.Url}\nHEALTH_PATH=/health\nHEALTH_TIMEOUT=1\nHEALTH_RETRIES=3\n");
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v1")).ExitCode);

        var watch = Stopwatch.StartNew();
        var validate = await Run("validate", "shop", "--json");
        watch.Stop();

        Assert.Equal(1, validate.ExitCode);
        var http = JsonDocument.Parse(validate.Stdout).RootElement.GetProperty("result").GetProperty("gates")[0];
        Assert.False(http.GetProperty("passed").GetBoolean());
        Assert.Contains("refused", http.GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}"); // HEALTH_TIMEOUT × retries + backoff, with room for a loaded machine
    }

    [Fact]
    public async Task The_preview_router_follows_the_candidate_through_deploy_and_apply()
    {
        Home.AddSite("shop", A.Url, B.Url, "PREVIEW_RULE=Host(`preview.shop.example.com`)\n");

        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v1")).ExitCode);
        Assert.Equal("shop-a", PreviewService());
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
        Assert.Equal(0, (await Run("apply", "shop", "--yes")).ExitCode);
        Assert.Equal("shop-b", PreviewService()); // the new candidate slot
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v2")).ExitCode);
        Assert.Equal("shop-b", PreviewService());
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
        Assert.Equal(0, (await Run("apply", "shop", "--yes")).ExitCode);
        Assert.Equal("shop-a", PreviewService()); // the former live slot
        Assert.Empty(RoutingSchema.Validate(File.ReadAllText(Home.RoutingFile("shop"))));
    }

    private string PreviewService()
    {
        var (config, error) = RoutingFileFormat.Parse(File.ReadAllText(Home.RoutingFile("shop")));
        Assert.Null(error);
        return config!.Http!.Routers!["shop-preview"].Service;
    }
}
