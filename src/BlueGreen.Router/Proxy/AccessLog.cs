using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace BlueGreen.Router.Proxy;

/// <summary>One line per request, close to Traefik's common log format.</summary>
internal sealed class AccessLog(TextWriter writer, TimeProvider time)
{
    public void Write(HttpContext context, string? router, string? upstream, TimeSpan elapsed)
    {
        var request = context.Request;
        var now = time.GetLocalNow().ToString("dd/MMM/yyyy:HH:mm:ss zzz", CultureInfo.InvariantCulture);
        writer.WriteLine(
            $"{context.Connection.RemoteIpAddress} - - [{now}] \"{request.Method} {request.Path}{request.QueryString} {request.Protocol}\" " +
            $"{context.Response.StatusCode} \"{request.Host}\" \"{router ?? "-"}\" \"{upstream ?? "-"}\" {(long)elapsed.TotalMilliseconds}ms");
    }
}
