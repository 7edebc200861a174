using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using BlueGreen.Testing;
using Microsoft.AspNetCore.Http;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// Notifications through run.sh against real receivers on 127.0.0.1 (docs/notifications.md): the journal entry as
/// posted, the Slack message, a receiver that hangs or refuses (the switch's exit code unchanged, notify.log and
/// status say so), a signal during the posts, a dry run, and a bad NOTIFY_URLS.
/// </summary>
public sealed class NotificationCliTests : TwoSlotHomeTest
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly List<SlotServer> _receivers = [];

    /// <summary>What a receiver was sent: body and content type, in order.</summary>
    private sealed record Posted(string Method, string Path, string ContentType, string Body);

    protected override async Task SetUpAsync()
    {
        Home.AddSite("shop", A.Url, B.Url);
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v1")).ExitCode);
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
    }

    protected override async Task TearDownAsync()
    {
        foreach (var receiver in _receivers)
        {
            await receiver.DisposeAsync();
        }
    }

    /// <summary>A receiver that records each request, then answers <paramref name="status"/> (or never, with <paramref name="hang"/>).</summary>
    private async Task<(Uri Url, ConcurrentQueue<Posted> Posts)> ReceiverAsync(int status = 200, bool hang = false)
    {
        var posts = new ConcurrentQueue<Posted>();
        var server = await SlotServer.StartAsync(async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
            posts.Enqueue(new Posted(context.Request.Method, context.Request.Path, context.Request.ContentType ?? "", body));
            if (hang)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }

            context.Response.StatusCode = status;
            await context.Response.WriteAsync("thanks", context.RequestAborted);
        });
        _receivers.Add(server);
        return (new Uri(server.Url, "/hook"), posts);
    }

    /// <summary>A URL on which nothing listens: the port was free a moment ago and is closed again.</summary>
    private static Uri ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/hook");
    }

    private void Notify(string urls, string extra = "") => Home.WriteGlobal($"ROUTER_API=\nNOTIFY_URLS={urls}\n{extra}");

    private string[] NotifyLog => File.Exists(Home.Path_("var", "log", "notify.log")) ? File.ReadAllLines(Home.Path_("var", "log", "notify.log")) : [];

    private string LastJournalLine => File.ReadAllLines(Home.JournalFile)[^1];

    [Fact]
    public async Task An_apply_and_a_refused_rollback_post_their_journal_entries_as_json_and_nothing_else_is_posted()
    {
        var (url, posts) = await ReceiverAsync();
        Notify(url.ToString());
        Assert.Equal(0, (await Run("deploy", "shop", "--version", "v1")).ExitCode);
        Assert.Equal(0, (await Run("validate", "shop")).ExitCode);
        Assert.Empty(posts);

        var apply = await Run("apply", "shop", "--yes");

        Assert.True(apply.ExitCode == 0, apply.ToString());
        var posted = Assert.Single(posts);
        Assert.Equal(("POST", "/hook", "application/json; charset=utf-8"), (posted.Method, posted.Path, posted.ContentType));
        Assert.Equal(LastJournalLine, posted.Body);
        var entry = JsonDocument.Parse(posted.Body).RootElement;
        var journal = File.ReadAllLines(Home.JournalFile);
        Assert.Equal(journal.Length, entry.GetProperty("seq").GetInt64());
        Assert.Equal("shop", entry.GetProperty("site").GetString());
        Assert.Equal("apply", entry.GetProperty("action").GetString());
        Assert.Equal("succeeded", entry.GetProperty("outcome").GetString());
        Assert.Equal(Environment.UserName, entry.GetProperty("actor").GetString()!.Split('@')[0]);
        Assert.False(entry.TryGetProperty("from", out _), "a first switch comes from no slot");
        Assert.Equal("a", entry.GetProperty("to").GetProperty("slot").GetString());
        Assert.Equal("v1", entry.GetProperty("to").GetProperty("version").GetString());
        Assert.StartsWith("shop now serves a (v1)", entry.GetProperty("message").GetString());
        Assert.Equal(64, entry.GetProperty("hash").GetString()!.Length);

        var rollback = await Run("rollback", "shop", "--yes");

        Assert.True(rollback.ExitCode == 3, rollback.ToString());
        Assert.Equal(2, posts.Count);
        var refused = JsonDocument.Parse(posts.Last().Body).RootElement;
        Assert.Equal(("rollback", "refused"), (refused.GetProperty("action").GetString(), refused.GetProperty("outcome").GetString()));
        Assert.Equal(LastJournalLine, posts.Last().Body);
        Assert.Empty(NotifyLog);
    }

    [Fact]
    public async Task With_slack_the_post_is_an_incoming_webhook_message_of_one_line()
    {
        var (url, posts) = await ReceiverAsync();
        Notify(url.ToString(), "NOTIFY_FORMAT=slack\n");

        var apply = await Run("apply", "shop", "--yes");

        Assert.True(apply.ExitCode == 0, apply.ToString());
        var posted = Assert.Single(posts);
        Assert.StartsWith("application/json", posted.ContentType);
        var message = JsonDocument.Parse(posted.Body).RootElement;
        Assert.Equal(["text"], message.EnumerateObject().Select(p => p.Name));
        var text = message.GetProperty("text").GetString()!;
        var seq = File.ReadAllLines(Home.JournalFile).Length;
        Assert.Matches(@"^shop: apply succeeded \(nothing → a \(v1\)\) by \S+@\S+ via cli: shop now serves a \(v1\) \(switch took \d+ ms\) \(journal seq " + seq + @"\)$", text);
    }

    [Fact]
    public async Task A_receiver_that_hangs_is_given_up_at_notify_timeout_and_the_switch_stands()
    {
        var (url, posts) = await ReceiverAsync(hang: true);
        Notify(url.ToString(), "NOTIFY_TIMEOUT=1s\n");
        var clock = Stopwatch.StartNew();

        var apply = await Run("apply", "shop", "--yes");

        // Without the cap the command would wait for the receiver for ever (CliRunner gives up after 120 s).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"apply took {clock.Elapsed}");
        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.NotEmpty(posts);
        var line = Assert.Single(NotifyLog);
        Assert.Contains($" seq={File.ReadAllLines(Home.JournalFile).Length} {url} timed out after 1s (NOTIFY_TIMEOUT)", line);
        Assert.Contains($"could not notify {url} of journal seq", apply.Stderr);
        var status = await Run("status");
        Assert.Contains($"notify: last failure ", status.Stdout);
        Assert.Contains($"{url}: timed out after 1s", status.Stdout);
    }

    [Fact]
    public async Task Receivers_that_refuse_or_answer_500_are_logged_shown_by_status_and_leave_the_exit_codes_alone()
    {
        var (url500, posts500) = await ReceiverAsync(status: 500);
        var closed = ClosedPort();
        // Long enough for a second attempt on a loaded machine: the 500 is retried until NOTIFY_TIMEOUT ends.
        Notify($"{closed},{url500}", "NOTIFY_TIMEOUT=3s\n");

        var apply = await Run("apply", "shop", "--yes");

        Assert.True(apply.ExitCode == 0, apply.ToString());
        var seq = File.ReadAllLines(Home.JournalFile).Length;
        Assert.True(posts500.Count >= 2, $"a 500 is retried while NOTIFY_TIMEOUT lasts: {posts500.Count} attempt(s)");
        Assert.Equal(2, NotifyLog.Length);
        Assert.Single(NotifyLog, l => l.Contains($" seq={seq} {closed} Connection refused", StringComparison.Ordinal));
        Assert.Single(NotifyLog, l => l.Contains($" seq={seq} {url500} HTTP 500 Internal Server Error; gave up at NOTIFY_TIMEOUT (3s)", StringComparison.Ordinal));

        // Nothing to roll back to after the first switch: refused (3) whatever the receivers do.
        var rollback = await Run("rollback", "shop", "--yes");

        Assert.True(rollback.ExitCode == 3, rollback.ToString());
        Assert.Equal(4, NotifyLog.Length);
        var status = await Run("status", "--json");
        var failure = JsonDocument.Parse(status.Stdout).RootElement.GetProperty("notify_last_failure");
        Assert.Equal(File.ReadAllLines(Home.JournalFile).Length, failure.GetProperty("seq").GetInt64());
        Assert.Contains(failure.GetProperty("url").GetString(), new[] { closed.ToString(), url500.ToString() });
        Assert.NotEmpty(failure.GetProperty("cause").GetString()!);
        var text = await Run("status");
        Assert.Equal(status.ExitCode, text.ExitCode);
        Assert.Contains($"notify: last failure ", text.Stdout);
    }

    [Fact]
    public async Task A_signal_while_notifications_are_posted_leaves_the_switch_done()
    {
        var arrived = new TaskCompletionSource();
        var server = await SlotServer.StartAsync(async context =>
        {
            arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        _receivers.Add(server);
        Notify(new Uri(server.Url, "/hook").ToString(), "NOTIFY_TIMEOUT=5s\n");

        using var apply = RunningCli.Start(Home.Root, "apply", "shop", "--yes");
        await arrived.Task.WaitAsync(Deadline);
        apply.Signal("INT");
        var code = await apply.WaitForExitAsync(Deadline);

        Assert.True(code == 0, apply.Output);
        Assert.Contains("shop: slot a (v1) is live", apply.Output);
        var outcome = JsonDocument.Parse(LastJournalLine).RootElement;
        Assert.Equal(("apply", "succeeded"), (outcome.GetProperty("action").GetString(), outcome.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task A_dry_run_names_the_urls_and_posts_nothing()
    {
        var (url, posts) = await ReceiverAsync();
        Notify($"{url},https://user:secret@hooks.example/services/T0/B0/x?token=abc");

        var dry = await Run("apply", "shop", "--yes", "--dry-run");

        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Contains($"would notify {url}, https://hooks.example/services/T0/B0/x (json; not sent: dry run)", dry.All);
        Assert.DoesNotContain("secret", dry.All);
        Assert.Empty(posts);
    }

    [Theory]
    [InlineData("NOTIFY_URLS=ftp://files.example/hook", "NOTIFY_URLS: 'ftp://files.example/hook' is not an absolute http:// or https:// URL (comma-separated)")]
    [InlineData("NOTIFY_URLS=hooks.example/x", "NOTIFY_URLS: 'hooks.example/x' is not an absolute http:// or https:// URL (comma-separated)")]
    [InlineData("NOTIFY_FORMAT=teams", "NOTIFY_FORMAT: 'teams' is not one of json, slack")]
    [InlineData("NOTIFY_TIMEOUT=soon", "NOTIFY_TIMEOUT: 'soon' is not a duration")]
    public async Task A_bad_notify_key_exits_2_with_one_line_naming_global_conf_and_its_line(string line, string message)
    {
        Home.WriteGlobal($"ROUTER_API=\n{line}\n");
        var journal = File.ReadAllBytes(Home.JournalFile);

        var apply = await Run("apply", "shop", "--yes");

        Assert.True(apply.ExitCode == 2, apply.ToString());
        var error = Assert.Single(apply.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains(message, StringComparison.Ordinal));
        Assert.Contains($"{Path.Combine("conf", "global.conf")}:2: {message}", error);
        Assert.DoesNotContain("   at ", apply.All);
        Assert.Equal(journal, File.ReadAllBytes(Home.JournalFile));
    }
}

/// <summary>With ROUTING_STORE=etcd a switch notifies the same way: the entry posted is the one in etcd's journal.</summary>
public sealed class NotificationEtcdTests() : TwoHostsOnEtcd("")
{
    [Fact]
    public async Task A_switch_on_etcd_posts_the_entry_etcd_journaled_and_a_dry_run_posts_nothing()
    {
        var posts = new ConcurrentQueue<string>();
        await using var receiver = await SlotServer.StartAsync(async context =>
        {
            posts.Enqueue(await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted));
            context.Response.StatusCode = 204;
        });
        var url = new Uri(receiver.Url, "/hook");
        Host1.WriteGlobal($"ROUTER_API=\nROUTING_STORE=etcd\nETCD_ENDPOINTS={Etcd.Endpoints}\nNOTIFY_URLS={url}\n");
        Assert.Equal(0, (await CliRunner.RunAsync(Host1.Root, "deploy", "shop", "--version", "v1")).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(Host1.Root, "validate", "shop")).ExitCode);

        var dry = await CliRunner.RunAsync(Host1.Root, "apply", "shop", "--yes", "--dry-run");

        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Contains($"would notify {url} (json; not sent: dry run)", dry.All);
        Assert.Empty(posts);

        var apply = await CliRunner.RunAsync(Host1.Root, "apply", "shop", "--yes");

        Assert.True(apply.ExitCode == 0, apply.ToString());
        var posted = Assert.Single(posts);
        var inEtcd = Etcd.ReadPrefix("bluegreen/journal/entries/").Values.Last();
        Assert.Equal(inEtcd, posted);
        var entry = JsonDocument.Parse(posted).RootElement;
        Assert.Equal(("apply", "succeeded", "a"), (entry.GetProperty("action").GetString(), entry.GetProperty("outcome").GetString(), entry.GetProperty("to").GetProperty("slot").GetString()));
    }
}
