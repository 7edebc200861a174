using System.Net.Sockets;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Validation;

namespace BlueGreen.Gates;

/// <summary>TCP_CHECKS: every host:port must accept a connection within HEALTH_TIMEOUT; all probed at once.</summary>
public sealed class TcpGate(TimeProvider? timeProvider = null) : IGate
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public string Name => "tcp";

    public bool AppliesTo(SiteConfig site) => site.TcpChecks.Count > 0;

    public async Task<GateResult> RunAsync(CandidateView candidate, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var timeout = candidate.Site.HealthTimeout;
        var outcomes = await Task.WhenAll(candidate.Site.TcpChecks.Select(e => ConnectAsync(e, timeout, cancellationToken))).ConfigureAwait(false);
        var failed = outcomes.Where(o => !o.Passed).ToList();
        var reason = failed.Count == 0
            ? $"all {outcomes.Length} endpoint(s) accept connections"
            : $"{failed.Count} of {outcomes.Length} endpoint(s) refused or did not answer: {string.Join(", ", failed.Select(f => f.Endpoint))}";
        return new GateResult(Name, failed.Count == 0, _time.GetElapsedTime(started), reason, outcomes.Select(o => o.Describe()).ToList());
    }

    private sealed record Outcome(TcpEndpoint Endpoint, bool Passed, TimeSpan Latency, string Problem)
    {
        public string Describe() => Passed
            ? $"{Endpoint}: connected in {Latency.TotalMilliseconds:0} ms"
            : $"{Endpoint}: {Problem} after {Latency.TotalMilliseconds:0} ms";
    }

    private async Task<Outcome> ConnectAsync(TcpEndpoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var limit = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, cancellationToken);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(endpoint.Host, endpoint.Port, linked.Token).ConfigureAwait(false);
            return new Outcome(endpoint, true, _time.GetElapsedTime(started), "");
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new Outcome(endpoint, false, _time.GetElapsedTime(started), $"no connection within HEALTH_TIMEOUT ({timeout.TotalMilliseconds:0} ms)");
        }
        catch (SocketException e)
        {
            return new Outcome(endpoint, false, _time.GetElapsedTime(started), e.Message);
        }
    }
}
