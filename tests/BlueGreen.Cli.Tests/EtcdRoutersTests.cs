using BlueGreen.Router;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// Two embedded routers that read one real etcd cluster (ROUTING_STORE=etcd), both listed in ROUTER_API on two homes
/// that stand for two hosts: a switch written by either host is verified on both routers, and served by both.
/// </summary>
public sealed class EtcdRoutersTests() : TwoHostsOnEtcd("")
{
    private readonly List<RunningRouter> _routers = [];
    private readonly List<HttpClient> _clients = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        for (var i = 0; i < 2; i++)
        {
            var options = new RouterOptions(Host1.Path_("var", $"unused-routes-{i}"), "127.0.0.1:0", "127.0.0.1:0", AccessLog: false) { EtcdEndpoints = Etcd.ClientUrls };
            var router = await EmbeddedRouter.StartAsync(options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, CancellationToken.None);
            _routers.Add(router);
            _clients.Add(new HttpClient { BaseAddress = router.ProxyUrl, Timeout = TimeSpan.FromSeconds(10) });
        }

        foreach (var home in new[] { Host1, Host2 })
        {
            home.WriteGlobal($"ROUTER_API={_routers[0].ApiUrl},{_routers[1].ApiUrl}\nSWITCH_VERIFY_TIMEOUT=10\nROUTING_STORE=etcd\nETCD_ENDPOINTS={Etcd.Endpoints}\n");
        }
    }

    public override async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        foreach (var router in _routers)
        {
            await router.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private static async Task<CliResult> Run(TempHome home, params string[] args) => await CliRunner.RunAsync(home.Root, args);

    private static async Task DeployAndValidate(TempHome home, string version)
    {
        foreach (var step in new[] { new[] { "deploy", "shop", "--version", version }, ["validate", "shop"] })
        {
            var result = await Run(home, step);
            Assert.True(result.ExitCode == 0, result.ToString());
        }
    }

    private async Task<string> ServedBy(int router)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Host = "shop.example.com";
        using var response = await _clients[router].SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    private static string RouterCell(CliResult status) =>
        status.Stdout.Split('\n').Single(l => l.StartsWith("shop\t", StringComparison.Ordinal)).Split('\t')[3];

    [Fact]
    public async Task A_switch_from_either_host_is_verified_on_every_listed_router_and_both_serve_it()
    {
        await DeployAndValidate(Host1, "v1");
        var apply = await Run(Host1, "apply", "shop", "--yes");

        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Contains("all 2 routers serve the new routing", apply.All);
        Assert.Equal("slot=a", await ServedBy(0));
        Assert.Equal("slot=a", await ServedBy(1));

        await DeployAndValidate(Host2, "v2");
        var second = await Run(Host2, "apply", "shop", "--yes");

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal("slot=b", await ServedBy(0));
        Assert.Equal("slot=b", await ServedBy(1));
        // status still reads the state from this host's files, not etcd (docs/etcd.md, "Not yet"), so it flags the
        // state; the router column is what is checked here.
        var status = await Run(Host1, "status");
        Assert.Equal("serves b (2/2)", RouterCell(status));
    }

    [Fact]
    public async Task A_switch_fails_naming_the_router_that_did_not_show_it_and_status_shows_the_routers_disagree()
    {
        await DeployAndValidate(Host1, "v1");
        Assert.Equal(0, (await Run(Host1, "apply", "shop", "--yes")).ExitCode);
        await DeployAndValidate(Host1, "v2");
        var down = _routers[1].ApiUrl!;
        await _routers[1].StopAsync();

        var apply = await Run(Host1, "apply", "shop", "--yes");

        Assert.True(apply.ExitCode == 1, apply.ToString());
        Assert.Contains($"1 of 2 routers did not: {down}", apply.Stderr);
        Assert.DoesNotContain(_routers[0].ApiUrl!.ToString() + ":", apply.Stderr);
        // The switch was undone: the router that is up serves the previous slot again.
        Assert.Equal("slot=a", await ServedBy(0));

        var status = await Run(Host1, "status");
        Assert.True(status.ExitCode == 1, status.ToString());
        Assert.Contains($"the router's API is unreachable (the routers differ: {_routers[0].ApiUrl}: ", status.Stdout);
        Assert.Equal($"1/2 serves a; {down}: UNREACHABLE", RouterCell(status));
    }

    [Fact]
    public async Task Run_sh_router_with_routing_store_etcd_serves_the_switch_written_by_the_product()
    {
        await DeployAndValidate(Host1, "v1");
        Assert.Equal(0, (await Run(Host1, "apply", "shop", "--yes")).ExitCode);

        using var router = CliRunner.Start(Host2.Root, ["router", "--listen", "127.0.0.1:0", "--api", "127.0.0.1:0"]);
        try
        {
            // "router: listening on http://127.0.0.1:P/, API on http://127.0.0.1:Q/, routes from etcd … under traefik/"
            string? line;
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            do
            {
                line = await router.StandardOutput.ReadLineAsync(deadline.Token);
            }
            while (line is not null && !line.StartsWith("router: listening on ", StringComparison.Ordinal));

            Assert.NotNull(line);
            Assert.Contains($"routes from etcd {Etcd.Endpoints} under traefik/", line);
            var proxy = new Uri(line["router: listening on ".Length..line.IndexOf(',', StringComparison.Ordinal)]);
            using var client = new HttpClient { BaseAddress = proxy };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Host = "shop.example.com";
            using var response = await client.SendAsync(request);
            Assert.Equal("slot=a", await response.Content.ReadAsStringAsync());
        }
        finally
        {
            router.Kill(entireProcessTree: true);
            await router.WaitForExitAsync();
        }
    }
}
