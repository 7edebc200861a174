using BlueGreen.Core.Configuration;
using BlueGreen.Core.Validation;

namespace BlueGreen.Gates.Tests;

public sealed class GateRunnerTests
{
    /// <summary>A gate that only waits, then gives a fixed verdict.</summary>
    private sealed class SleepingGate(string name, TimeSpan sleep, bool passes = true, bool applies = true) : IGate
    {
        public string Name => name;

        public bool AppliesTo(SiteConfig site) => applies;

        public async Task<GateResult> RunAsync(CandidateView candidate, CancellationToken cancellationToken)
        {
            await Task.Delay(sleep, cancellationToken);
            return new GateResult(name, passes, sleep, passes ? "ok" : "no");
        }
    }

    private sealed class ThrowingGate : IGate
    {
        public string Name => "broken";

        public bool AppliesTo(SiteConfig site) => true;

        public Task<GateResult> RunAsync(CandidateView candidate, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("gate bug");
    }

    private static readonly CandidateView Candidate = Candidates.On(Candidates.Site(), "/tmp");

    /// <summary>A gate that passes only once every gate of its group has started: run one after another, they would wait forever.</summary>
    private sealed class RendezvousGate(string name, Rendezvous group) : IGate
    {
        public string Name => name;

        public bool AppliesTo(SiteConfig site) => true;

        public async Task<GateResult> RunAsync(CandidateView candidate, CancellationToken cancellationToken)
        {
            await group.ArriveAndWaitAsync(cancellationToken);
            return new GateResult(name, true, TimeSpan.Zero, "ok");
        }
    }

    private sealed class Rendezvous(int expected)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public Task ArriveAndWaitAsync(CancellationToken ct)
        {
            if (Interlocked.Increment(ref _arrived) == expected)
            {
                _all.SetResult();
            }

            return _all.Task.WaitAsync(ct);
        }
    }

    [Fact]
    public async Task Gates_run_concurrently_each_one_running_while_the_others_run()
    {
        var group = new Rendezvous(4);
        var runner = new GateRunner([new RendezvousGate("a", group), new RendezvousGate("b", group), new RendezvousGate("c", group), new RendezvousGate("d", group)]);
        // Run one at a time, the first gate would wait for the others forever: the token ends such a run as a failure.
        using var never = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var report = await runner.RunAsync(Candidate, never.Token);

        Assert.True(report.Passed, string.Join("; ", report.Gates.Select(g => $"{g.Gate}: {g.Reason}")));
        Assert.Equal(["a", "b", "c", "d"], report.Gates.Select(g => g.Gate));
    }

    [Fact]
    public async Task One_failing_gate_fails_the_report_and_is_its_first_failure()
    {
        var runner = new GateRunner([new SleepingGate("http", TimeSpan.Zero), new SleepingGate("tests", TimeSpan.Zero, passes: false)]);

        var report = await runner.RunAsync(Candidate);

        Assert.False(report.Passed);
        Assert.Equal("tests", report.FirstFailure!.Gate);
    }

    [Fact]
    public async Task Gates_that_do_not_apply_are_not_run()
    {
        var runner = new GateRunner([new SleepingGate("http", TimeSpan.Zero), new SleepingGate("log", TimeSpan.Zero, passes: false, applies: false)]);

        var report = await runner.RunAsync(Candidate);

        Assert.True(report.Passed);
        Assert.Equal(["http"], report.Gates.Select(g => g.Gate));
    }

    [Fact]
    public async Task A_gate_that_throws_fails_instead_of_crashing_the_validation()
    {
        var runner = new GateRunner([new SleepingGate("http", TimeSpan.Zero), new ThrowingGate()]);

        var report = await runner.RunAsync(Candidate);

        Assert.False(report.Passed);
        Assert.Contains("gate bug", report.FirstFailure!.Reason);
    }

    [Fact]
    public async Task The_report_is_bound_to_the_candidates_deployment()
    {
        var report = await new GateRunner([new SleepingGate("http", TimeSpan.Zero)]).RunAsync(Candidate);

        Assert.Equal(("shop", "dep-1", "1.2.3", "b"), (report.Site, report.DeploymentId, report.Version, report.Slot));
    }

    [Fact]
    public void The_default_runner_always_applies_the_http_gate_and_the_others_only_when_configured()
    {
        using var http = new HttpClient();
        var runner = GateRunner.ForValidation(http, TimeProvider.System);

        Assert.Equal(["http"], runner.Gates.Where(g => g.AppliesTo(Candidates.Site())).Select(g => g.Name));
    }

    [Fact]
    public async Task A_real_validation_of_a_down_candidate_runs_every_gate_and_each_fails()
    {
        using var home = new TempDir();
        var site = Candidates.Site(new Uri($"http://127.0.0.1:{HttpGateTests.FreePort()}")) with
        {
            HealthTimeout = TimeSpan.FromMilliseconds(500),
            HealthRetries = 3,
            TcpChecks = [new TcpEndpoint("127.0.0.1", HttpGateTests.FreePort())],
            LogFile = home.File("missing-{slot}.log"),
            TestCmd = "sleep 1; curl -fsS \"$BG_TARGET_URL/\"",
        };
        using var http = new HttpClient();

        var report = await GateRunner.ForValidation(http, TimeProvider.System).RunAsync(Candidates.On(site, home.Path));

        Assert.False(report.Passed);
        Assert.All(report.Gates, g => Assert.False(g.Passed));
        Assert.Equal(["http", "tcp", "log", "tests"], report.Gates.Select(g => g.Gate));
    }
}
