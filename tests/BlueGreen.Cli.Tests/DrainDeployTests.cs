using System.Collections.Concurrent;
using System.Text.Json;
using BlueGreen.Router;
using BlueGreen.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// `deploy` onto the slot users were on before the last switch waits until the embedded router shows it
/// idle (docs/reference.md, "deploy"): here an event stream opened through the router while slot a was
/// live stays open on a after the switch to b, and the next deploy, which goes to a, waits for it.
/// </summary>
public sealed class DrainDeployTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly TempHome _home = new();
    private readonly TaskCompletionSource _endStream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SlotServer _a = null!;
    private SlotServer _b = null!;
    private RunningRouter _router = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        // Slot a: healthy, and /events holds an event stream open until the test ends it.
        _a = await SlotServer.StartAsync(async context =>
        {
            if (context.Request.Path == "/events")
            {
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync("data: hello\n\n");
                await context.Response.Body.FlushAsync();
                await _endStream.Task.WaitAsync(context.RequestAborted);
                return;
            }

            await context.Response.WriteAsync(context.Request.Path == "/health" ? "ok" : "slot=a");
        });
        _b = await SlotServer.StartAsync("b");
        _router = await EmbeddedRouter.StartAsync(new RouterOptions(_home.Path_("var", "routes"), "127.0.0.1:0", "127.0.0.1:0", AccessLog: false), NullLoggerFactory.Instance, CancellationToken.None);
        _home.WriteGlobal($"ROUTER_API={_router.ApiUrl}\nSWITCH_VERIFY_TIMEOUT=5\n");
        _client = new HttpClient { BaseAddress = _router.ProxyUrl, Timeout = Deadline };
    }

    public async Task DisposeAsync()
    {
        _endStream.TrySetResult();
        _client.Dispose();
        await _router.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _home.Dispose();
    }

    /// <summary>v1 live on a with a stream open on it through the router, then v2 applied on b: a is the next deploy's slot.</summary>
    private async Task<HttpResponseMessage> StreamLeftOnAAsync(string siteExtra)
    {
        _home.AddSite("shop", _a.Url, _b.Url, siteExtra);
        await OkAsync("deploy", "shop", "--version", "v1");
        await OkAsync("validate", "shop");
        await OkAsync("apply", "shop", "--yes");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/events");
        request.Headers.Host = "shop.example.com";
        var stream = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);

        await OkAsync("deploy", "shop", "--version", "v2");
        await OkAsync("validate", "shop");
        await OkAsync("apply", "shop", "--yes");
        return stream;
    }

    [Fact]
    public async Task A_deploy_onto_the_previous_live_slot_waits_while_a_stream_is_open_and_goes_on_once_it_closes()
    {
        using var stream = await StreamLeftOnAAsync("DRAIN_TIMEOUT=60\n");

        using var deploy = CliRunner.Start(_home.Root, ["deploy", "shop", "--version", "v3"]);
        var output = new ConcurrentQueue<string>();
        var reading = Task.WhenAll(ReadLinesAsync(deploy.StandardOutput, output), ReadLinesAsync(deploy.StandardError, output));
        await Poll.UntilAsync(() => output.Any(l => l.Contains("waiting for slot a to drain: 0 requests in flight, 1 stream open", StringComparison.Ordinal)), "the deploy to wait for slot a", giveUp: () => deploy.HasExited ? "the deploy exited" : null);

        // Nothing of the deploy is journaled while it waits: the wait comes before its intent.
        Assert.False(deploy.HasExited);
        Assert.DoesNotContain(JournalEntries(), e => e.GetProperty("action").GetString() == "deploy" && e.GetProperty("message").GetString()!.Contains("v3", StringComparison.Ordinal));

        _endStream.TrySetResult();
        using var timeout = new CancellationTokenSource(Deadline);
        await deploy.WaitForExitAsync(timeout.Token);
        await reading;
        var all = string.Join("\n", output);
        Assert.True(deploy.ExitCode == 0, all);
        Assert.Contains("slot a is drained", all);
        var outcome = JournalEntries().Last();
        Assert.Equal(("deploy", "succeeded"), (outcome.GetProperty("action").GetString(), outcome.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task DRAIN_POLICY_refuse_refuses_with_exit_3_journaled_when_the_slot_stays_busy()
    {
        using var stream = await StreamLeftOnAAsync("DRAIN_TIMEOUT=300ms\nDRAIN_POLICY=refuse\n");
        var stateBefore = File.ReadAllText(_home.StateFile("shop"));

        var deploy = await CliRunner.RunAsync(_home.Root, ["deploy", "shop", "--version", "v3"]);

        Assert.True(deploy.ExitCode == 3, deploy.ToString());
        Assert.Contains("slot a is not drained after DRAIN_TIMEOUT 300ms: 0 requests in flight, 1 stream open (DRAIN_POLICY=refuse)", deploy.All);
        var last = JournalEntries().Last();
        Assert.Equal(("deploy", "refused"), (last.GetProperty("action").GetString(), last.GetProperty("outcome").GetString()));
        Assert.Contains("not drained", last.GetProperty("message").GetString());
        Assert.DoesNotContain(JournalEntries(), e => e.GetProperty("outcome").GetString() == "started" && e.GetProperty("message").GetString()!.Contains("v3", StringComparison.Ordinal));
        Assert.Equal(stateBefore, File.ReadAllText(_home.StateFile("shop")));
    }

    [Fact]
    public async Task DRAIN_POLICY_wait_goes_on_after_the_timeout_with_a_warning_and_says_so_in_the_intent()
    {
        using var stream = await StreamLeftOnAAsync("DRAIN_TIMEOUT=300ms\n");

        var deploy = await CliRunner.RunAsync(_home.Root, ["deploy", "shop", "--version", "v3"]);

        Assert.True(deploy.ExitCode == 0, deploy.ToString());
        Assert.Contains("slot a is not drained after DRAIN_TIMEOUT 300ms (0 requests in flight, 1 stream open); going on (DRAIN_POLICY=wait)", deploy.All);
        var started = JournalEntries().Last(e => e.GetProperty("outcome").GetString() == "started");
        Assert.Contains("slot a not drained after 300ms: 0 requests in flight, 1 stream open", started.GetProperty("message").GetString());
    }

    private List<JsonElement> JournalEntries() =>
        File.ReadLines(_home.JournalFile).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    private async Task OkAsync(params string[] args)
    {
        var result = await CliRunner.RunAsync(_home.Root, args);
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', args)}: {result}");
    }

    private static async Task ReadLinesAsync(StreamReader reader, ConcurrentQueue<string> lines)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lines.Enqueue(line);
        }
    }
}
