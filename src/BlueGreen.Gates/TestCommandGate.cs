using BlueGreen.Core.Configuration;
using BlueGreen.Core.Validation;
using BlueGreen.Infrastructure;
using BlueGreen.Infrastructure.Processes;

namespace BlueGreen.Gates;

/// <summary>
/// TEST_CMD: the application's own tests against the candidate (BG_TARGET_URL), run by ShellCommand in the
/// installation's home, bounded by TEST_TIMEOUT (the whole process group is killed). Exit 0 passes. The full
/// output goes to {Home}/var/log/tests/SITE-DEPLOYMENTID.log; its tail is in the result.
/// </summary>
/// <param name="onStarted">Told TEST_CMD's process group when it starts (validate records it in its lock's holder file).</param>
public sealed class TestCommandGate(ShellCommand? shell = null, TimeProvider? timeProvider = null, Action<int?>? onStarted = null) : IGate
{
    private const int TailLines = 20;

    private readonly ShellCommand _shell = shell ?? new ShellCommand(timeProvider);

    public string Name => "tests";

    public bool AppliesTo(SiteConfig site) => site.TestCmd.Length > 0;

    public static string LogFileOf(string home, string site, string deploymentId) => Home.At(home).TestLog(site, deploymentId);

    public async Task<GateResult> RunAsync(CandidateView candidate, CancellationToken cancellationToken)
    {
        var site = candidate.Site;
        var log = LogFileOf(candidate.Home, site.Name, candidate.Deployment.Id);
        var env = CommandEnvironment.Build(site.Name, candidate.Slot, candidate.Url, candidate.Deployment.Version, candidate.Home, candidate.Url, candidate.Deployment.Id);
        var request = new ShellCommandRequest(site.TestCmd, candidate.Home, env, site.TestTimeout, log, TailLines)
        {
            // Nothing a test started may outlive it.
            KillLeftoversOnExit = true,
            OnStarted = onStarted is null ? null : pgid => onStarted(pgid),
        };

        ShellCommandResult result;
        try
        {
            result = await _shell.RunAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            onStarted?.Invoke(null);
        }

        var reason = $"TEST_CMD {result.Describe()}; full output in {log}";
        return new GateResult(Name, result.Succeeded, result.Duration, reason, result.Tail);
    }
}
