using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// What most of these tests start from: a throw-away home, two real slot servers (a and b), and the
/// real run.sh to drive it. Everything is stopped and deleted at the end.
/// </summary>
public abstract class TwoSlotHomeTest : IAsyncLifetime
{
    protected TempHome Home { get; } = new();

    protected SlotServer A { get; private set; } = null!;

    protected SlotServer B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        A = await SlotServer.StartAsync("a");
        B = await SlotServer.StartAsync("b");
        await SetUpAsync();
    }

    public async Task DisposeAsync()
    {
        await TearDownAsync();
        await A.DisposeAsync();
        await B.DisposeAsync();
        Home.Dispose();
    }

    /// <summary>The test class's own setup, once the home and the slots exist.</summary>
    protected virtual Task SetUpAsync() => Task.CompletedTask;

    protected virtual Task TearDownAsync() => Task.CompletedTask;

    protected Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(Home.Root, args);
}
