using BlueGreen.Infrastructure.Processes;
using BlueGreen.Testing;

namespace BlueGreen.Gates.Tests;

public sealed class TestCommandGateTests : IDisposable
{
    private readonly TempDir _home = new();
    private readonly TestCommandGate _gate = new();

    public void Dispose() => _home.Dispose();

    private Core.Validation.CandidateView Candidate(string command, TimeSpan? timeout = null, Uri? slotUrl = null) =>
        Candidates.On(Candidates.Site(slotUrl) with { TestCmd = command, TestTimeout = timeout ?? TimeSpan.FromSeconds(30) }, _home.Path);

    [Fact]
    public async Task A_test_command_exiting_zero_passes()
    {
        var result = await _gate.RunAsync(Candidate("echo all good"), default);

        Assert.True(result.Passed, result.Reason);
        Assert.Equal(["all good"], result.Details);
    }

    [Fact]
    public async Task A_test_command_exiting_one_fails_and_keeps_its_output()
    {
        var result = await _gate.RunAsync(Candidate("echo '2 tests failed' >&2; exit 1"), default);

        Assert.False(result.Passed);
        Assert.Contains("exit code 1", result.Reason);
        Assert.Equal(["2 tests failed"], result.Details);
        var log = TestCommandGate.LogFileOf(_home.Path, "shop", "dep-1");
        Assert.Equal(Path.Combine(_home.Path, "var/log/tests/shop-dep-1.log"), log);
        Assert.Contains("2 tests failed", File.ReadAllText(log));
    }

    [Fact]
    public async Task The_test_command_gets_the_target_url_and_the_deployment_environment()
    {
        var result = await _gate.RunAsync(Candidate("echo \"$BG_TARGET_URL $BG_SITE $BG_SLOT $BG_VERSION $BG_HOME\"; pwd"), default);

        Assert.Equal(["http://127.0.0.1:2 shop b 1.2.3 " + _home.Path, _home.Path], result.Details);
    }

    [Fact]
    public async Task A_curl_smoke_test_against_a_real_candidate_passes_and_a_broken_one_fails()
    {
        await using var good = await SlotServer.StartAsync(200, "ok");
        await using var bad = await SlotServer.StartAsync(500, "broken");
        const string smoke = "curl -fsS \"$BG_TARGET_URL/health\"";

        var passed = await _gate.RunAsync(Candidate(smoke, slotUrl: good.Url), default);
        var failed = await _gate.RunAsync(Candidate(smoke, slotUrl: bad.Url), default);

        Assert.True(passed.Passed, passed.Reason);
        Assert.False(failed.Passed);
    }

    [Fact]
    public async Task A_test_command_hanging_past_its_timeout_fails_and_leaves_no_process_behind()
    {
        var marker = $"bg-hang-{Guid.NewGuid():N}";
        var clock = new TimerWatchingClock();
        var timeout = TimeSpan.FromMilliseconds(500);

        // The grandchild carries a unique argument so the test can look for it in the process table.
        var run = new TestCommandGate(timeProvider: clock).RunAsync(Candidate($"sh -c 'sleep 300; echo {marker}' & sleep 300", timeout), default);
        Assert.Equal(timeout, await clock.NextTimerAsync());
        await Poll.UntilAsync(() => ProcessesWithArgument(marker).Count > 0, "the test command's grandchild to start",
            giveUp: () => run.IsCompleted ? "the test command ended before its timeout" : null);

        clock.Advance(timeout);
        await clock.AdvanceEachTimerUntilAsync(run); // the kill's grace polls
        var result = await run;

        Assert.False(result.Passed);
        Assert.Contains("timed out", result.Reason);
        await NoneLeftAsync(marker);
    }

    [Fact]
    public async Task Background_processes_started_by_a_passing_test_command_do_not_survive_it()
    {
        var marker = $"bg-left-{Guid.NewGuid():N}";

        var result = await _gate.RunAsync(Candidate($"sh -c 'sleep 300; echo {marker}' >/dev/null 2>&1 & echo done"), default);

        Assert.True(result.Passed, result.Reason);
        await NoneLeftAsync(marker);
    }

    /// <summary>Fails the test when a live process whose command line contains <paramref name="text"/> is left at the deadline (those being killed get time to go).</summary>
    private static Task NoneLeftAsync(string text) =>
        Poll.UntilAsync(() => ProcessesWithArgument(text).Count == 0, $"no process carrying {text} to be left");

    /// <summary>Live (not zombie) processes whose command line contains <paramref name="text"/>, now.</summary>
    private static List<int> ProcessesWithArgument(string text) =>
        ProcStat.All()
            .Where(p => p.Pid != Environment.ProcessId && !p.Stat.IsZombie && CommandLineOf(p.Pid).Contains(text, StringComparison.Ordinal))
            .Select(p => p.Pid)
            .ToList();

    private static string CommandLineOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return ""; // gone while we looked
        }
    }
}
