using System.Collections;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Router.Proxy;

/// <summary>
/// One entry per request. In text mode the line is close to Traefik's common log format; in JSON mode the
/// fields carry the names of Traefik's access log (pkg/middlewares/accesslog/logdata.go), so queries written
/// for Traefik's JSON access log read this one.
/// </summary>
internal sealed class AccessLog(ILogger<AccessLog> logger, TimeProvider time)
{
    private static readonly EventId Request = new(40, "Request");

    public void Write(HttpContext context, string? router, Upstream? upstream, int? originStatus, TimeSpan elapsed)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        // Traefik stamps an entry with the time the request started.
        var entry = new AccessLogEntry(context, time.GetUtcNow() - elapsed, time.LocalTimeZone, router, upstream, originStatus, elapsed);
        logger.Log(LogLevel.Information, Request, entry, null, static (e, _) => e.ToString());
    }
}

/// <summary>
/// A request's access-log fields, read lazily: text mode formats the line and never enumerates them.
/// Hand-written rather than a [LoggerMessage] template: the fields are more than the line shows
/// (Duration in nanoseconds as Traefik, the client port, the service's address).
/// </summary>
internal readonly struct AccessLogEntry(HttpContext context, DateTimeOffset startUtc, TimeZoneInfo zone, string? router, Upstream? upstream, int? originStatus, TimeSpan elapsed)
    : IReadOnlyList<KeyValuePair<string, object?>>
{
    private static readonly string[] Names =
    [
        "ClientAddr", "ClientHost", "ClientPort", "RequestMethod", "RequestPath", "RequestProtocol", "RequestScheme",
        "RequestHost", "RequestAddr", "DownstreamStatus", "OriginStatus", "RouterName", "ServiceName", "ServiceURL",
        "Duration", "StartUTC", "StartLocal",
    ];

    public int Count => Names.Length;

    public KeyValuePair<string, object?> this[int index] => new(Names[index], Value(index));

    private object? Value(int index)
    {
        var request = context.Request;
        var remote = context.Connection.RemoteIpAddress?.ToString();
        return index switch
        {
            0 => remote is null ? null : $"{remote}:{context.Connection.RemotePort}",
            1 => remote,
            2 => context.Connection.RemotePort,
            3 => request.Method,
            4 => $"{request.Path}{request.QueryString}",
            5 => request.Protocol,
            6 => request.Scheme,
            7 => request.Host.Host,
            8 => request.Host.Value,
            9 => context.Response.StatusCode,
            10 => originStatus,
            11 => router,
            12 => upstream?.Service,
            13 => upstream?.Prefix,
            14 => elapsed.Ticks * 100,
            15 => startUtc.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            16 => TimeZoneInfo.ConvertTime(startUtc, zone).ToString("O", CultureInfo.InvariantCulture),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Names.Length; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The text line, unchanged from before structured logging.</summary>
    public override string ToString()
    {
        var request = context.Request;
        var now = TimeZoneInfo.ConvertTime(startUtc, zone).ToString("dd/MMM/yyyy:HH:mm:ss zzz", CultureInfo.InvariantCulture);
        return $"{context.Connection.RemoteIpAddress} - - [{now}] \"{request.Method} {request.Path}{request.QueryString} {request.Protocol}\" " +
            $"{context.Response.StatusCode} \"{request.Host}\" \"{router ?? "-"}\" \"{upstream?.Prefix ?? "-"}\" {(long)elapsed.TotalMilliseconds}ms";
    }
}
