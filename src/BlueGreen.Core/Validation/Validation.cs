using BlueGreen.Core.Configuration;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;

namespace BlueGreen.Core.Validation;

/// <summary>
/// What a gate is given: plain data about the candidate. It holds no store, writer or client, so a
/// gate cannot change routing or state, only judge.
/// </summary>
public sealed record CandidateView(SiteConfig Site, Slot Slot, Uri Url, Deployment Deployment, string Home);

/// <summary>The verdict of one gate on one candidate.</summary>
public sealed record GateResult(string Gate, bool Passed, TimeSpan Duration, string Reason, IReadOnlyList<string>? Details = null);

/// <summary>One validation: every gate's verdict, bound to the deployment it judged.</summary>
public sealed record ValidationReport(
    string Site,
    string DeploymentId,
    string Version,
    string Slot,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    bool Passed,
    IReadOnlyList<GateResult> Gates)
{
    public GateResult? FirstFailure => Gates.FirstOrDefault(g => !g.Passed);
}

/// <summary>A validation gate: HTTP health, TCP services, logs, application tests.</summary>
public interface IGate
{
    string Name { get; }

    bool AppliesTo(SiteConfig site);

    Task<GateResult> RunAsync(CandidateView candidate, CancellationToken cancellationToken);
}
