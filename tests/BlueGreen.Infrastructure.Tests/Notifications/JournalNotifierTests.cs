using System.Collections.Concurrent;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Notifications;
using BlueGreen.Core.State;
using BlueGreen.Infrastructure.Net;
using BlueGreen.Infrastructure.Notifications;
using BlueGreen.Testing;
using Microsoft.AspNetCore.Http;

namespace BlueGreen.Infrastructure.Tests.Notifications;

/// <summary>The notifier against real receivers on 127.0.0.1: retries, what is not retried, notify.log and its reading.</summary>
public sealed class JournalNotifierTests : IAsyncLifetime
{
    private readonly TempHome _home = new();
    private readonly List<SlotServer> _receivers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var receiver in _receivers)
        {
            await receiver.DisposeAsync();
        }

        _home.Dispose();
    }

    private static JournalEntry Entry(long seq, string action = JournalAction.Apply, string outcome = JournalOutcome.Succeeded) =>
        JournalChain.Seal(new JournalEntry { Site = "shop", Action = action, Outcome = outcome, Actor = "ops@host", To = new SlotVersion("b", "v2"), Message = "m" }, seq, JournalChain.GenesisHash).Sealed;

    /// <summary>A receiver answering the statuses in turn (the last one from then on), counting the posts.</summary>
    private async Task<(Uri Url, ConcurrentQueue<string> Posts)> ReceiverAsync(params int[] statuses)
    {
        var posts = new ConcurrentQueue<string>();
        var server = await SlotServer.StartAsync(async context =>
        {
            posts.Enqueue(await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted));
            context.Response.StatusCode = statuses[Math.Min(posts.Count, statuses.Length) - 1];
        });
        _receivers.Add(server);
        return (new Uri(server.Url, "/hook"), posts);
    }

    private JournalNotifier Notifier(string urls, string timeout = "10s")
    {
        var (global, errors) = GlobalConfig.Parse("global.conf", $"NOTIFY_URLS={urls}\nNOTIFY_TIMEOUT={timeout}\n");
        Assert.Empty(errors);
        return new JournalNotifier(Home.At(_home.Root), global, HttpClients.Shared, TimeProvider.System);
    }

    [Fact]
    public async Task A_503_then_a_200_is_a_delivery_after_a_retry_and_nothing_is_logged()
    {
        var (url, posts) = await ReceiverAsync(503, 200);
        var notifier = Notifier(url.ToString());

        notifier.Send(Entry(3));
        var failures = await notifier.WhenSentAsync();

        Assert.Empty(failures);
        Assert.Equal(2, posts.Count);
        Assert.All(posts, p => Assert.Equal(Notification.Body(Entry(3), NotifyFormat.Json), p));
        Assert.False(File.Exists(Home.At(_home.Root).NotifyLog));
        Assert.Null(JournalNotifier.LastFailure(Home.At(_home.Root)));
    }

    [Fact]
    public async Task A_400_is_not_retried_and_is_logged_as_the_last_failure()
    {
        var (url, posts) = await ReceiverAsync(400);
        var notifier = Notifier(url.ToString());

        notifier.Send(Entry(5, JournalAction.Rollback, JournalOutcome.Refused));
        var (failure, notLogged) = Assert.Single(await notifier.WhenSentAsync());
        Assert.Null(notLogged);

        Assert.Single(posts);
        Assert.Equal((url.ToString(), 5L, "HTTP 400 Bad Request (not retried)"), (failure.Url, failure.Seq, failure.Cause));
        Assert.Equal(failure.Format(), Assert.Single(File.ReadAllLines(Home.At(_home.Root).NotifyLog)));
        Assert.Equal(failure, JournalNotifier.LastFailure(Home.At(_home.Root)));
    }

    [Fact]
    public async Task A_failure_notify_log_cannot_record_says_why_instead_of_claiming_it_was_logged()
    {
        var (url, _) = await ReceiverAsync(400);
        var notifier = Notifier(url.ToString());
        var logDir = Home.At(_home.Root).LogDir;
        Directory.CreateDirectory(Path.GetDirectoryName(logDir)!);
        File.WriteAllText(logDir, "a file where var/log should be"); // even root cannot make a folder there

        notifier.Send(Entry(6));
        var (failure, notLogged) = Assert.Single(await notifier.WhenSentAsync());

        Assert.Equal("HTTP 400 Bad Request (not retried)", failure.Cause);
        Assert.NotNull(notLogged);
    }

    [Fact]
    public async Task Entries_that_are_not_switch_results_are_not_posted()
    {
        var (url, posts) = await ReceiverAsync(200);
        var notifier = Notifier(url.ToString());

        notifier.Send(Entry(1, JournalAction.Apply, JournalOutcome.Started));
        notifier.Send(Entry(2, JournalAction.Deploy, JournalOutcome.Succeeded));
        notifier.Send(Entry(3, JournalAction.Apply, JournalOutcome.DryRun));
        await notifier.WhenSentAsync();

        Assert.Empty(posts);
    }

    [Fact]
    public async Task The_newest_readable_line_of_notify_log_is_the_last_failure()
    {
        var home = Home.At(_home.Root);
        Directory.CreateDirectory(home.LogDir);
        var older = new NotifyFailure(DateTimeOffset.Parse("2026-11-29T10:00:00Z"), "http://a.example/x", 1, "HTTP 500");
        var newer = new NotifyFailure(DateTimeOffset.Parse("2026-11-29T11:00:00Z"), "http://b.example/y", 2, "timed out");
        File.WriteAllText(home.NotifyLog, $"{older.Format()}\n{newer.Format()}\ntorn li");

        Assert.Equal(newer, JournalNotifier.LastFailure(home));
    }
}
