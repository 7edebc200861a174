namespace BlueGreen.Cockpit.Admin;

/// <summary>
/// Slows token guessing: every failed login waits 1 s more than the previous one (up to 30 s),
/// and logins are taken one at a time, so parallel guesses queue behind the delay.
/// </summary>
internal sealed class LoginThrottle
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _one = new(1, 1);
    private int _failures;

    public async Task<T> RunAsync<T>(Func<T> attempt, Func<T, bool> succeeded, CancellationToken ct)
    {
        await _one.WaitAsync(ct);
        try
        {
            var result = attempt();
            if (succeeded(result))
            {
                _failures = 0;
                return result;
            }

            _failures++;
            var delay = TimeSpan.FromTicks(Math.Min(Step.Ticks * _failures, Max.Ticks));
            await Task.Delay(delay, ct);
            return result;
        }
        finally
        {
            _one.Release();
        }
    }
}
