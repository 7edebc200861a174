using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace BlueGreen.Router.Metrics;

/// <summary>
/// The method, protocol and code labels of one request, as Traefik's metrics middleware computes them
/// (pkg/middlewares/metrics/metrics.go: getMethod, getRequestProtocol, grpcStatusCode). Pure: table-tested.
/// The values are interned constants, so a request's labels cost no allocation.
/// </summary>
internal static class RequestLabels
{
    /// <summary>Traefik's protocol label values, in the order it tests them.</summary>
    public static readonly string[] Protocols = ["http", "websocket", "sse", "grpc-web", "grpc"];

    /// <summary>The HTTP verbs Traefik keeps as they are; any other method is counted as EXTENSION_METHOD.</summary>
    public static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "PRI", "EXTENSION_METHOD"];

    private const int ExtensionMethod = 10;

    /// <summary>gRPC's "Unknown": Traefik's code when a gRPC response carries no readable Grpc-Status.</summary>
    public const int GrpcUnknown = 2;

    /// <summary>The index in <see cref="Methods"/> of a request method (methods are case-sensitive tokens).</summary>
    public static int MethodIndex(string method) => method switch
    {
        "GET" => 0,
        "HEAD" => 1,
        "POST" => 2,
        "PUT" => 3,
        "DELETE" => 4,
        "CONNECT" => 5,
        "OPTIONS" => 6,
        "TRACE" => 7,
        "PATCH" => 8,
        "PRI" => 9,
        _ => ExtensionMethod,
    };

    /// <summary>The index in <see cref="Protocols"/>: websocket, then sse, grpc-web, grpc, else http.</summary>
    public static int ProtocolIndex(IHeaderDictionary headers)
    {
        if (HasToken(headers.Connection, "upgrade") && HasToken(headers.Upgrade, "websocket"))
        {
            return 1;
        }

        if (HasToken(headers.Accept, "text/event-stream"))
        {
            return 2;
        }

        var contentType = headers.ContentType.ToString();
        return contentType.StartsWith("application/grpc-web", StringComparison.Ordinal) ? 3
            : contentType.StartsWith("application/grpc", StringComparison.Ordinal) ? 4
            : 0;
    }

    public static bool IsGrpc(int protocolIndex) => protocolIndex >= 3;

    /// <summary>
    /// A gRPC call's code label: its Grpc-Status (a trailer, or a header for a trailers-only answer), as
    /// grpc-go's Code.UnmarshalJSON reads it: a number below 17, or a quoted name like "NOT_FOUND"; Unknown otherwise.
    /// </summary>
    public static int GrpcCode(string? grpcStatus)
    {
        if (grpcStatus is null)
        {
            return GrpcUnknown;
        }

        if (uint.TryParse(grpcStatus, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return number < GrpcCodeNames.Length ? (int)number : GrpcUnknown;
        }

        return grpcStatus.Length > 2 && grpcStatus[0] == '"' && grpcStatus[^1] == '"'
            ? Array.IndexOf(GrpcCodeNames, grpcStatus[1..^1]) is >= 0 and var named ? named : GrpcUnknown
            : GrpcUnknown;
    }

    private static readonly string[] GrpcCodeNames =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE",
        "DATA_LOSS", "UNAUTHENTICATED",
    ];

    /// <summary>
    /// Traefik's containsHeader: the first value of the header (Go's Header.Get), split on ',', one item equal
    /// to <paramref name="token"/> once trimmed and lower-cased.
    /// </summary>
    private static bool HasToken(StringValues values, string token)
    {
        if (values.Count == 0)
        {
            return false;
        }

        var rest = (values[0] ?? "").AsSpan();
        while (true)
        {
            var comma = rest.IndexOf(',');
            var item = (comma < 0 ? rest : rest[..comma]).Trim();
            if (item.Equals(token, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (comma < 0)
            {
                return false;
            }

            rest = rest[(comma + 1)..];
        }
    }
}
