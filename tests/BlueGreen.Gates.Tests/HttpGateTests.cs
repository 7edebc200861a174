using System.Net.Sockets;
using System.Net;
using BlueGreen.Testing;
using Microsoft.AspNetCore.Http;

namespace BlueGreen.Gates.Tests;

public sealed class HttpGateTests
{
    private readonly HttpGate _gate = new();

    [Fact]
    public async Task A_slot_answering_200_passes()
    {
        await using var server = await SlotServer.StartAsync(200, "ok");
        var site = Candidates.Site(server.Url) with { HealthPath = "/health" };

        var result = await _gate.RunAsync(Candidates.On(site, "/tmp"), default);

        Assert.True(result.Passed, result.Reason);
        Assert.Contains("/health", result.Reason);
        Assert.Contains("HTTP 200", result.Reason);
    }

    [Fact]
    public async Task A_slot_answering_500_fails_and_shows_the_start_of_the_body()
    {
        await using var server = await SlotServer.StartAsync(500, "boom: " + new string('x', 500));
        var site = Candidates.Site(server.Url) with { HealthRetries = 2 };

        var result = await _gate.RunAsync(Candidates.On(site, "/tmp"), default);

        Assert.False(result.Passed);
        Assert.Contains("HTTP 500", result.Reason);
        Assert.Contains("2 probe(s) failed", result.Reason);
        var body = Assert.Single(result.Details!, d => d.StartsWith("body starts: ", StringComparison.Ordinal));
        Assert.Contains("boom", body);
        Assert.True(body.Length <= "body starts: ".Length + 201, "at most 200 characters of the body are shown");
    }

    [Fact]
    public async Task A_body_without_the_expected_text_fails()
    {
        await using var server = await SlotServer.StartAsync(200, "status: degraded");
        var site = Candidates.Site(server.Url) with { HealthBody = "status: ok", HealthRetries = 1 };

        var result = await _gate.RunAsync(Candidates.On(site, "/tmp"), default);

        Assert.False(result.Passed);
        Assert.Contains("status: ok", result.Reason);
    }

    [Fact]
    public async Task A_body_with_the_expected_text_passes()
    {
        await using var server = await SlotServer.StartAsync(200, "{\"status\": \"ok\"}");
        var site = Candidates.Site(server.Url) with { HealthBody = "\"ok\"" };

        var result = await _gate.RunAsync(Candidates.On(site, "/tmp"), default);

        Assert.True(result.Passed, result.Reason);
    }

    [Fact]
    public async Task Another_expected_status_is_honoured()
    {
        await using var server = await SlotServer.StartAsync(204, "");
        var site = Candidates.Site(server.Url) with { HealthStatus = 204 };

        var result = await _gate.RunAsync(Candidates.On(site, "/tmp"), default);

        Assert.True(result.Passed, result.Reason);
    }

    [Fact]
    public async Task A_slot_slower_than_the_timeout_fails_after_exactly_its_timeouts_and_backoffs()
    {
        using var arrived = new SemaphoreSlim(0);
        await using var server = await SlotServer.StartAsync(async context =>
        {
            arrived.Release();
            await Task.Delay(Timeout.Infinite, context.RequestAborted); // never answers
        });
        var site = Candidates.Site(server.Url) with { HealthTimeout = TimeSpan.FromMilliseconds(300), HealthRetries = 3 };
        var clock = new TimerWatchingClock();

        var run = new HttpGate(timeProvider: clock).RunAsync(Candidates.On(site, "/tmp"), default);
        for (var attempt = 1; attempt <= site.HealthRetries; attempt++)
        {
            if (attempt > 1)
            {
                var backoff = await clock.NextTimerAsync();
                Assert.Equal(HttpGate.BackoffBefore(attempt), backoff);
                clock.Advance(backoff);
            }

            Assert.Equal(site.HealthTimeout, await clock.NextTimerAsync()); // the probe's deadline
            Assert.True(await arrived.WaitAsync(TimeSpan.FromSeconds(10)), $"probe {attempt} reached the slot");
            clock.Advance(site.HealthTimeout);
        }

        var result = await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(result.Passed);
        Assert.Contains("HEALTH_TIMEOUT", result.Reason);
        Assert.Equal(3, result.Details!.Count(d => d.StartsWith("probe ", StringComparison.Ordinal)));
        // 3 × 300 ms of probes + 200 + 400 ms of backoff on the gate's clock: it never waited for the slot's answer.
        Assert.Equal(TimeSpan.FromMilliseconds(1500), result.Duration);
    }

    [Fact]
    public async Task A_down_candidate_fails_without_waiting_for_any_timeout_and_reports_every_retry()
    {
        var port = FreePort();
        var site = Candidates.Site(new Uri($"http://127.0.0.1:{port}")) with { HealthTimeout = TimeSpan.FromSeconds(1), HealthRetries = 3 };
        var clock = new TimerWatchingClock();

        var run = new HttpGate(timeProvider: clock).RunAsync(Candidates.On(site, "/tmp"), default);
        for (var attempt = 1; attempt <= site.HealthRetries; attempt++)
        {
            Assert.Equal(site.HealthTimeout, await clock.NextTimerAsync()); // the probe's deadline, never reached
            if (attempt < site.HealthRetries)
            {
                var backoff = await clock.NextTimerAsync();
                Assert.Equal(HttpGate.BackoffBefore(attempt + 1), backoff);
                clock.Advance(backoff);
            }
        }

        var result = await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(result.Passed);
        Assert.Contains("no response", result.Reason);
        Assert.Equal(3, result.Details!.Count(d => d.StartsWith("probe ", StringComparison.Ordinal)));
        Assert.Equal(TimeSpan.FromMilliseconds(600), result.Duration); // the backoffs alone: a refused probe ends at once
    }

    [Fact]
    public async Task A_slot_that_recovers_before_the_last_retry_passes()
    {
        var calls = 0;
        await using var server = await SlotServer.StartAsync(async context =>
        {
            context.Response.StatusCode = Interlocked.Increment(ref calls) < 3 ? 503 : 200;
            await context.Response.WriteAsync("x");
        });
        var site = Candidates.Site(server.Url) with { HealthRetries = 3 };

        var result = await _gate.RunAsync(Candidates.On(site, "/tmp"), default);

        Assert.True(result.Passed, result.Reason);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task A_redirect_is_not_followed()
    {
        await using var server = await SlotServer.StartAsync(context =>
        {
            context.Response.Redirect("/elsewhere");
            return Task.CompletedTask;
        });
        var site = Candidates.Site(server.Url) with { HealthRetries = 1 };

        var result = await _gate.RunAsync(Candidates.On(site, "/tmp"), default);

        Assert.False(result.Passed);
        Assert.Contains("HTTP 302", result.Reason);
    }

    [Fact]
    public async Task Probe_once_makes_exactly_one_request()
    {
        var calls = 0;
        await using var server = await SlotServer.StartAsync(async context =>
        {
            Interlocked.Increment(ref calls);
            context.Response.StatusCode = 500;
            await context.Response.WriteAsync("down");
        });
        var site = Candidates.Site(server.Url) with { HealthRetries = 5 };

        var result = await _gate.ProbeOnceAsync(server.Url, site, default);

        Assert.False(result.Passed);
        Assert.Equal(1, calls);
        Assert.Contains("body starts: down", result.Details!);
    }

    [Theory]
    [InlineData("http://127.0.0.1:7001", "/health", "http://127.0.0.1:7001/health")]
    [InlineData("http://127.0.0.1:7001/", "/health", "http://127.0.0.1:7001/health")]
    [InlineData("http://127.0.0.1:7001/app/", "/health?deep=1", "http://127.0.0.1:7001/app/health?deep=1")]
    public void The_health_url_joins_slot_url_and_path_with_one_slash(string slot, string path, string expected) =>
        Assert.Equal(expected, BlueGreen.Infrastructure.Health.SlotProbe.HealthUrl(new Uri(slot), path).AbsoluteUri);

    [Fact]
    public void The_backoff_doubles_from_200_ms_and_is_capped()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(200), HttpGate.BackoffBefore(2));
        Assert.Equal(TimeSpan.FromMilliseconds(400), HttpGate.BackoffBefore(3));
        Assert.Equal(TimeSpan.FromMilliseconds(800), HttpGate.BackoffBefore(4));
        Assert.Equal(TimeSpan.FromSeconds(2), HttpGate.BackoffBefore(20));
    }

    internal static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
