namespace BlueGreen.Cockpit.Admin;

/// <summary>How many login attempts a bucket allows: Burst at once, then one every Every.</summary>
internal sealed record ThrottleLimits(int Burst, TimeSpan Every);

/// <summary>
/// Bounds token guessing. Every login attempt takes a token from its source's bucket and from the
/// global one before the token is checked; with none left, the attempt is not checked at all. The
/// budget is spent when the attempt is admitted, so a client that hangs up early gains nothing.
/// Sustained: one attempt every 2 s per source address, one per second in all.
/// </summary>
internal sealed class LoginThrottle(TimeProvider clock)
{
    public static readonly ThrottleLimits PerSource = new(5, TimeSpan.FromSeconds(2));
    public static readonly ThrottleLimits Global = new(10, TimeSpan.FromSeconds(1));

    /// <summary>The least a failed attempt waits before its answer.</summary>
    public static readonly TimeSpan MinFailureDelay = TimeSpan.FromSeconds(1);

    /// <summary>Beyond this many remembered sources, the ones whose bucket refilled are forgotten.</summary>
    private const int SourcesKept = 1024;

    private readonly long _origin = clock.GetTimestamp();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TokenBucket> _sources = new(StringComparer.Ordinal);
    private TokenBucket? _global;

    /// <summary>Admits one attempt from source (null), or says how long until one would be admitted.</summary>
    public TimeSpan? TryAdmit(string source)
    {
        lock (_gate)
        {
            var now = Now();
            var global = _global ??= new TokenBucket(Global.Burst, Global.Every, now);
            if (global.WaitFor(now) is var globalWait && globalWait > TimeSpan.Zero)
            {
                return globalWait; // checked first: a refused source is not even remembered
            }

            var own = SourceBucket(source, now);
            if (own.WaitFor(now) is var wait && wait > TimeSpan.Zero)
            {
                return wait;
            }

            own.Take(now);
            global.Take(now);
            return null;
        }
    }

    /// <summary>How long the answer to a failed attempt waits: until this source may try again, at least <see cref="MinFailureDelay"/>.</summary>
    public TimeSpan FailureDelay(string source)
    {
        lock (_gate)
        {
            var now = Now();
            return _sources.TryGetValue(source, out var own) ? Max(MinFailureDelay, own.WaitFor(now)) : MinFailureDelay;
        }
    }

    private TokenBucket SourceBucket(string source, TimeSpan now)
    {
        if (_sources.TryGetValue(source, out var bucket))
        {
            return bucket;
        }

        if (_sources.Count >= SourcesKept)
        {
            foreach (var full in _sources.Where(s => s.Value.IsFull(now)).Select(s => s.Key).ToList())
            {
                _sources.Remove(full);
            }
        }

        return _sources[source] = new TokenBucket(PerSource.Burst, PerSource.Every, now);
    }

    private TimeSpan Now() => clock.GetElapsedTime(_origin);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
