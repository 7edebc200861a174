using System.Diagnostics;
using BlueGreen.Infrastructure.Net;

namespace BlueGreen.Cli.Demo;

/// <summary>
/// Continuous traffic through the router (or each of several routers) while it switches: some clients keep their
/// connection alive, others open a new one per request, the same mix for every target. Bounded in time and count;
/// it stops by itself.
/// </summary>
public sealed class LoadGenerator : IAsyncDisposable
{
    private static readonly TimeSpan DefaultMaxDuration = TimeSpan.FromMinutes(2);
    private const long MaxRequests = 2_000_000;

    private readonly CancellationTokenSource _stop;
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
    /// <param name="maxDuration">When it stops by itself if nobody disposed of it.</param>
    public LoadGenerator(IReadOnlyList<Uri> targets, int keepAliveClients, int newConnectionClients, TimeSpan maxDuration)
    {
        _stop = new CancellationTokenSource(maxDuration);
        _sentTo = new long[targets.Count];
        _failedAt = new long[targets.Count];
        for (var t = 0; t < targets.Count; t++)
        {
            for (var i = 0; i < keepAliveClients + newConnectionClients; i++)
            {
                var (target, keepAlive) = (t, i < keepAliveClients);
                var client = HttpClients.Create(keepAlive, TimeSpan.FromSeconds(10));
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
        while (!_stop.IsCancellationRequested && Interlocked.Increment(ref _sent) <= MaxRequests)
        {
            Interlocked.Increment(ref _sentTo[index]);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, target);
                request.Headers.ConnectionClose = !keepAlive;
                using var response = await client.SendAsync(request, _stop.Token);
                var body = await response.Content.ReadAsStringAsync(_stop.Token);
                if (!response.IsSuccessStatusCode)
                {
                    Fail(index, $"{Named(target)}HTTP {(int)response.StatusCode}: {body.Trim()}");
                    continue;
                }

                Record(body);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // cut short by the stop, not a failure
                Interlocked.Decrement(ref _sent);
                Interlocked.Decrement(ref _sentTo[index]);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
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

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _stop.Dispose();
    }
}
