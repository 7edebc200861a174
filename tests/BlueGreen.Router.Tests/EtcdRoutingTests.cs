using System.Net;
using BlueGreen.Core.Routing;
using BlueGreen.Router.Tests.Support;
using BlueGreen.Testing;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;

namespace BlueGreen.Router.Tests;

/// <summary>
/// ROUTING_STORE=etcd: routers that read a real 3-node etcd cluster (loopback ports chosen at run time) in Traefik's
/// KV layout, written in one transaction per change as the product's switches are.
/// </summary>
public sealed class EtcdRoutingTests : IAsyncLifetime
{
    private const string Root = "traefik";

    private EtcdCluster _etcd = null!;
    private TestBackend _a = null!;
    private TestBackend _b = null!;

    public async Task InitializeAsync()
    {
        _etcd = EtcdCluster.Start();
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b");
    }

    public async Task DisposeAsync()
    {
        _etcd.Dispose();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    /// <summary>Site shop's routing with all the weight on one slot, as the product renders it.</summary>
    private DynamicConfig Shop(string live) => new()
    {
        Http = new HttpConfig
        {
            Routers = new() { ["shop"] = new RouterConfig { Rule = "Host(`shop.test`)", Service = "shop" } },
            Services = new()
            {
                ["shop"] = new ServiceConfig
                {
                    Weighted = new WeightedConfig { Services = [new() { Name = "shop-a", Weight = live == "a" ? 1 : 0 }, new() { Name = "shop-b", Weight = live == "b" ? 1 : 0 }] },
                },
                ["shop-a"] = new ServiceConfig { LoadBalancer = new LoadBalancerConfig { Servers = [new() { Url = _a.UrlText }] } },
                ["shop-b"] = new ServiceConfig { LoadBalancer = new LoadBalancerConfig { Servers = [new() { Url = _b.UrlText }] } },
            },
        },
    };

    /// <summary>
    /// Replaces everything under the root key in one transaction (one revision, one watch response), as a switch does:
    /// the keys the new tree lacks deleted, every pair put (etcd refuses a put inside a range the same txn deletes).
    /// Asynchronous: a blocking call here held a thread-pool thread while the test's own watchers and traffic loops
    /// needed them, and timed out on a loaded machine.
    /// </summary>
    private static async Task WriteAsync(EtcdClient client, DynamicConfig config, params (string Key, string Value)[] extra)
    {
        var pairs = RoutingKv.Pairs(config, Root).Select(p => (p.Key, p.Value)).Concat(extra).ToList();
        var present = (await client.GetAsync(new RangeRequest { Key = Bytes(Root + "/"), RangeEnd = Bytes(EtcdClient.GetRangeEnd(Root + "/")) }, null, DateTime.UtcNow.AddSeconds(30))).Kvs;
        var txn = new TxnRequest();
        foreach (var gone in present.Select(kv => kv.Key.ToStringUtf8()).Where(k => pairs.All(p => p.Key != k)))
        {
            txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes(gone) } });
        }

        foreach (var (key, value) in pairs)
        {
            txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Bytes(key), Value = Bytes(value) } });
        }

        Assert.True((await client.TransactionAsync(txn, null, DateTime.UtcNow.AddSeconds(30))).Succeeded);
    }

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    private static async Task<string> BodyAsync(RouterHarness h)
    {
        var (status, body, _) = await h.GetAsync("shop.test", "/");
        return status == HttpStatusCode.OK ? body : $"HTTP {(int)status}";
    }

    private static Task ServesAsync(RouterHarness h, string slot, string what) =>
        RouterHarness.WaitUntilAsync(async () => await BodyAsync(h) == slot, what, TimeSpan.FromSeconds(30));

    /// <summary>The live weights the router's current snapshot holds for shop (what it serves and its API shows).</summary>
    private static (int A, int B)? Weights(RouterHarness h) =>
        h.Router.Snapshots.Current.Services.TryGetValue("shop@etcd", out var view) && view.Config.Weighted is { } w
            ? (w.Services.Single(s => s.Name == "shop-a").Weight, w.Services.Single(s => s.Name == "shop-b").Weight)
            : null;

    [Fact]
    public async Task Two_routers_on_one_cluster_converge_after_each_switch_and_never_serve_half_of_one()
    {
        using var client = new EtcdClient(_etcd.Endpoints);
        await WriteAsync(client, Shop("a"));
        await using var r1 = await RouterHarness.StartEtcdAsync(_etcd.ClientUrls);
        await using var r2 = await RouterHarness.StartEtcdAsync(_etcd.ClientUrls.Reverse().ToList());
        await ServesAsync(r1, "a", "router 1 serving a");
        await ServesAsync(r2, "a", "router 2 serving a");
        Assert.Equal("etcd", (await r1.ApiJsonAsync("/api/http/services/shop@etcd"))?["provider"]?.GetValue<string>());

        // Every snapshot either router publishes, and every request, is checked while the switches run.
        using var stop = new CancellationTokenSource();
        var half = new List<string>();
        var seen = 0;
        var failures = new List<string>();
        var requests = 0;
        var watchers = new[] { r1, r2 }.Select(h => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (Weights(h) is var (wa, wb))
                {
                    Interlocked.Increment(ref seen);
                    if (wa + wb != 1)
                    {
                        lock (half)
                        {
                            half.Add($"{wa}/{wb}");
                        }
                    }
                }
            }
        })).ToList();
        var traffic = new[] { r1, r2 }.Select(h => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var body = await BodyAsync(h);
                Interlocked.Increment(ref requests);
                if (body is not ("a" or "b"))
                {
                    lock (failures)
                    {
                        failures.Add(body);
                    }
                }
            }
        })).ToList();

        const int switches = 40;
        for (var i = 1; i <= switches; i++)
        {
            var live = i % 2 == 1 ? "b" : "a";
            await WriteAsync(client, Shop(live));
            var expected = live == "a" ? (1, 0) : (0, 1);
            await RouterHarness.WaitUntilAsync(() => Task.FromResult(Weights(r1) == expected && Weights(r2) == expected), $"both routers at switch {i}", TimeSpan.FromSeconds(30));
        }

        await stop.CancelAsync();
        await Task.WhenAll(watchers.Concat(traffic));

        Assert.Empty(half);
        Assert.Empty(failures);
        Assert.True(seen > switches * 2 && requests > switches, $"{seen} readings, {requests} requests");
        Assert.Equal("a", await BodyAsync(r1));
        Assert.Equal("a", await BodyAsync(r2));
        Assert.DoesNotContain("error", r1.Log.Text);
    }

    [Fact]
    public async Task While_every_etcd_node_is_down_the_routers_keep_serving_and_after_the_restart_they_resume_from_their_revision()
    {
        using (var client = new EtcdClient(_etcd.Endpoints))
        {
            await WriteAsync(client, Shop("a"));
        }

        await using var r1 = await RouterHarness.StartEtcdAsync(_etcd.ClientUrls);
        await using var r2 = await RouterHarness.StartEtcdAsync(_etcd.ClientUrls);
        await ServesAsync(r1, "a", "router 1 serving a");
        await ServesAsync(r2, "a", "router 2 serving a");

        _etcd.KillAll();
        await RouterHarness.WaitUntilAsync(() => Task.FromResult(r1.Log.Text.Contains("etcd is unreachable") && r2.Log.Text.Contains("etcd is unreachable")), "the outage logged");
        // Both keep serving and answering through several of their retries (they retry at most every second).
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        var requests = 0;
        while (DateTime.UtcNow < until)
        {
            Assert.Equal("a", await BodyAsync(r1));
            Assert.Equal("a", await BodyAsync(r2));
            requests++;
        }

        Assert.True(requests > 10);
        Assert.NotNull(await r1.ApiJsonAsync("/api/http/routers/shop@etcd"));
        // One line for the outage, not one per retry.
        Assert.Equal(1, Count(r1.Log.Text, "etcd is unreachable"));
        Assert.Contains("keeps serving", r1.Log.Text);

        _etcd.RestartAll();
        using (var client = new EtcdClient(_etcd.Endpoints))
        {
            await WriteAsync(client, Shop("b"));
        }

        await ServesAsync(r1, "b", "router 1 serving b after the restart");
        await ServesAsync(r2, "b", "router 2 serving b after the restart");
        Assert.Contains("resuming from revision", r1.Log.Text);
        Assert.DoesNotContain("compacted", r1.Log.Text);
    }

    [Fact]
    public async Task A_router_whose_revision_was_compacted_while_it_was_cut_off_reads_the_whole_prefix_again()
    {
        using var client = new EtcdClient(_etcd.Endpoints);
        await WriteAsync(client, Shop("a"));
        // This router reaches etcd through a relay only: cutting the relay cuts it off while the whole cluster goes on.
        await using var relay = new TcpRelay(new Uri(_etcd.ClientUrls[0]));
        await using var r = await RouterHarness.StartEtcdAsync([relay.Url]);
        await ServesAsync(r, "a", "serving a");

        relay.Cut();
        await RouterHarness.WaitUntilAsync(() => Task.FromResult(r.Log.Text.Contains("etcd is unreachable")), "the outage logged");
        await WriteAsync(client, Shop("b"));
        await WriteAsync(client, Shop("b"), ("traefik/http/routers/extra/rule", "Host(`extra.test`)"), ("traefik/http/routers/extra/service", "shop-a"));
        var revision = client.Get(new RangeRequest { Key = Bytes("traefik/") }, null, DateTime.UtcNow.AddSeconds(10)).Header.Revision;
        client.Compact(new CompactionRequest { Revision = revision, Physical = true }, null, DateTime.UtcNow.AddSeconds(10));
        Assert.Equal("a", await BodyAsync(r));

        relay.Restore();
        await ServesAsync(r, "b", "serving b after the re-read");
        await RouterHarness.WaitUntilAsync(async () => await r.ApiJsonAsync("/api/http/routers/extra@etcd") is not null, "the extra router");
        Assert.Contains("compacted", r.Log.Text);
    }

    [Fact]
    public async Task A_bad_router_in_etcd_is_disabled_alone_and_a_tree_traefik_could_not_decode_keeps_the_last_good_one()
    {
        using var client = new EtcdClient(_etcd.Endpoints);
        await WriteAsync(client, Shop("a"));
        await using var r = await RouterHarness.StartEtcdAsync(_etcd.ClientUrls);
        await ServesAsync(r, "a", "serving a");

        // A router to a service that does not exist: disabled alone, as in a file.
        await WriteAsync(client, Shop("b"), ("traefik/http/routers/broken/rule", "Host(`broken.test`)"), ("traefik/http/routers/broken/service", "nowhere"));
        await ServesAsync(r, "b", "serving b");
        Assert.Equal("disabled", (await r.ApiJsonAsync("/api/http/routers/broken@etcd"))?["status"]?.GetValue<string>());
        // The reload's lines are written just after the snapshot starts serving: wait for them, do not race them.
        await RouterHarness.WaitUntilAsync(() => Task.FromResult(r.Log.Text.Contains("router broken@etcd is disabled")), "the disabled router logged");

        // A weight Traefik could not read: the whole tree is refused, the last good configuration serves on.
        await WriteAsync(client, Shop("a"), ("traefik/http/services/other/weighted/services/0/name", "shop-a"), ("traefik/http/services/other/weighted/services/0/weight", "heavy"));
        await RouterHarness.WaitUntilAsync(() => Task.FromResult(r.Log.Text.Contains("'heavy' is not a weight")), "the decode error");
        Assert.Contains("the last good configuration keeps serving", r.Log.Text);
        Assert.Equal("b", await BodyAsync(r));

        await WriteAsync(client, Shop("a"));
        await ServesAsync(r, "a", "serving a once the tree is good again");
    }

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
