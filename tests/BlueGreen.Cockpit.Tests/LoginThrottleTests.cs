using BlueGreen.Cockpit.Admin;
using BlueGreen.Cockpit.Tests.Support;
using BlueGreen.Testing;

namespace BlueGreen.Cockpit.Tests;

/// <summary>The throttle's decisions in-process, time driven by a fake clock.</summary>
public sealed class LoginThrottleTests
{
    [Fact]
    public void A_bucket_gives_its_burst_then_one_token_per_interval()
    {
        var bucket = new TokenBucket(3, TimeSpan.FromSeconds(2), TimeSpan.Zero);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(TimeSpan.Zero, bucket.WaitFor(TimeSpan.Zero));
            bucket.Take(TimeSpan.Zero);
        }

        Assert.Equal(TimeSpan.FromSeconds(2), bucket.WaitFor(TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(1), bucket.WaitFor(TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.Zero, bucket.WaitFor(TimeSpan.FromSeconds(2)));
        Assert.False(bucket.IsFull(TimeSpan.FromSeconds(5)));
        Assert.True(bucket.IsFull(TimeSpan.FromSeconds(6)));
        Assert.True(bucket.IsFull(TimeSpan.FromSeconds(600))); // never more than the burst
        for (var i = 0; i < 3; i++)
        {
            bucket.Take(TimeSpan.FromSeconds(600));
        }

        Assert.NotEqual(TimeSpan.Zero, bucket.WaitFor(TimeSpan.FromSeconds(600)));
    }

    [Fact]
    public void Each_source_has_its_own_budget_within_the_global_one()
    {
        var clock = new TimerWatchingClock();
        var throttle = new LoginThrottle(clock);
        var admitted = Enumerable.Range(0, 20).Count(_ => throttle.TryAdmit("10.0.0.1") is null);
        Assert.Equal(LoginThrottle.PerSource.Burst, admitted);
        Assert.Equal(LoginThrottle.PerSource.Every, throttle.TryAdmit("10.0.0.1"));
        Assert.Equal(LoginThrottle.PerSource.Every, throttle.FailureDelay("10.0.0.1"));

        admitted = Enumerable.Range(2, 20).Count(i => throttle.TryAdmit($"10.0.0.{i}") is null);
        Assert.Equal(LoginThrottle.Global.Burst - LoginThrottle.PerSource.Burst, admitted);

        clock.Advance(LoginThrottle.Global.Every);
        Assert.Null(throttle.TryAdmit("10.0.0.99"));
        Assert.Equal(LoginThrottle.Global.Every, throttle.TryAdmit("10.0.0.98"));
    }

    [Fact]
    public void A_failure_waits_at_least_a_second_even_with_budget_left() =>
        Assert.Equal(LoginThrottle.MinFailureDelay, new LoginThrottle(new TimerWatchingClock()).FailureDelay("10.0.0.1"));
}
