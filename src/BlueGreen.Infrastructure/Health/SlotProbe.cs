using System.Text;
using BlueGreen.Core.Configuration;

namespace BlueGreen.Infrastructure.Health;

/// <summary>What one health probe of a slot saw.</summary>
public sealed record ProbeOutcome(Uri Url, bool Passed, int? Status, TimeSpan Latency, string Problem, string? BodyStart)
{
    /// <summary>No complete answer within the timeout.</summary>
    public bool TimedOut { get; init; }

    /// <summary>Why no answer came, when the request itself failed (connection refused, reset...).</summary>
    public HttpRequestError? RequestError { get; init; }

    public string Describe()
    {
        var status = Status is { } s ? $"HTTP {s}" : "no response";
        var problem = Problem.Length == 0 ? "" : $": {Problem}";
        return $"GET {Url} -> {status} in {Latency.TotalMilliseconds:0} ms{problem}";
    }
}

/// <summary>
/// THE health probe of a slot (HEALTH_PATH, HEALTH_STATUS, HEALTH_BODY), used by the HTTP gate, by
/// apply's check "right now" and by status. Redirects are not followed and no proxy is used: the slot
/// itself must answer.
/// </summary>
public sealed class SlotProbe(HttpClient? client = null, TimeProvider? timeProvider = null)
{
    private const int MaxBodyShown = 200;
    private const int MaxBodyRead = 1024 * 1024;

    private readonly HttpClient _client = client ?? Net.HttpClients.Shared;
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public static Uri HealthUrl(Uri slotUrl, string healthPath) =>
        new(slotUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + healthPath);

    /// <param name="timeout">Default: HEALTH_TIMEOUT.</param>
    public async Task<ProbeOutcome> ProbeAsync(Uri slotUrl, SiteConfig site, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var url = HealthUrl(slotUrl, site.HealthPath);
        var limit = timeout ?? site.HealthTimeout;
        var started = _time.GetTimestamp();
        using var deadline = new CancellationTokenSource(limit, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            using var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var body = status == site.HealthStatus && site.HealthBody.Length == 0 ? "" : await ReadBodyAsync(response, linked.Token).ConfigureAwait(false);
            var problem = Judge(status, body, site);
            return new ProbeOutcome(url, problem.Length == 0, status, _time.GetElapsedTime(started), problem, Start(body));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var within = timeout is null ? $"HEALTH_TIMEOUT ({limit.TotalMilliseconds:0} ms)" : $"{limit.TotalMilliseconds:0} ms";
            return new ProbeOutcome(url, false, null, _time.GetElapsedTime(started), $"no complete answer within {within}", null) { TimedOut = true };
        }
        catch (HttpRequestException e)
        {
            return new ProbeOutcome(url, false, null, _time.GetElapsedTime(started), e.InnerException?.Message ?? e.Message, null) { RequestError = e.HttpRequestError };
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
        using var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while (body.Length < MaxBodyRead && (read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            body.Write(buffer, 0, (int)Math.Min(read, MaxBodyRead - body.Length));
        }

        return Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length);
    }

    private static string Start(string body)
    {
        var flat = body.ReplaceLineEndings(" ").Trim();
        return flat.Length <= MaxBodyShown ? flat : flat[..MaxBodyShown] + "…";
    }
}
