using BlueGreen.Cockpit.Hosting;
using BlueGreen.Infrastructure;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Testing;

namespace BlueGreen.Cockpit.Tests.Support;

/// <summary>A cockpit started in-process on 127.0.0.1:0 over a test home; admin actions call the repository's run.sh.</summary>
public sealed class CockpitUnderTest : IAsyncDisposable
{
    private readonly RunningCockpit _running;

    private CockpitUnderTest(RunningCockpit running, LogCapture log)
    {
        _running = running;
        Log = log;
    }

    public Uri Url => _running.Url;

    public LogCapture Log { get; }

    public string At(string path) => new Uri(Url, path).ToString();

    /// <param name="adjust">Changes to the options (a fake clock, a fake run.sh).</param>
    public static async Task<CockpitUnderTest> StartAsync(string home, Func<CockpitOptions, CockpitOptions>? adjust = null)
    {
        var log = new LogCapture();
        var options = adjust is null ? Options(home) : adjust(Options(home));
        var running = await CockpitHost.StartAsync(options, log.Factory, CancellationToken.None);
        return new CockpitUnderTest(running, log);
    }

    public static CockpitOptions Options(string home)
    {
        var h = Home.At(home);
        var (global, errors) = ConfigLoader.LoadGlobal(h);
        Assert.Empty(errors);
        return new CockpitOptions(h, global) { Listen = "127.0.0.1:0", RunSh = RepoPaths.RunSh, HealthInterval = TimeSpan.FromSeconds(1) };
    }

    public async ValueTask DisposeAsync() => await _running.DisposeAsync();
}
