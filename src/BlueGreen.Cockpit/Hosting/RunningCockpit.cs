using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace BlueGreen.Cockpit.Hosting;

/// <summary>A started cockpit: where it listens, and how to stop it.</summary>
public sealed class RunningCockpit : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _background;

    internal RunningCockpit(WebApplication app, Uri url, CancellationTokenSource background)
    {
        _app = app;
        Url = url;
        _background = background;
    }

    /// <summary>The bound address (the real port when 0 was asked).</summary>
    public Uri Url { get; }

    public async Task StopAsync()
    {
        await _background.CancelAsync();
        await _app.StopAsync();
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        _background.Dispose();
    }
}
