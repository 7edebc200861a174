using System.Net;
using System.Net.Sockets;
using BlueGreen.Cli.Demo;
using BlueGreen.Cli.Output;
using BlueGreen.Infrastructure.Net;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// A demo step's failure, whatever it is (an HttpClient timeout is an OperationCanceledException), is that step's
/// <see cref="DemoStepFailed"/>, which the demo prints as its one "demo failed at step" line with exit 1; only the
/// demo's own stop (Ctrl-C) goes through as a cancellation.
/// </summary>
public sealed class DemoStepsTests
{
    private readonly Terminal _terminal = new(json: false, assumeYes: true);

    [Fact]
    public async Task An_http_timeout_inside_a_step_fails_that_step_by_name()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0); // accepts (the kernel's backlog) and never answers
        silent.Start();
        using var http = HttpClients.Create(timeout: TimeSpan.FromMilliseconds(200));
        var steps = new DemoSteps(_terminal, 1, CancellationToken.None);

        var failed = await Assert.ThrowsAsync<DemoStepFailed>(() => steps.StepAsync("v1 is served", () =>
            http.GetStringAsync($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/")));

        Assert.Equal("v1 is served", failed.Step);
        Assert.Contains("HttpClient.Timeout", failed.Message);
    }

    [Fact]
    public async Task The_demos_own_stop_goes_through_as_a_cancellation()
    {
        using var stop = new CancellationTokenSource();
        var steps = new DemoSteps(_terminal, 1, stop.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => steps.StepAsync("deploy v1", async () =>
        {
            await stop.CancelAsync();
            await Task.Delay(Timeout.Infinite, stop.Token);
            return "never";
        }));
    }
}
