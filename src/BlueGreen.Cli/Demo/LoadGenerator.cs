using System.Diagnostics;
using BlueGreen.Infrastructure.Net;

namespace BlueGreen.Cli.Demo;

/// <summary>
/// Continuous traffic through the router (or each of several routers) while it switches: some clients keep their
/// connection alive, others open a new one per request, the same mix for every target. Bounded in time and count;
/// it stops sending by itself. Read the counters after <see cref="StopAsync"/>: until then a request may be in flight,
/// counted as sent but not yet as failed.
/// </summary>
public sealed class LoadGenerator : IAsyncDisposable
{
    /// <summary>
    /// How long <see cref="StopAsync"/> waits for the requests in flight: longer than a request's own timeout (10 s),
    /// so that in practice each ends by itself, answered or failed.
    /// </summary>
    public static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan DefaultMaxDuration = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private const long MaxRequests = 2_000_000;

    /// <summary>No new request after it fires (a stop, or the maximum duration); those in flight go on.</summary>
    private readonly CancellationTokenSource _stopSending;

    /// <summary>Cuts the requests still in flight at the stop's deadline: each counts as failed.</summary>
    private readonly CancellationTokenSource _abandon = new();
    private readonly SemaphoreSlim _stopping = new(1, 1);
    private readonly List<Task> _loops = [];
    private readonly List<HttpClient> _clients = [];
    private readonly Dictionary<string, long> _firstSeen = [];
    private readonly List<string> _failures = [];
    private readonly long[] _sentTo;
    private readonly long[] _failedAt;
    private long _sent;
    private long _failed;
    private int _disposed;

    public LoadGenerator(Uri target, int keepAliveClients = 4, int newConnectionClients = 2)
        : this([target], keepAliveClients, newConnectionClients, DefaultMaxDuration)
    {
    }

    /// <param name="targets">Each gets <paramref name="keepAliveClients"/> + <paramref name="newConnectionClients"/> clients.</param>
    /// <param name="maxDuration">When it stops sending by itself if nobody stopped it.</param>
    public LoadGenerator(IReadOnlyList<Uri> targets, int keepAliveClients, int newConnectionClients, TimeSpan maxDuration)
    {
        _stopSending = new CancellationTokenSource(maxDuration);
        _sentTo = new long[targets.Count];
        _failedAt = new long[targets.Count];
        for (var t = 0; t < targets.Count; t++)
        {
            for (var i = 0; i < keepAliveClients + newConnectionClients; i++)
            {
                var (target, keepAlive) = (t, i < keepAliveClients);
                var client = HttpClients.Create(keepAlive, RequestTimeout);
                _clients.Add(client);
                _loops.Add(Task.Run(() => LoopAsync(client, targets[target], target, keepAlive)));
            }
        }
    }

    public long Sent => Interlocked.Read(ref _sent);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The requests sent to the target at this index of the constructor's list.</summary>
    public long SentTo(int target) => Interlocked.Read(ref _sentTo[target]);

    /// <summary>The requests to the target at this index that failed.</summary>
    public long FailedAt(int target) => Interlocked.Read(ref _failedAt[target]);

    public IReadOnlyList<string> FailureSamples
    {
        get
        {
            lock (_failures)
            {
                return _failures.ToList();
            }
        }
    }

    /// <summary>The Stopwatch timestamp of the first response whose body contained <paramref name="marker"/>.</summary>
    public long? FirstSeen(string marker)
    {
        lock (_firstSeen)
        {
            return _firstSeen.TryGetValue(marker, out var at) ? at : null;
        }
    }

    /// <summary>Forget what was seen: FirstSeen then answers "first since now".</summary>
    public void ResetFirstSeen()
    {
        lock (_firstSeen)
        {
            _firstSeen.Clear();
        }
    }

    private async Task LoopAsync(HttpClient client, Uri target, int index, bool keepAlive)
    {
        while (!_stopSending.IsCancellationRequested && Interlocked.Read(ref _sent) < MaxRequests)
        {
            Interlocked.Increment(ref _sent);
            Interlocked.Increment(ref _sentTo[index]);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, target);
                request.Headers.ConnectionClose = !keepAlive;
                using var response = await client.SendAsync(request, _abandon.Token);
                var body = await response.Content.ReadAsStringAsync(_abandon.Token);
                if (!response.IsSuccessStatusCode)
                {
                    Fail(index, $"{Named(target)}HTTP {(int)response.StatusCode}: {body.Trim()}");
                    continue;
                }

                Record(body);
            }
            catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
            {
                // Sent and never answered: a request hung by the last switch is a failure, not a request left uncounted.
                Fail(index, $"{Named(target)}no answer by the load's stop deadline");
                return;
            }
            catch (Exception e)
            {
                // Whatever went wrong with a request is a failed request: an unexpected error must not end the loop
                // and come back out of the load's disposal in place of the step's own failure line.
                Fail(index, $"{Named(target)}{e.Message}");
            }
        }
    }

    private void Record(string body)
    {
        var at = body.IndexOf("version=", StringComparison.Ordinal);
        if (at < 0)
        {
            return;
        }

        var end = body.IndexOf(' ', at);
        var marker = end < 0 ? body[at..].Trim() : body[at..end];
        lock (_firstSeen)
        {
            _firstSeen.TryAdd(marker, Stopwatch.GetTimestamp());
        }
    }

    /// <summary>With several targets, a failure names its own.</summary>
    private string Named(Uri target) => _sentTo.Length > 1 ? $"{target}: " : "";

    private void Fail(int index, string why)
    {
        Interlocked.Increment(ref _failed);
        Interlocked.Increment(ref _failedAt[index]);
        lock (_failures)
        {
            if (_failures.Count < 5)
            {
                _failures.Add(why);
            }
        }
    }

    /// <summary>
    /// Stops sending and waits for every request in flight, up to <paramref name="deadline"/>; one still unanswered then
    /// is cut and counted as failed. Afterwards every request sent is counted: answered, or in <see cref="Failed"/>.
    /// </summary>
    public async Task StopAsync(TimeSpan deadline)
    {
        await _stopping.WaitAsync();
        try
        {
            await _stopSending.CancelAsync();
            var loops = Task.WhenAll(_loops);
            try
            {
                await loops.WaitAsync(deadline);
            }
            catch (TimeoutException)
            {
                await _abandon.CancelAsync();
                await loops;
            }
        }
        finally
        {
            _stopping.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await StopAsync(StopDeadline);
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _stopSending.Dispose();
        _abandon.Dispose();
        _stopping.Dispose();
    }
}
