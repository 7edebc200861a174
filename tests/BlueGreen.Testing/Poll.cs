using System.Diagnostics;
using Xunit;

namespace BlueGreen.Testing;

/// <summary>
/// The tests' one way to wait for a condition: polled until it holds, the test failing at a deadline (no fixed sleep
/// decides anything).
/// </summary>
public static class Poll
{
    /// <summary>Long enough for a loaded CI machine, short enough that a hung test fails.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <param name="giveUp">Checked between polls: a reason to fail at once (the process that was to do it exited).</param>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? within = null, Func<string?>? giveUp = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, within, giveUp);

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null, Func<string?>? giveUp = null)
    {
        var limit = within ?? Deadline;
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (giveUp?.Invoke() is { } why)
            {
                Assert.Fail($"gave up waiting for {what}: {why}");
            }

            if (clock.Elapsed > limit)
            {
                Assert.Fail($"waited {limit.TotalSeconds:0.#} s for {what}");
            }

            await Task.Delay(Interval);
        }
    }
}
