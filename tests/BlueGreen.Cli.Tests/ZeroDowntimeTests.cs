using System.Diagnostics;
using BlueGreen.Router;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// Proof under load (issue 4): client loops, with keep-alive and without, send requests through the
/// embedded router during 20 apply/rollback cycles made with the real run.sh. No request may fail, and
/// once a switch is verified every new request must reach the newly live slot.
/// </summary>
public sealed class ZeroDowntimeTests : TwoSlotHomeTest
{
    private const int Cycles = 20;
    private RunningRouter _router = null!;
    private readonly LogCapture _routerLog = new();

    protected override async Task SetUpAsync()
    {
        _router = await EmbeddedRouter.StartAsync(new RouterOptions(Home.Path_("var", "routes"), "127.0.0.1:0", "127.0.0.1:0", AccessLog: false), _routerLog.Factory, CancellationToken.None);
        Home.WriteGlobal($"ROUTER_API={_router.ApiUrl}\nSWITCH_VERIFY_TIMEOUT=5\n");
        Home.AddSite("shop", A.Url, B.Url);
        Home.WriteSite("shop", File.ReadAllText(Home.Path_("conf", "sites", "shop.conf")).Replace("RULE=Host(`shop.example.com`)", "RULE=PathPrefix(`/`)"));
        foreach (var version in new[] { "v1", "v2" })
        {
            Assert.Equal(0, (await Run("deploy", "shop", "--version", version)).ExitCode);
            Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
            Assert.Equal(0, (await Run("apply", "shop", "--yes")).ExitCode);
        }
    }

    protected override async Task TearDownAsync()
    {
        await _router.DisposeAsync();
    }

    private sealed record Answer(long StartedAt, string? Slot, string? Failure);

    [Fact]
    public async Task Twenty_apply_rollback_cycles_under_load_drop_no_request_and_new_requests_reach_the_live_slot()
    {
        var answers = new System.Collections.Concurrent.ConcurrentBag<Answer>();
        // The loops run until the switches are done (however long a loaded machine makes them), then stop.
        using var stop = new CancellationTokenSource();
        var loops = Enumerable.Range(0, 6).Select(i => Task.Run(() => ClientLoopAsync(keepAlive: i < 4, answers, stop.Token))).ToList();

        // Windows in which only one slot may answer: from a verified switch to the start of the next one.
        var windows = new List<(long From, long To, string Slot)>();
        try
        {
            for (var cycle = 0; cycle < Cycles; cycle++)
            {
                foreach (var (action, slot) in new[] { ("rollback", "a"), ("apply", "b") })
                {
                    if (windows.Count > 0)
                    {
                        windows[^1] = windows[^1] with { To = Stopwatch.GetTimestamp() };
                    }

                    var result = await Run(action, "shop", "--yes");
                    Assert.True(result.ExitCode == 0, $"cycle {cycle} {action}: {result}");
                    windows.Add((Stopwatch.GetTimestamp(), long.MaxValue, slot));
                    await TrafficAsync(answers, 10); // the window carries requests before the next switch
                }
            }

            await TrafficAsync(answers, 20);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(loops);
        }

        var all = answers.ToList();
        Assert.True(all.Count > 500, $"only {all.Count} requests were sent");
        Assert.Empty(all.Where(a => a.Failure is not null).Select(a => a.Failure));
        foreach (var (from, to, slot) in windows)
        {
            var wrong = all.Where(a => a.StartedAt > from && a.StartedAt < to && a.Slot != slot).ToList();
            Assert.True(wrong.Count == 0, $"{wrong.Count} request(s) started after the switch to {slot} was verified reached {wrong.FirstOrDefault()?.Slot}");
        }

        Assert.Contains(all, a => a.Slot == "a");
        Assert.Contains(all, a => a.Slot == "b");
    }

    /// <summary>Waits until the client loops have received <paramref name="count"/> more answers (progress, not a pause).</summary>
    private static async Task TrafficAsync(System.Collections.Concurrent.ConcurrentBag<Answer> answers, int count)
    {
        var target = answers.Count + count;
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 60;
        while (answers.Count < target)
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, $"the client loops got no {count} answers in 60 s");
            await Task.Delay(5);
        }
    }

    private async Task ClientLoopAsync(bool keepAlive, System.Collections.Concurrent.ConcurrentBag<Answer> answers, CancellationToken stop)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = keepAlive ? Timeout.InfiniteTimeSpan : TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(10) };
        for (var n = 0; n < 200_000 && !stop.IsCancellationRequested; n++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, _router.ProxyUrl);
                request.Headers.ConnectionClose = !keepAlive;
                using var response = await client.SendAsync(request, stop);
                var body = await response.Content.ReadAsStringAsync(stop);
                answers.Add(response.IsSuccessStatusCode
                    ? new Answer(started, body.StartsWith("slot=", StringComparison.Ordinal) ? body[5..] : body, null)
                    : new Answer(started, null, $"HTTP {(int)response.StatusCode}: {body}"));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                answers.Add(new Answer(started, null, $"{e.GetType().Name}: {e.Message}"));
            }
        }
    }
}
