using System.Net;
using System.Text.Json;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Notifications;
using BlueGreen.Core.State;

namespace BlueGreen.Core.Tests.Notifications;

public sealed class NotificationTests
{
    private static JournalEntry Sealed(string action = JournalAction.Apply, string outcome = JournalOutcome.Succeeded, string message = "shop now serves b (v2) (switch took 12 ms)")
    {
        var entry = new JournalEntry
        {
            Time = "2026-11-29T10:00:00.000Z",
            Site = "shop",
            Action = action,
            Outcome = outcome,
            Actor = "ops@host",
            From = new SlotVersion("a", "v1"),
            To = new SlotVersion("b", "v2"),
            Message = message,
            Ref = 6,
        };
        return JournalChain.Seal(entry, 7, JournalChain.GenesisHash).Sealed;
    }

    [Theory]
    [InlineData(JournalAction.Apply, JournalOutcome.Succeeded, true)]
    [InlineData(JournalAction.Apply, JournalOutcome.Failed, true)]
    [InlineData(JournalAction.Apply, JournalOutcome.Refused, true)]
    [InlineData(JournalAction.Apply, JournalOutcome.Interrupted, true)]
    [InlineData(JournalAction.Rollback, JournalOutcome.Succeeded, true)]
    [InlineData(JournalAction.Rollback, JournalOutcome.Refused, true)]
    [InlineData(JournalAction.PostSwitchHook, JournalOutcome.Failed, true)]
    [InlineData(JournalAction.Apply, JournalOutcome.Started, false)]
    [InlineData(JournalAction.Apply, JournalOutcome.DryRun, false)]
    [InlineData(JournalAction.Rollback, JournalOutcome.DryRun, false)]
    [InlineData(JournalAction.Deploy, JournalOutcome.Failed, false)]
    [InlineData(JournalAction.Validate, JournalOutcome.Refused, false)]
    [InlineData(JournalAction.Recover, JournalOutcome.Succeeded, false)]
    public void Switch_results_are_notified_and_nothing_else(string action, string outcome, bool notified) =>
        Assert.Equal(notified, Notification.Notifies(new JournalEntry { Action = action, Outcome = outcome }));

    [Fact]
    public void The_json_body_is_the_journal_line_itself()
    {
        var entry = new JournalEntry
        {
            Time = "2026-11-29T10:00:00.000Z", Site = "shop", Action = JournalAction.Rollback, Outcome = JournalOutcome.Succeeded, Actor = "ops@host",
            From = new SlotVersion("b", "v2"), To = new SlotVersion("a", "v1"), Message = "shop now serves a (v1) — <ok> & \"done\"",
        };
        var (line, sealedEntry) = JournalChain.Seal(entry, 12, JournalChain.GenesisHash);

        var body = Notification.Body(sealedEntry, NotifyFormat.Json);

        Assert.Equal(line, body);
        var root = JsonDocument.Parse(body).RootElement;
        Assert.Equal(12, root.GetProperty("seq").GetInt64());
        Assert.Equal("shop", root.GetProperty("site").GetString());
        Assert.Equal("rollback", root.GetProperty("action").GetString());
        Assert.Equal("succeeded", root.GetProperty("outcome").GetString());
        Assert.Equal("ops@host", root.GetProperty("actor").GetString());
        Assert.Equal("b", root.GetProperty("from").GetProperty("slot").GetString());
        Assert.Equal("v2", root.GetProperty("from").GetProperty("version").GetString());
        Assert.Equal("a", root.GetProperty("to").GetProperty("slot").GetString());
        Assert.Equal("v1", root.GetProperty("to").GetProperty("version").GetString());
        Assert.Equal(entry.Message, root.GetProperty("message").GetString());
        Assert.Equal(sealedEntry.Hash, root.GetProperty("hash").GetString());
        Assert.Equal(JournalChain.HashOf(body[..body.IndexOf(",\"hash\":", StringComparison.Ordinal)] + "}"), root.GetProperty("hash").GetString());
    }

    [Fact]
    public void The_slack_body_is_one_text_field_with_one_readable_escaped_line()
    {
        var body = Notification.Body(Sealed(JournalAction.Apply, JournalOutcome.Refused, "the candidate b (v2) fails <health> & more\nsecond line"), NotifyFormat.Slack);

        var root = JsonDocument.Parse(body).RootElement;
        Assert.Equal(["text"], root.EnumerateObject().Select(p => p.Name));
        var text = root.GetProperty("text").GetString()!;
        Assert.Equal("shop: apply refused (a (v1) → b (v2)) by ops@host via cli: the candidate b (v2) fails &lt;health&gt; &amp; more second line (journal seq 7)", text);
    }

    [Fact]
    public void A_first_switch_says_it_came_from_nothing()
    {
        var text = Notification.SlackText(Sealed() with { From = null });

        Assert.StartsWith("shop: apply succeeded (nothing → b (v2)) by ops@host", text);
    }

    [Theory]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(400, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    public void Only_the_receivers_trouble_is_retried(int status, bool retried) =>
        Assert.Equal(retried, Notification.IsRetryable((HttpStatusCode)status));

    [Fact]
    public void The_backoff_doubles_from_100_ms_to_at_most_1_s() =>
        Assert.Equal([100, 200, 400, 800, 1000, 1000], Enumerable.Range(1, 6).Select(a => Notification.Backoff(a).TotalMilliseconds));

    [Theory]
    [InlineData("https://user:secret@hooks.example/services/T0/B0/x?token=abc", "https://hooks.example/services/T0/B0/x")]
    [InlineData("http://127.0.0.1:9000/hook", "http://127.0.0.1:9000/hook")]
    public void A_url_is_shown_without_user_information_or_query(string url, string shown) =>
        Assert.Equal(shown, Notification.Display(new Uri(url)));

    [Fact]
    public void A_notify_log_line_reads_back_as_written_on_one_line()
    {
        var failure = new NotifyFailure(new DateTimeOffset(2026, 11, 29, 10, 0, 1, 250, TimeSpan.Zero), "http://127.0.0.1:9/hook", 42, "HTTP 500 Internal Server Error\nsecond line");

        var line = failure.Format();

        Assert.Equal("2026-11-29T10:00:01.250Z seq=42 http://127.0.0.1:9/hook HTTP 500 Internal Server Error second line", line);
        Assert.Equal(failure with { Cause = "HTTP 500 Internal Server Error second line" }, NotifyFailure.Parse(line));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("2026-11-29T10:00:01.250Z seq=x http://a/ cause")]
    [InlineData("2026-11-29T10:00:01.250Z seq=1 not-a-url cause")]
    [InlineData("29/11/2026 seq=1 http://a/ cause")]
    [InlineData("2026-11-29T10:00:01.250Z seq=1 http://a/")]
    public void A_line_that_is_not_one_is_not_read(string line) => Assert.Null(NotifyFailure.Parse(line));
}
