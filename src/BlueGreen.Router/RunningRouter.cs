using System.Runtime.InteropServices;
using BlueGreen.Router.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Router;

/// <summary>A started embedded router. Dispose or <see cref="StopAsync"/> stops it gracefully.</summary>
public sealed class RunningRouter : IAsyncDisposable
{
    private readonly WebApplication _proxy;
    private readonly WebApplication? _api;
    private readonly IAsyncDisposable _watcher;
    private readonly HttpMessageInvoker _invoker;
    private readonly ILogger<RunningRouter> _logger;
    private readonly TaskCompletionSource _shutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenRegistration _ctRegistration;
    private readonly Lock _gate = new();
    private Task? _stopping;

    internal RunningRouter(WebApplication proxy, WebApplication? api, IAsyncDisposable watcher, HttpMessageInvoker invoker, ILogger<RunningRouter> logger, Uri proxyUrl, Uri? apiUrl, SnapshotHolder holder, CancellationToken ct)
    {
        _proxy = proxy;
        _api = api;
        _watcher = watcher;
        _invoker = invoker;
        _logger = logger;
        ProxyUrl = proxyUrl;
        ApiUrl = apiUrl;
        Snapshots = holder;
        _ctRegistration = ct.Register(() => _shutdown.TrySetResult());
    }

    /// <summary>The bound public entry point, e.g. http://127.0.0.1:8080/.</summary>
    public Uri ProxyUrl { get; }

    /// <summary>The bound API address, or null when the API is off.</summary>
    public Uri? ApiUrl { get; }

    internal SnapshotHolder Snapshots { get; }

    /// <summary>Completes on Ctrl-C or SIGTERM, when the start token is cancelled, or once the router stops.</summary>
    public async Task WaitForShutdownAsync()
    {
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // we stop gracefully ourselves
            _shutdown.TrySetResult();
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        await _shutdown.Task;
    }

    /// <summary>Stops accepting connections, lets requests in flight finish, then releases everything. Idempotent.</summary>
    public Task StopAsync()
    {
        lock (_gate)
        {
            return _stopping ??= StopCoreAsync();
        }
    }

    private async Task StopCoreAsync()
    {
        RouterLog.Stopping(_logger);
        var stops = new List<Task> { _proxy.StopAsync() };
        if (_api is not null)
        {
            stops.Add(_api.StopAsync());
        }

        await Task.WhenAll(stops);
        await _watcher.DisposeAsync();
        await _proxy.DisposeAsync();
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        _invoker.Dispose();
        await _ctRegistration.DisposeAsync();
        RouterLog.Stopped(_logger);
        _shutdown.TrySetResult();
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
