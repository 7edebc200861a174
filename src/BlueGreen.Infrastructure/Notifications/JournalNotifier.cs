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
public sealed class JournalNotifier(Home home, GlobalConfig global, HttpClient http, TimeProvider clock)
{
    // notify.log is appended by concurrent posts (and by other commands: each line is one append).
    private static readonly Lock LogLock = new();

    private readonly Lock _lock = new();
    private readonly List<Task<IReadOnlyList<NotifyFailure>>> _sending = [];

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

    /// <summary>Waits for the posts started so far (each ends by its NOTIFY_TIMEOUT) and says which failed.</summary>
    public async Task<IReadOnlyList<NotifyFailure>> WhenSentAsync()
    {
        Task<IReadOnlyList<NotifyFailure>>[] all;
        lock (_lock)
        {
            all = [.. _sending];
            _sending.Clear();
        }

        return (await Task.WhenAll(all)).SelectMany(f => f).ToList();
    }

    private async Task<IReadOnlyList<NotifyFailure>> SendAsync(JournalEntry entry)
    {
        var body = Notification.Body(entry, global.NotifyFormat);
        using var deadline = new CancellationTokenSource(global.NotifyTimeout, clock);
        var causes = await Task.WhenAll(Urls.Select(url => PostAsync(url, body, deadline.Token)));
        var failures = new List<NotifyFailure>();
        for (var i = 0; i < Urls.Count; i++)
        {
            if (causes[i] is { } cause)
            {
                // To the millisecond, as the log line keeps it: what is reported is what status reads back.
                var now = clock.GetUtcNow();
                var failure = new NotifyFailure(now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond)), Notification.Display(Urls[i]), entry.Seq, cause);
                Log(failure);
                failures.Add(failure);
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

    private void Log(NotifyFailure failure)
    {
        try
        {
            lock (LogLock)
            {
                Directory.CreateDirectory(home.LogDir);
                File.AppendAllText(home.NotifyLog, failure.Format() + "\n");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The command still reports the failure itself; a log that cannot be written must not change the switch.
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
