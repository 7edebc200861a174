using System.Net;
using System.Text;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Validation;

namespace BlueGreen.Gates;

/// <summary>
/// HEALTH_*: GET slot URL + HEALTH_PATH expecting HEALTH_STATUS and, if set, HEALTH_BODY in the body.
/// Up to HEALTH_RETRIES probes, each bounded by HEALTH_TIMEOUT, with a doubling backoff between them.
/// Redirects are not followed and no proxy is used: the slot itself must answer.
/// </summary>
public sealed class HttpGate : IGate
{
    private const int MaxBodyShown = 200;
    private const int MaxBodyRead = 1024 * 1024;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    private static readonly HttpClient SharedClient = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        // A redeployed slot may come back on the same address: do not reuse stale connections for long.
        PooledConnectionLifetime = TimeSpan.FromSeconds(30),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private readonly HttpClient _client;
    private readonly TimeProvider _time;

    public HttpGate(HttpClient? client = null, TimeProvider? timeProvider = null)
    {
        _client = client ?? SharedClient;
        _time = timeProvider ?? TimeProvider.System;
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

            var probe = await ProbeAsync(candidate.Url, site, cancellationToken).ConfigureAwait(false);
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
        var probe = await ProbeAsync(slotUrl, site, cancellationToken).ConfigureAwait(false);
        var details = probe.BodyStart is { Length: > 0 } body && !probe.Passed ? new[] { $"body starts: {body}" } : null;
        return new GateResult(Name, probe.Passed, probe.Latency, probe.Describe(), details);
    }

    /// <summary>200 ms, 400 ms, 800 ms... capped at 2 s.</summary>
    internal static TimeSpan BackoffBefore(int attempt) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks << Math.Min(attempt - 2, 10)));

    internal static Uri HealthUrl(Uri slotUrl, string healthPath) =>
        new(slotUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + healthPath);

    private sealed record ProbeOutcome(Uri Url, bool Passed, int? Status, TimeSpan Latency, string Problem, string? BodyStart)
    {
        public string Describe()
        {
            var status = Status is { } s ? $"HTTP {s}" : "no response";
            var problem = Problem.Length == 0 ? "" : $": {Problem}";
            return $"GET {Url} -> {status} in {Latency.TotalMilliseconds:0} ms{problem}";
        }
    }

    private async Task<ProbeOutcome> ProbeAsync(Uri slotUrl, SiteConfig site, CancellationToken cancellationToken)
    {
        var url = HealthUrl(slotUrl, site.HealthPath);
        var started = _time.GetTimestamp();
        using var timeout = new CancellationTokenSource(site.HealthTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var body = await ReadBodyAsync(response, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var problem = Judge(status, body, site);
            return new ProbeOutcome(url, problem.Length == 0, status, _time.GetElapsedTime(started), problem, Start(body));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new ProbeOutcome(url, false, null, _time.GetElapsedTime(started), $"no complete answer within HEALTH_TIMEOUT ({site.HealthTimeout.TotalMilliseconds:0} ms)", null);
        }
        catch (HttpRequestException e)
        {
            return new ProbeOutcome(url, false, null, _time.GetElapsedTime(started), e.InnerException?.Message ?? e.Message, null);
        }
    }

    private static string Judge(int status, string body, SiteConfig site)
    {
        if (status != site.HealthStatus)
        {
            return $"expected HTTP {site.HealthStatus}";
        }

        return site.HealthBody.Length > 0 && !body.Contains(site.HealthBody, StringComparison.Ordinal)
            ? $"body does not contain \"{site.HealthBody}\""
            : "";
    }

    /// <summary>Reads at most 1 MiB: enough to find HEALTH_BODY, bounded against a slot streaming forever.</summary>
    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxBodyRead];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static string Start(string body)
    {
        var flat = body.ReplaceLineEndings(" ").Trim();
        return flat.Length <= MaxBodyShown ? flat : flat[..MaxBodyShown] + "…";
    }
}
