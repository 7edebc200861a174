using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using BlueGreen.Router;
using BlueGreen.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// Stepwise weights (issue 14, item 3) through the real run.sh and the embedded router: live a (v1), candidate b
/// (v2) validated, then `apply --weight` steps, `apply`, `rollback` mid-split, and `deploy` refused during a split.
/// </summary>
public sealed class WeightedSwitchTests : TwoSlotHomeTest
{
    private RunningRouter _router = null!;

    protected override async Task SetUpAsync()
    {
        _router = await EmbeddedRouter.StartAsync(new RouterOptions(Home.Path_("var", "routes"), "127.0.0.1:0", "127.0.0.1:0", AccessLog: false), NullLoggerFactory.Instance, CancellationToken.None);
        Home.WriteGlobal($"ROUTER_API={_router.ApiUrl}\nSWITCH_VERIFY_TIMEOUT=5\n");
        Home.AddSite("shop", A.Url, B.Url, "STICKY_COOKIE=bg_slot\n");
        foreach (var step in new[] { "deploy shop --version v1", "validate shop", "apply shop --yes", "deploy shop --version v2", "validate shop" })
        {
            await Succeeds(step.Split(' '));
        }
    }

    protected override async Task TearDownAsync()
    {
        await _router.DisposeAsync();
    }

    private async Task<CliResult> Succeeds(params string[] args)
    {
        var result = await Run(args);
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', args)}: {result}");
        return result;
    }

    private static HttpClient Client(bool cookies) =>
        new(new SocketsHttpHandler { UseProxy = false, UseCookies = cookies, CookieContainer = new CookieContainer() }) { Timeout = TimeSpan.FromSeconds(10) };

    private async Task<string> SlotAnswering(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_router.ProxyUrl, "/page"));
        request.Headers.Host = "shop.example.com";
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode && body.StartsWith("slot=", StringComparison.Ordinal) ? body[5..] : $"HTTP {(int)response.StatusCode}: {body}";
    }

    private async Task<JsonElement> StatusJson()
    {
        var status = await Run("status", "shop", "--json");
        return JsonDocument.Parse(status.Stdout).RootElement.GetProperty("sites")[0];
    }

    private sealed record Answer(long StartedAt, string Slot);

    [Fact]
    public async Task Steps_of_10_and_50_then_apply_share_2000_requests_under_load_as_the_weights_say()
    {
        var answers = new ConcurrentQueue<Answer>();
        using var stop = new CancellationTokenSource();
        var loops = Enumerable.Range(0, 4).Select(_ => Task.Run(() => LoadAsync(answers, stop.Token))).ToList();
        var windows = new List<(long From, long To, int Expected)>();
        try
        {
            foreach (var (args, expected) in new[] { (new[] { "apply", "shop", "--weight", "10", "--yes" }, 10), (["apply", "shop", "--weight", "50", "--yes"], 50), (["apply", "shop", "--yes"], 100) })
            {
                await Succeeds(args); // verified through the router's API: it serves the new weights
                var from = Stopwatch.GetTimestamp();
                await Poll.UntilAsync(() => answers.Count(a => a.StartedAt > from) >= 2000, "2,000 answers after the step", TimeSpan.FromSeconds(120));
                windows.Add((from, Stopwatch.GetTimestamp(), expected));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(loops);
        }

        Assert.Empty(answers.Where(a => a.Slot is not ("a" or "b")).Select(a => a.Slot));
        foreach (var (from, to, expected) in windows)
        {
            var window = answers.Where(a => a.StartedAt > from && a.StartedAt < to).ToList();
            var share = 100.0 * window.Count(a => a.Slot == "b") / window.Count;
            Assert.True(Math.Abs(share - expected) <= 5, $"step {expected}: slot b got {share:0.0} % of {window.Count} requests");
        }

        var journal = await Succeeds("journal", "shop", "--json");
        var messages = JsonDocument.Parse(journal.Stdout).RootElement.EnumerateArray()
            .Where(e => e.GetProperty("action").GetString() == "apply" && e.GetProperty("outcome").GetString() == "succeeded")
            .Select(e => e.GetProperty("message").GetString()).ToList();
        Assert.Contains(messages, m => m!.Contains("slot a (v1) 90 %, slot b (v2) 10 %", StringComparison.Ordinal));
        Assert.Contains(messages, m => m!.Contains("slot a (v1) 50 %, slot b (v2) 50 %", StringComparison.Ordinal));
        Assert.Equal("b", (await StatusJson()).GetProperty("live").GetProperty("slot").GetString());
        Assert.Empty(RoutingSchema.Validate(File.ReadAllText(Home.RoutingFile("shop"))));
    }

    private async Task LoadAsync(ConcurrentQueue<Answer> answers, CancellationToken stop)
    {
        using var client = Client(cookies: false); // no cookie: every request is the weighted round robin's to place
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                answers.Enqueue(new Answer(started, await SlotAnswering(client)));
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                answers.Enqueue(new Answer(started, $"{e.GetType().Name}: {e.Message}"));
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    [Fact]
    public async Task During_a_split_status_shows_it_deploy_is_refused_the_cookie_sticks_and_rollback_returns_everyone_to_slot_a()
    {
        await Succeeds("apply", "shop", "--weight", "50", "--yes");

        var status = await StatusJson();
        var split = status.GetProperty("split");
        Assert.Equal(("a", 50, "b", 50), (split.GetProperty("live").GetString(), split.GetProperty("live_percent").GetInt32(), split.GetProperty("candidate").GetString(), split.GetProperty("candidate_percent").GetInt32()));
        Assert.Equal("a", status.GetProperty("live").GetProperty("slot").GetString());
        Assert.Equal("splitting", status.GetProperty("router").GetProperty("finding").GetString());
        var text = await Run("status", "shop");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("SPLIT: a 50 % / b 50 %", text.Stdout);

        var deploy = await Run("deploy", "shop", "--version", "v3");
        Assert.True(deploy.ExitCode == 3, deploy.ToString());
        Assert.Contains("deploy shop refused: slot b carries users: shop is mid-split", deploy.Stderr);
        var journal = JsonDocument.Parse((await Succeeds("journal", "shop", "--json")).Stdout).RootElement.EnumerateArray().Last();
        Assert.Equal(("deploy", "refused"), (journal.GetProperty("action").GetString(), journal.GetProperty("outcome").GetString()));
        Assert.Equal("v2", (await StatusJson()).GetProperty("candidate").GetProperty("version").GetString());

        // A client with cookies stays on the slot of its first answer; 50/50 would otherwise alternate. The one kept
        // is a client whose first answer came from slot b: after the rollback its cookie names the slot left.
        HttpClient? sticky = null;
        for (var tries = 0; tries < 20 && sticky is null; tries++)
        {
            var client = Client(cookies: true);
            if (await SlotAnswering(client) == "b")
            {
                sticky = client;
            }
            else
            {
                client.Dispose();
            }
        }

        Assert.NotNull(sticky);
        using var onB = sticky;
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal("b", await SlotAnswering(onB));
        }

        await Succeeds("rollback", "shop", "--yes");
        using var plain = Client(cookies: false);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal("a", await SlotAnswering(plain));
            Assert.Equal("a", await SlotAnswering(onB)); // its cookie names slot b, which has no weight any more
        }

        var after = await StatusJson();
        Assert.False(after.TryGetProperty("split", out _));
        Assert.Equal("a", after.GetProperty("live").GetProperty("slot").GetString());
        Assert.Empty(RoutingSchema.Validate(File.ReadAllText(Home.RoutingFile("shop"))));
        Assert.DoesNotContain("sticky", File.ReadAllText(Home.RoutingFile("shop")));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100")]
    [InlineData("ten")]
    [InlineData("12.5")]
    public async Task A_bad_weight_is_a_one_line_usage_error_naming_weight(string weight)
    {
        var result = await Run("apply", "shop", "--weight", weight, "--yes");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"--weight: '{weight}' is not a whole number from 1 to 99", result.Stderr);
        Assert.DoesNotContain("   at ", result.All);
    }
}
