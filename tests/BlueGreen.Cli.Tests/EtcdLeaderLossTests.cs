using System.Diagnostics;
using System.Text.Json;
using BlueGreen.Cli.Demo;
using BlueGreen.Infrastructure.Net;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// Issue 13: 50 switches under load through two `run.sh router` processes reading one real etcd cluster, from two homes
/// that stand for two hosts (alternately), while the etcd leader is killed after switch 17 and started again after
/// switch 34. No request fails, every switch is verified on both routers, and the journal in etcd holds every switch,
/// verifies, and equals each host's mirror byte for byte.
/// </summary>
public sealed class EtcdLeaderLossTests : IAsyncLifetime
{
    private const int Switches = 50;
    private const int KillLeaderAfter = 17;
    private const int RestartAfter = 34;

    private readonly TempHome[] _hosts = [new(null), new(null)];
    private readonly List<Process> _routers = [];
    private readonly List<Uri> _proxies = [];

    // Null until started: a set-up that fails part-way leaves only some of them to stop.
    private EtcdCluster? _etcd;
    private SlotServer? _slotA;
    private SlotServer? _slotB;

    private EtcdCluster Etcd => _etcd!;

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            // xUnit may not call DisposeAsync after a failed InitializeAsync: what was started is stopped here.
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        _etcd = EtcdCluster.Start();
        _slotA = await SlotServer.StartAsync("a");
        _slotB = await SlotServer.StartAsync("b");
        var apis = new PortAllocator().Next(2);
        for (var i = 0; i < 2; i++)
        {
            // Each host lists its own router first; `run.sh router` serves the first API and ROUTER_LISTEN.
            _hosts[i].WriteGlobal($"ROUTER_LISTEN=127.0.0.1:0\nROUTER_API=http://127.0.0.1:{apis[i]},http://127.0.0.1:{apis[1 - i]}\n" +
                                  $"SWITCH_VERIFY_TIMEOUT=15\nROUTING_STORE=etcd\nETCD_ENDPOINTS={_etcd!.Endpoints}\n");
            _hosts[i].WriteSite("shop", $"RULE=PathPrefix(`/`)\nSLOT_A_URL={_slotA!.Url}\nSLOT_B_URL={_slotB!.Url}\nHEALTH_PATH=/health\nHEALTH_TIMEOUT=10\n");
        }

        for (var i = 0; i < 2; i++)
        {
            var router = CliRunner.Start(_hosts[i].Root, ["router"]);
            _routers.Add(router);
            _proxies.Add(await ListeningOn(router));
        }
    }

    /// <summary>Stops whatever was started, once; safe after a set-up that failed anywhere.</summary>
    public async Task DisposeAsync()
    {
        foreach (var router in _routers)
        {
            try
            {
                router.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // already exited
            }

            await router.WaitForExitAsync();
            router.Dispose();
        }

        _routers.Clear();
        _etcd?.Dispose();
        _etcd = null;
        foreach (var slot in new[] { _slotA, _slotB })
        {
            if (slot is not null)
            {
                await slot.DisposeAsync();
            }
        }

        (_slotA, _slotB) = (null, null);
        foreach (var host in _hosts)
        {
            host.Dispose();
        }
    }

    [Fact]
    public async Task Fifty_switches_from_two_hosts_through_two_routers_lose_no_request_while_the_etcd_leader_dies_and_returns()
    {
        await Ok(_hosts[0], "deploy", "shop", "--version", "v1");
        await Ok(_hosts[0], "validate", "shop");
        AssertVerifiedOnBoth(await Ok(_hosts[0], "apply", "shop", "--yes"));
        await Ok(_hosts[0], "deploy", "shop", "--version", "v2");
        await Ok(_hosts[0], "validate", "shop");

        var killed = -1;
        await using (var load = new LoadGenerator(_proxies, keepAliveClients: 1, newConnectionClients: 1, maxDuration: TimeSpan.FromMinutes(10)))
        {
            for (var n = 1; n <= Switches; n++)
            {
                // Odd switches apply (slot b, v2) from host1, even ones roll back (slot a, v1) from host2.
                var (host, action) = (_hosts[(n - 1) % 2], n % 2 == 1 ? "apply" : "rollback");
                AssertVerifiedOnBoth(await Ok(host, action, "shop", "--yes"));
                // The next switch starts once the members agree on a leader again: a switch that meets the election
                // itself fails cleanly (etcd drops its proposal, nothing is changed), which is not what this measures.
                if (n == KillLeaderAfter)
                {
                    killed = Etcd.Leader(TimeSpan.FromSeconds(10));
                    Etcd.Kill(killed);
                    Etcd.Leader(TimeSpan.FromSeconds(30));
                }
                else if (n == RestartAfter)
                {
                    Etcd.Restart(killed);
                    Etcd.WaitHealthy(TimeSpan.FromSeconds(30));
                    Etcd.Leader(TimeSpan.FromSeconds(30));
                }
            }

            // Every request counted first: one hung by the last switch is a failure, not one left out.
            await load.StopAsync(LoadGenerator.StopDeadline);
            Assert.True(load.Failed == 0, $"{load.Failed} of {load.Sent} requests failed: {string.Join(" | ", load.FailureSamples)}");
            Assert.True(load.SentTo(0) > 0 && load.SentTo(1) > 0, $"both routers took traffic: {load.SentTo(0)}, {load.SentTo(1)}");
        }

        Assert.NotEqual(-1, killed);
        // The last switch was a rollback: both routers serve slot a.
        foreach (var proxy in _proxies)
        {
            using var client = new HttpClient();
            Assert.Equal("slot=a", await client.GetStringAsync(proxy));
        }

        foreach (var host in _hosts)
        {
            Assert.Contains("this host's mirror equals the journal in etcd", (await Ok(host, "journal", "verify")).All);
        }

        // The journal in etcd, read with etcdctl: seq 1…N without a gap, its head at N, every switch's success in order.
        var entries = Etcd.ReadPrefix("bluegreen/journal/entries/");
        var lines = entries.Values.ToList();
        Assert.Equal(Enumerable.Range(1, lines.Count).Select(i => $"bluegreen/journal/entries/{i:D12}"), entries.Keys);
        using (var head = JsonDocument.Parse(Etcd.Ctl("get", "bluegreen/journal/head", "--print-value-only").Trim()))
        {
            Assert.Equal(lines.Count, head.RootElement.GetProperty("seq").GetInt64());
        }

        var switched = lines.Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("action").GetString() is "apply" or "rollback" && e.GetProperty("outcome").GetString() == "succeeded")
            .Select(e => $"{e.GetProperty("action").GetString()} {e.GetProperty("to").GetProperty("version").GetString()}")
            .ToList();
        Assert.Equal(["apply v1", .. Enumerable.Range(1, Switches).Select(n => n % 2 == 1 ? "apply v2" : "rollback v1")], switched);

        // Each host's mirror is the journal in etcd, line for line (the lines hold the hash chain).
        foreach (var host in _hosts)
        {
            Assert.Equal(lines, File.ReadAllLines(host.JournalFile));
        }
    }

    private static void AssertVerifiedOnBoth(CliResult result) => Assert.Contains("all 2 routers serve the new routing", result.All);

    private static async Task<CliResult> Ok(TempHome home, params string[] args)
    {
        var result = await CliRunner.RunAsync(home.Root, args);
        Assert.True(result.ExitCode == 0, $"run.sh {string.Join(' ', args)}: {result}");
        return result;
    }

    /// <summary>The proxy URL from "router: listening on http://127.0.0.1:P/, API on …"; its output is drained afterwards.</summary>
    private static async Task<Uri> ListeningOn(Process router)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        string? line;
        do
        {
            line = await router.StandardOutput.ReadLineAsync(deadline.Token);
        }
        while (line is not null && !line.StartsWith("router: listening on ", StringComparison.Ordinal));

        if (line is null)
        {
            Assert.Fail($"the router exited before it listened: {await router.StandardError.ReadToEndAsync()}");
        }

        _ = router.StandardOutput.ReadToEndAsync();
        _ = router.StandardError.ReadToEndAsync();
        return new Uri(line["router: listening on ".Length..line.IndexOf(',', StringComparison.Ordinal)]);
    }

}
