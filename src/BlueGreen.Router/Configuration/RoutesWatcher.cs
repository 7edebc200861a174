using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Router.Configuration;

/// <summary>
/// Drives reloads: a FileSystemWatcher for speed, plus a periodic rescan (size + mtime) as a safety net
/// for missed events. One loop runs every scan, so the loader needs no lock.
/// </summary>
internal sealed class RoutesWatcher : IAsyncDisposable
{
    // Coalesces the burst of events one write makes; small, since a switch should be live well under 100 ms.
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan RescanInterval = TimeSpan.FromSeconds(1);

    private readonly RoutesLoader _loader;
    private readonly ILogger<RoutesWatcher> _logger;
    private readonly TimeProvider _time;
    private readonly Channel<bool> _signals = Channel.CreateUnbounded<bool>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly FileSystemWatcher _watcher;
    private readonly Task _loop;
    private readonly Task _ticker;

    public RoutesWatcher(RoutesLoader loader, ILogger<RoutesWatcher> logger, TimeProvider time)
    {
        _loader = loader;
        _logger = logger;
        _time = time;
        _watcher = new FileSystemWatcher(loader.Directory)
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Created += OnChange;
        _watcher.Changed += OnChange;
        _watcher.Deleted += OnChange;
        _watcher.Renamed += OnChange;
        _watcher.Error += (_, e) => Signal(reread: true);
        try
        {
            _watcher.EnableRaisingEvents = true;
        }
        catch (IOException e)
        {
            // e.g. the inotify limit is reached: the periodic rescan still reloads, only slower.
            RouterLog.CannotWatch(logger, loader.Directory, e.Message, (int)RescanInterval.TotalSeconds);
        }
        _loop = Task.Run(RunAsync);
        _ticker = Task.Run(TickAsync);
    }

    private void OnChange(object sender, FileSystemEventArgs e) => Signal(reread: true);

    private void Signal(bool reread) => _signals.Writer.TryWrite(reread);

    private async Task TickAsync()
    {
        using var timer = new PeriodicTimer(RescanInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Signal(reread: false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunAsync()
    {
        var reader = _signals.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token))
            {
                var reread = false;
                while (reader.TryRead(out var r))
                {
                    reread |= r;
                }

                if (reread)
                {
                    await Task.Delay(Debounce, _time, _stop.Token);
                    while (reader.TryRead(out _))
                    {
                    }
                }

                ScanSafely(reread);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void ScanSafely(bool reread)
    {
        try
        {
            _loader.Scan(reread);
        }
        catch (Exception e)
        {
            // A reload must never kill the router: the current snapshot keeps serving.
            RouterLog.ReloadFailed(_logger, e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _watcher.EnableRaisingEvents = false;
        _watcher.Dispose();
        await _stop.CancelAsync();
        await Task.WhenAll(_loop, _ticker);
        _stop.Dispose();
    }
}
