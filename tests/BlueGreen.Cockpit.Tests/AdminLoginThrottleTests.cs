using System.Net;
using BlueGreen.Cockpit.Admin;
using BlueGreen.Cockpit.Tests.Support;
using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Testing;

namespace BlueGreen.Cockpit.Tests;

/// <summary>
/// The login throttle against real HTTP clients on a real cockpit, with time driven by a fake clock:
/// attempts per second are measured in the clock's seconds, whatever the clients do.
/// </summary>
public sealed class AdminLoginThrottleTests : IAsyncLifetime
{
    private const string Wrong = "wrong-token-wrong-token-wrong-token";

    private readonly TempHome _home = AdminHome.Create();
    private readonly TimerWatchingClock _clock = new();
    private CockpitUnderTest _cockpit = null!;

    public async Task InitializeAsync() =>
        // The health monitor's period must not be the failure delay's 1 s: a test waiting for that timer would take the
        // monitor's for it and advance the clock before the delay was even started.
        _cockpit = await CockpitUnderTest.StartAsync(_home.Root, o => o with { Clock = _clock, HealthInterval = TimeSpan.FromHours(1) });

    public async Task DisposeAsync()
    {
        await _cockpit.DisposeAsync();
        _home.Dispose();
    }

    private IReadOnlyList<JournalEntry> FailedLogins() =>
        new JournalFile(Home.At(_home.Root), TimeProvider.System).ReadAll()
            .Where(e => e.Action == "login" && e.Outcome == JournalOutcome.Failed).ToList();

    /// <summary>
    /// One wrong attempt from a client that does not wait: it hangs up as soon as the attempt was
    /// journaled (the answer is held back), or takes the immediate 429. True when the token was checked.
    /// </summary>
    private async Task<bool> HitAndRunAsync(AdminClient client, string formToken)
    {
        var journaled = FailedLogins().Count;
        using var hangUp = new CancellationTokenSource();
        var send = client.Http.SendAsync(client.LoginRequest(formToken, Wrong), hangUp.Token);
        await Poll.UntilAsync(() => send.IsCompleted || FailedLogins().Count > journaled, "the attempt was answered or journaled");
        if (send.IsCompleted)
        {
            using var answer = await send;
            Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
            Assert.True(answer.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a 429 says when to come back");
            Assert.Equal(journaled, FailedLogins().Count);
            return false;
        }

        await hangUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
        Assert.Equal(journaled + 1, FailedLogins().Count);
        return true;
    }

    /// <summary>Attempts until the first 429: how many were checked at this moment of the fake clock.</summary>
    private async Task<int> CheckedUntilRefusedAsync(AdminClient client, string formToken)
    {
        var count = 0;
        while (await HitAndRunAsync(client, formToken))
        {
            count++;
        }

        return count;
    }

    [Fact]
    public async Task A_client_that_hangs_up_early_gets_one_attempt_every_two_seconds_and_each_is_journaled_before_the_wait()
    {
        using var client = new AdminClient(_cockpit.Url);
        var form = await client.LoginFormTokenAsync();

        var burst = await CheckedUntilRefusedAsync(client, form);
        Assert.Equal(LoginThrottle.PerSource.Burst, burst);

        const int seconds = 60;
        var later = 0;
        for (var s = 0; s < seconds; s++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            later += await CheckedUntilRefusedAsync(client, form);
        }

        // Sustained rate, in the clock's seconds: one attempt every PerSource.Every, not one more.
        Assert.Equal((int)(seconds / LoginThrottle.PerSource.Every.TotalSeconds), later);
        Assert.True(later / (double)seconds <= 1.0, $"{later} attempts in {seconds} s");

        var failures = FailedLogins();
        Assert.Equal(burst + later, failures.Count);
        Assert.All(failures, e =>
        {
            Assert.Equal("cockpit", e.Via);
            Assert.Equal(LoginJournal.OsUser, e.Actor);
            Assert.Contains("127.0.0.1", e.Message);
        });
        await Cli.MustAsync(_home.Root, "journal", "verify");
    }

    [Fact]
    public async Task Many_sources_together_get_at_most_one_attempt_per_second()
    {
        var clients = Enumerable.Range(2, 6).Select(i => new AdminClient(_cockpit.Url, $"127.0.0.{i}")).ToList();
        try
        {
            var forms = new List<string>();
            foreach (var c in clients)
            {
                forms.Add(await c.LoginFormTokenAsync());
            }

            async Task<int> RoundAsync()
            {
                var total = 0;
                for (var i = 0; i < clients.Count; i++)
                {
                    total += await CheckedUntilRefusedAsync(clients[i], forms[i]);
                }

                return total;
            }

            Assert.Equal(LoginThrottle.Global.Burst, await RoundAsync()); // six sources could take 30 on their own
            const int seconds = 30;
            var later = 0;
            for (var s = 0; s < seconds; s++)
            {
                _clock.Advance(TimeSpan.FromSeconds(1));
                later += await RoundAsync();
            }

            Assert.Equal((int)(seconds / LoginThrottle.Global.Every.TotalSeconds), later);
            Assert.Equal(LoginThrottle.Global.Burst + later, FailedLogins().Count);
            Assert.All(FailedLogins(), e => Assert.Matches(@"from 127\.0\.0\.[2-7]\z", e.Message)); // each names its own source
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task A_client_that_waits_gets_its_answer_after_the_delay_and_the_line_is_there_before()
    {
        using var client = new AdminClient(_cockpit.Url);
        var form = await client.LoginFormTokenAsync();
        var send = client.Http.SendAsync(client.LoginRequest(form, Wrong));
        await Poll.UntilAsync(() => FailedLogins().Count == 1, "the failure was journaled");
        // The answer waits on the clock: a timer of the failure delay is created (the health monitor's, an hour long, is passed over).
        while (await _clock.NextTimerAsync() != LoginThrottle.MinFailureDelay)
        {
        }

        _clock.Advance(LoginThrottle.MinFailureDelay - TimeSpan.FromMilliseconds(1));
        Assert.False(send.IsCompleted, "the answer to a failed login waits at least a second");
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        using var answer = await send.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Contains("Wrong token", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Once_the_budget_is_spent_even_the_right_token_is_not_checked_until_time_passes()
    {
        using var attacker = new AdminClient(_cockpit.Url);
        await CheckedUntilRefusedAsync(attacker, await attacker.LoginFormTokenAsync());

        using var operatorClient = new AdminClient(_cockpit.Url);
        var form = await operatorClient.LoginFormTokenAsync();
        using (var refused = await operatorClient.Http.SendAsync(operatorClient.LoginRequest(form, AdminHome.Token)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        }

        _clock.Advance(LoginThrottle.PerSource.Every);
        using var admitted = await operatorClient.Http.SendAsync(operatorClient.LoginRequest(form, AdminHome.Token));
        Assert.Equal(HttpStatusCode.Redirect, admitted.StatusCode);
        var login = new JournalFile(Home.At(_home.Root), TimeProvider.System).ReadAll().Last();
        Assert.Equal(("login", JournalOutcome.Succeeded, LoginJournal.OsUser), (login.Action, login.Outcome, login.Actor));
    }
}
