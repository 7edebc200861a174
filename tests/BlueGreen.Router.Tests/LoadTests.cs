using System.Net;
using System.Text.Json.Nodes;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Router.Tests.Support;
using BlueGreen.Testing;
using Xunit.Abstractions;

namespace BlueGreen.Router.Tests;

[CollectionDefinition("load", DisableParallelization = true)]
public sealed class LoadCollection;

/// <summary>
/// Blue/green flips under concurrent traffic, in front of real server programs that handle connections
/// differently: no request fails, and after each verified flip every new request reaches the new slot.
/// </summary>
[Collection("load")]
public sealed class LoadTests(ITestOutputHelper output)
{
    private const int Flips = 50;

    /// <summary>What the test promises clients: between a verified flip and the next rename, answers come from Slot.</summary>
    private sealed record Epoch(int Number, string Slot, bool Stable);

    /// <summary>Starts one slot: Kestrel in this process, or a real server program (ProcessBackend).</summary>
    private static async Task<(string Url, IAsyncDisposable Handle)> StartSlotAsync(string kind, string name)
    {
        switch (kind)
        {
            case "kestrel":
                var kestrel = await TestBackend.StartAsync(name);
                return (kestrel.UrlText, kestrel);
            case "python":
                var python = await ProcessBackend.PythonHttpServerAsync(name);
                return (python.UrlText, python);
            case "nginx":
                var nginx = await ProcessBackend.NginxAsync(name);
                return (nginx.UrlText, nginx);
            case "node":
                var node = await ProcessBackend.NodeAsync(name);
                return (node.UrlText, node);
            default:
                throw new ArgumentException($"unknown backend {kind}", nameof(kind));
        }
    }

    [Theory]
    [InlineData("kestrel")]
    [InlineData("python")] // HTTP/1.0: a new connection for every request
    [InlineData("nginx")] // keepalive_timeout 1s, keepalive_requests 5
    [InlineData("node")] // keepAliveTimeout 500 ms
    public async Task Flipping_between_slots_under_load_drops_nothing_and_new_requests_reach_the_live_slot(string backend)
    {
        var (aUrl, aHandle) = await StartSlotAsync(backend, "a");
        await using var a = aHandle;
        var (bUrl, bHandle) = await StartSlotAsync(backend, "b");
        await using var b = bHandle;
        var conf = $"RULE=Host(`shop.test`)\nSLOT_A_URL={aUrl}\nSLOT_B_URL={bUrl}\n";
        var (site, errors) = SiteConfig.Parse("shop.conf", "shop", conf);
        Assert.True(site is not null, string.Join("; ", errors));
        string Render(Slot live) => RoutingPlanner.Render(site, live, live.Other(), $"live slot {live.Name()}");
        var fileName = RoutingPlanner.FileName("shop");

        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { [fileName] = Render(Slot.A) });
        var epoch = new Epoch(0, "a", true);
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var violations = new List<string>();
        long requests = 0;
        long checkedRequests = 0;

        async Task ClientLoop(bool keepAlive)
        {
            using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = keepAlive ? Timeout.InfiniteTimeSpan : TimeSpan.Zero })
            {
                BaseAddress = h.Router.ProxyUrl,
                Timeout = TimeSpan.FromSeconds(20),
            };
            while (!stop.IsCancellationRequested)
            {
                var before = Volatile.Read(ref epoch);
                using var request = new HttpRequestMessage(HttpMethod.Get, "/");
                request.Headers.Host = "shop.test";
                request.Headers.ConnectionClose = !keepAlive;
                try
                {
                    using var response = await client.SendAsync(request);
                    var body = await response.Content.ReadAsStringAsync();
                    Interlocked.Increment(ref requests);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        lock (failures) failures.Add($"{(int)response.StatusCode} {body}");
                        continue;
                    }

                    // Only a request that started and ended inside one stable window has a single right answer.
                    if (before.Stable && ReferenceEquals(before, Volatile.Read(ref epoch)))
                    {
                        Interlocked.Increment(ref checkedRequests);
                        if (body != before.Slot)
                        {
                            lock (violations) violations.Add($"flip {before.Number}: expected {before.Slot}, got {body}");
                        }
                    }
                }
                catch (Exception e)
                {
                    lock (failures) failures.Add(e.GetType().Name + ": " + e.Message);
                }
            }
        }

        var clients = new[] { true, true, true, false, false, false }.Select(k => Task.Run(() => ClientLoop(k))).ToList();
        var slot = Slot.A;
        for (var i = 1; i <= Flips; i++)
        {
            // Every stable window carries traffic before the next flip: progress, not a pause, paces the flips.
            var windowStart = Interlocked.Read(ref requests);
            await RouterHarness.WaitUntilAsync(() => Task.FromResult(Interlocked.Read(ref requests) >= windowStart + 12), $"traffic before flip {i}");
            slot = slot.Other();
            Volatile.Write(ref epoch, new Epoch(i, slot.Name(), false));
            await h.WriteAtomicAsync(fileName, Render(slot));
            await RouterHarness.WaitUntilAsync(async () => LiveIn(await h.ApiJsonAsync("/api/http/services/shop@file")) == $"shop-{slot.Name()}", $"flip {i} in the API");
            Volatile.Write(ref epoch, new Epoch(i, slot.Name(), true));
        }

        var lastWindow = Interlocked.Read(ref requests);
        await RouterHarness.WaitUntilAsync(() => Task.FromResult(Interlocked.Read(ref requests) >= lastWindow + 12), "traffic after the last flip");
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        var resent = h.Log.Text.Split('\n').Count(l => l.Contains("sent again on a new connection"));
        output.WriteLine($"{backend}: {requests} requests, {checkedRequests} checked inside stable windows, {failures.Count} failed, {violations.Count} reached the old slot, {resent} sent again");
        Assert.True(failures.Count == 0, $"{failures.Count} failed request(s) of {requests}: {string.Join(" | ", failures.Take(5))}; router: {string.Join(" | ", h.Log.Text.Split('\n').Where(l => l.Contains("error")).Take(5))}");
        Assert.True(violations.Count == 0, $"{violations.Count} request(s) reached the old slot: {string.Join(" | ", violations.Take(5))}");
        Assert.True(checkedRequests > Flips, $"only {checkedRequests} request(s) fell in stable windows");
    }

    private static string? LiveIn(JsonNode? service) =>
        service?["weighted"]?["services"]?.AsArray().SingleOrDefault(s => s!["weight"]!.GetValue<int>() > 0)?["name"]?.GetValue<string>();
}
