using System.Net.Sockets;
using System.Text;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Notifications;

namespace BlueGreen.Infrastructure.Notifications;

/// <summary>
/// Posts journaled switch results to NOTIFY_URLS (docs/notifications.md). <see cref="Send"/> starts at once and
/// returns at once: the command goes on (a post-hook, the lock's release) while the posts run, every URL in
/// parallel, retried on a connection error or a 5xx/408/429 until NOTIFY_TIMEOUT after the start. Each failure
/// is one line of var/log/notify.log. Nothing here throws, and no signal is watched: a notification can
/// neither delay a switch past NOTIFY_TIMEOUT nor change its outcome.
/// </summary>
/// <param name="NotLogged">Why notify.log could not record it (null: it did).</param>
public sealed record UnsentNotification(NotifyFailure Failure, string? NotLogged);

public sealed class JournalNotifier(Home home, GlobalConfig global, HttpClient http, TimeProvider clock)
{
    /// <summary>How long past NOTIFY_TIMEOUT the wait for the posts goes on, should a post not honour its deadline.</summary>
    private static readonly TimeSpan Backstop = TimeSpan.FromSeconds(1);

    // notify.log is appended by concurrent posts (and by other commands: each line is one append).
    private static readonly Lock LogLock = new();

    private readonly Lock _lock = new();
    private readonly List<Task<IReadOnlyList<UnsentNotification>>> _sending = [];

    public IReadOnlyList<Uri> Urls { get; } = global.NotifyUrlList;

    /// <summary>Starts posting the entry if it is one that is notified; never waits.</summary>
    public void Send(JournalEntry entry)
    {
        if (Urls.Count == 0 || !Notification.Notifies(entry))
        {
            return;
        }

        var sending = Task.Run(() => SendAsync(entry));
        lock (_lock)
        {
            _sending.Add(sending);
        }
    }

    /// <summary>
    /// Waits for the posts started so far (each ends by its NOTIFY_TIMEOUT, and this wait a moment after that
    /// whatever a post does) and says which failed. Never throws.
    /// </summary>
    public async Task<IReadOnlyList<UnsentNotification>> WhenSentAsync()
    {
        Task<IReadOnlyList<UnsentNotification>>[] all;
        lock (_lock)
        {
            all = [.. _sending];
            _sending.Clear();
        }

        try
        {
            await Task.WhenAll(all).WaitAsync(global.NotifyTimeout + Backstop, clock);
        }
        catch (Exception)
        {
            // A post past its deadline or one that failed in an unforeseen way: reported below, never thrown.
        }

        return all.SelectMany(sending => sending.IsCompletedSuccessfully ? sending.Result
            : [new UnsentNotification(new NotifyFailure(clock.GetUtcNow(), "(notifier)", 0, sending.IsFaulted ? sending.Exception!.GetBaseException().Message : "still posting past NOTIFY_TIMEOUT: abandoned"), "not a post's own failure")]).ToList();
    }

    private async Task<IReadOnlyList<UnsentNotification>> SendAsync(JournalEntry entry)
    {
        var body = Notification.Body(entry, global.NotifyFormat);
        using var deadline = new CancellationTokenSource(global.NotifyTimeout, clock);
        var causes = await Task.WhenAll(Urls.Select(url => PostAsync(url, body, deadline.Token)));
        var failures = new List<UnsentNotification>();
        for (var i = 0; i < Urls.Count; i++)
        {
            if (causes[i] is { } cause)
            {
                // To the millisecond, as the log line keeps it: what is reported is what status reads back.
                var now = clock.GetUtcNow();
                var failure = new NotifyFailure(now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond)), Notification.Display(Urls[i]), entry.Seq, cause);
                failures.Add(new UnsentNotification(failure, Log(failure)));
            }
        }

        return failures;
    }

    /// <summary>Null when the receiver answered 2xx; otherwise why not (the last answer or error, and the attempts).</summary>
    private async Task<string?> PostAsync(Uri url, string body, CancellationToken deadline)
    {
        var attempts = 0;
        string? cause = null;
        while (true)
        {
            attempts++;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline);
                if (response.IsSuccessStatusCode)
                {
                    return null;
                }

                cause = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
                if (!Notification.IsRetryable(response.StatusCode))
                {
                    return $"{cause} (not retried)";
                }
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                // The deadline came during an attempt: the one before it (if any) says more than "timed out".
                return GaveUp(cause, attempts);
            }
            catch (HttpRequestException e)
            {
                cause = e.InnerException is SocketException s ? $"{e.Message} ({s.SocketErrorCode})" : e.Message;
            }
            catch (Exception e)
            {
                // Nothing a receiver does may reach the switch: anything else is this notification's failure.
                return e.Message;
            }

            try
            {
                await Task.Delay(Notification.Backoff(attempts), clock, deadline);
            }
            catch (OperationCanceledException)
            {
                return GaveUp(cause, attempts);
            }
        }
    }

    private string GaveUp(string? cause, int attempts)
    {
        var tries = $"{attempts} attempt{(attempts == 1 ? "" : "s")}";
        return cause is null
            ? $"timed out after {Duration.Format(global.NotifyTimeout)} (NOTIFY_TIMEOUT), {tries}"
            : $"{cause}; gave up at NOTIFY_TIMEOUT ({Duration.Format(global.NotifyTimeout)}) after {tries}";
    }

    /// <summary>Appends the failure to notify.log; null when written, else why not (the command says so, and goes on).</summary>
    private string? Log(NotifyFailure failure)
    {
        try
        {
            lock (LogLock)
            {
                Directory.CreateDirectory(home.LogDir);
                File.AppendAllText(home.NotifyLog, failure.Format() + "\n");
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    /// <summary>The newest failure in notify.log (null when there is none): what `status` shows.</summary>
    public static NotifyFailure? LastFailure(Home home)
    {
        try
        {
            using var stream = new FileStream(home.NotifyLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            const int Tail = 16 * 1024;
            stream.Seek(Math.Max(0, stream.Length - Tail), SeekOrigin.Begin);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return lines.Reverse().Select(NotifyFailure.Parse).FirstOrDefault(f => f is not null);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
