using Microsoft.Extensions.Hosting;

namespace BlueGreen.Router.Hosting;

/// <summary>
/// Keeps the two inner web hosts from handling Ctrl-C/SIGTERM themselves: the router stops them in
/// order (RunningRouter), and tests run several routers in one process.
/// </summary>
internal sealed class NoSignalLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
