using System.Diagnostics;
using BlueGreen.Infrastructure.Net;

namespace BlueGreen.Cli.Demo;

/// <summary>
/// Continuous traffic through the router while it switches: some clients keep their connection
/// alive, others open a new one per request. Bounded in time and count; it stops by itself.
/// </summary>
public sealed class LoadGenerator : IAsyncDisposable
{
    private static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(2);
    private const long MaxRequests = 2_000_000;

    private readonly CancellationTokenSource _stop = new(MaxDuration);
    private readonly List<Task> _loops = [];
    private readonly List<HttpClient> _clients = [];
    private readonly Dictionary<string, long> _firstSeen = [];
    private readonly List<string> _failures = [];
    private long _sent;
    private long _failed;
    private int _disposed;

    public LoadGenerator(Uri target, int keepAliveClients = 4, int newConnectionClients = 2)
    {
        for (var i = 0; i < keepAliveClients + newConnectionClients; i++)
        {
            var keepAlive = i < keepAliveClients;
            var client = HttpClients.Create(keepAlive, TimeSpan.FromSeconds(10));
            _clients.Add(client);
            _loops.Add(Task.Run(() => LoopAsync(client, target, keepAlive)));
        }
    }

    public long Sent => Interlocked.Read(ref _sent);

    public long Failed => Interlocked.Read(ref _failed);

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

    private async Task LoopAsync(HttpClient client, Uri target, bool keepAlive)
    {
        while (!_stop.IsCancellationRequested && Interlocked.Increment(ref _sent) <= MaxRequests)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, target);
                request.Headers.ConnectionClose = !keepAlive;
                using var response = await client.SendAsync(request, _stop.Token);
                var body = await response.Content.ReadAsStringAsync(_stop.Token);
                if (!response.IsSuccessStatusCode)
                {
                    Fail($"HTTP {(int)response.StatusCode}: {body.Trim()}");
                    continue;
                }

                Record(body);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                Interlocked.Decrement(ref _sent); // cut short by the stop, not a failure
                return;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                Fail(e.Message);
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

    private void Fail(string why)
    {
        Interlocked.Increment(ref _failed);
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
