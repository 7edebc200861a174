using System.Globalization;
using System.Net;
using BlueGreen.Core.Journal;

namespace BlueGreen.Core.Notifications;

/// <summary>NOTIFY_FORMAT: the journal entry as it is (json), or a Slack incoming-webhook message (slack).</summary>
public enum NotifyFormat
{
    Json,
    Slack,
}

/// <summary>A Slack incoming-webhook message: the one field every webhook accepts (api.slack.com/messaging/webhooks).</summary>
public sealed record SlackMessage(string Text);

/// <summary>
/// Which journal entries are notified, and what is posted for them (docs/notifications.md). Pure: the sending
/// is <c>Infrastructure.Notifications.JournalNotifier</c>'s.
/// </summary>
public static class Notification
{
    /// <summary>
    /// A switch's result: the outcome of apply or rollback (succeeded, failed, refused, interrupted — the last also
    /// when a later command's recovery records it) and a failed POST_SWITCH_CMD. Never a `started` line (an outcome
    /// or recovery always follows it) nor a dry run (it changes nothing); other commands are not notified.
    /// </summary>
    public static bool Notifies(JournalEntry entry) =>
        entry.Action is JournalAction.Apply or JournalAction.Rollback or JournalAction.PostSwitchHook
        && entry.Outcome is JournalOutcome.Succeeded or JournalOutcome.Failed or JournalOutcome.Refused or JournalOutcome.Interrupted;

    /// <summary>The actions a dry run says it would notify about.</summary>
    public static bool IsSwitchAction(string action) => action is JournalAction.Apply or JournalAction.Rollback;

    /// <summary>What is posted: with json the journal line itself (the same bytes, so a receiver can check its hash), with slack a message.</summary>
    public static string Body(JournalEntry entry, NotifyFormat format) => format switch
    {
        NotifyFormat.Slack => Json.Serialize(new SlackMessage(SlackText(entry)), Json.Options),
        _ => Json.Serialize(entry, Json.Options),
    };

    /// <summary>One readable line (the message's lines joined); &amp;, &lt; and &gt; escaped as Slack asks of message text.</summary>
    public static string SlackText(JournalEntry entry)
    {
        var from = entry.From?.ToString() ?? "nothing";
        var to = entry.To?.ToString() ?? "?";
        var message = string.Join(' ', entry.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
        var line = $"{entry.Site ?? "-"}: {entry.Action} {entry.Outcome} ({from} → {to}) by {entry.Actor} via {entry.Via}: {message} (journal seq {entry.Seq})";
        return line.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
    }

    /// <summary>An answer worth trying again while time remains: the receiver's trouble, not the request's.</summary>
    public static bool IsRetryable(HttpStatusCode status) => (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1 (attempt counts from 1): 100 ms, doubling, at most 1 s.</summary>
    public static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(1000, 100 * Math.Pow(2, Math.Max(0, attempt - 1))));

    /// <summary>
    /// A URL as notify.log and status show it: without user information and query, which often hold credentials.
    /// (A Slack webhook's secret is its path: keep var/log as private as conf.)
    /// </summary>
    public static string Display(Uri url) => url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
}

/// <summary>One line of var/log/notify.log: <c>TIME seq=SEQ URL CAUSE</c>, one per notification that failed.</summary>
public sealed record NotifyFailure(DateTimeOffset Time, string Url, long Seq, string Cause)
{
    public string Format() =>
        $"{Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)} seq={Seq} {Url} {OneLine(Cause)}";

    /// <summary>Null for a line that is not one (a torn or foreign line is skipped, never guessed at).</summary>
    public static NotifyFailure? Parse(string line)
    {
        var parts = line.Split(' ', 4);
        if (parts.Length < 4
            || !DateTimeOffset.TryParseExact(parts[0], "yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            || !parts[1].StartsWith("seq=", StringComparison.Ordinal)
            || !long.TryParse(parts[1].AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            || !Uri.TryCreate(parts[2], UriKind.Absolute, out _))
        {
            return null;
        }

        return new NotifyFailure(time, parts[2], seq, parts[3]);
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}
