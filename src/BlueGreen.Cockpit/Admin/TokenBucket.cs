namespace BlueGreen.Cockpit.Admin;

/// <summary>
/// A token bucket: at most Burst tokens, one more every Every. Pure: the caller passes the time
/// (a monotonic reading), so tests drive it without a clock.
/// </summary>
internal sealed class TokenBucket(int burst, TimeSpan every, TimeSpan now)
{
    private double _tokens = burst;
    private TimeSpan _at = now;

    /// <summary>How long until a token is there (zero when one is there now).</summary>
    public TimeSpan WaitFor(TimeSpan now)
    {
        Refill(now);
        return _tokens >= 1 ? TimeSpan.Zero : every * (1 - _tokens);
    }

    /// <summary>Takes a token; the caller has checked <see cref="WaitFor"/> first.</summary>
    public void Take(TimeSpan now)
    {
        Refill(now);
        _tokens = Math.Max(0, _tokens - 1);
    }

    /// <summary>Full again: the bucket says nothing a fresh one would not, so it may be forgotten.</summary>
    public bool IsFull(TimeSpan now)
    {
        Refill(now);
        return _tokens >= burst;
    }

    private void Refill(TimeSpan now)
    {
        if (now > _at)
        {
            _tokens = Math.Min(burst, _tokens + ((now - _at) / every));
            _at = now;
        }
    }
}
