using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace BlueGreen.Testing;

/// <summary>
/// A fake clock that tells the test each timer the code under test creates on it (a timeout, a backoff, a poll), so
/// the test advances time by exactly what the code waits for, once it waits: no sleeps, no race with the real clock,
/// and durations that come out exact.
/// </summary>
/// <param name="start">Its time at first (default: now).</param>
public sealed class TimerWatchingClock(DateTimeOffset? start = null) : FakeTimeProvider(start ?? DateTimeOffset.UtcNow)
{
    /// <summary>How long (real time) a test waits for the code to create its next timer before failing: a hang guard, as long as <see cref="Poll.Deadline"/> (a loaded CI machine).</summary>
    private static readonly TimeSpan Deadline = Poll.Deadline;

    private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _created.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>The due time of the next timer created (one not yet returned), once it is.</summary>
    public async Task<TimeSpan> NextTimerAsync()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            return await _created.Reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no timer was created within {Deadline.TotalSeconds:0} s");
        }
    }

    /// <summary>Lets every timer created from now on expire (time advanced by its due time) until <paramref name="work"/> ends.</summary>
    public async Task AdvanceEachTimerUntilAsync(Task work)
    {
        while (!work.IsCompleted)
        {
            var created = _created.Reader.WaitToReadAsync().AsTask();
            if (await Task.WhenAny(work, created).WaitAsync(Deadline) == work)
            {
                break;
            }

            while (_created.Reader.TryRead(out var due))
            {
                Advance(due);
            }
        }

        await work;
    }
}
