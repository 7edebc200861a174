using BlueGreen.Core.Configuration;
using BlueGreen.Core.Validation;
using BlueGreen.Infrastructure.Health;

namespace BlueGreen.Gates;

/// <summary>
/// HEALTH_*: GET slot URL + HEALTH_PATH expecting HEALTH_STATUS and, if set, HEALTH_BODY in the body.
/// Up to HEALTH_RETRIES probes (<see cref="SlotProbe"/>), each bounded by HEALTH_TIMEOUT, with a doubling
/// backoff between them.
/// </summary>
public sealed class HttpGate : IGate
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    private readonly SlotProbe _probe;
    private readonly TimeProvider _time;

    public HttpGate(HttpClient? client = null, TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _probe = new SlotProbe(client, _time);
    }

    public string Name => "http";

    public bool AppliesTo(SiteConfig site) => true;

    public async Task<GateResult> RunAsync(CandidateView candidate, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var site = candidate.Site;
        var probes = new List<ProbeOutcome>();
        for (var attempt = 1; attempt <= site.HealthRetries; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(BackoffBefore(attempt), _time, cancellationToken).ConfigureAwait(false);
            }

            var probe = await _probe.ProbeAsync(candidate.Url, site, cancellationToken).ConfigureAwait(false);
            probes.Add(probe);
            if (probe.Passed)
            {
                break;
            }
        }

        var last = probes[^1];
        var reason = last.Passed
            ? $"{last.Describe()} (probe {probes.Count} of at most {site.HealthRetries})"
            : $"{last.Describe()}; {probes.Count} probe(s) failed";
        var details = probes.Select((p, i) => $"probe {i + 1}: {p.Describe()}").ToList();
        if (!last.Passed && last.BodyStart is { Length: > 0 } body)
        {
            details.Add($"body starts: {body}");
        }

        return new GateResult(Name, last.Passed, _time.GetElapsedTime(started), reason, details);
    }

    /// <summary>One probe, no retry: `apply`'s "health check right now" of a slot.</summary>
    public async Task<GateResult> ProbeOnceAsync(Uri slotUrl, SiteConfig site, CancellationToken cancellationToken)
    {
        var probe = await _probe.ProbeAsync(slotUrl, site, cancellationToken).ConfigureAwait(false);
        var details = probe.BodyStart is { Length: > 0 } body && !probe.Passed ? new[] { $"body starts: {body}" } : null;
        return new GateResult(Name, probe.Passed, probe.Latency, probe.Describe(), details);
    }

    /// <summary>200 ms, 400 ms, 800 ms... capped at 2 s.</summary>
    internal static TimeSpan BackoffBefore(int attempt) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks << Math.Min(attempt - 2, 10)));
}
