using BlueGreen.Router.Configuration;
using BlueGreen.Router.Metrics;
using BlueGreen.Testing;
using Microsoft.AspNetCore.Http;

namespace BlueGreen.Router.Tests;

/// <summary>The label rules of Traefik's metrics middleware, and the bucket an observation lands in.</summary>
public sealed class MetricsLabelsTests
{
    [Theory]
    [InlineData("GET", "GET")]
    [InlineData("PATCH", "PATCH")]
    [InlineData("PRI", "PRI")]
    [InlineData("PURGE", "EXTENSION_METHOD")]
    [InlineData("get", "EXTENSION_METHOD")] // methods are case-sensitive tokens
    public void Method_label(string method, string label) =>
        Assert.Equal(label, RequestLabels.Methods[RequestLabels.MethodIndex(method)]);

    [Theory]
    [InlineData("", "", "", "", "http")]
    [InlineData("Upgrade", "websocket", "", "", "websocket")]
    [InlineData("keep-alive, Upgrade", "WebSocket", "", "", "websocket")]
    [InlineData("", "websocket", "", "", "http")] // Upgrade without Connection: upgrade
    [InlineData("Upgrade", "h2c", "", "", "http")]
    [InlineData("", "", "text/event-stream", "", "sse")]
    [InlineData("", "", "text/event-stream;q=0.9", "", "http")] // Traefik compares whole items
    [InlineData("", "", "", "application/grpc-web+proto", "grpc-web")]
    [InlineData("", "", "", "application/grpc", "grpc")]
    [InlineData("", "", "", "application/json", "http")]
    [InlineData("Upgrade", "websocket", "text/event-stream", "application/grpc", "websocket")] // Traefik's order
    public void Protocol_label(string connection, string upgrade, string accept, string contentType, string label)
    {
        var headers = new HeaderDictionary();
        foreach (var (name, value) in new[] { ("Connection", connection), ("Upgrade", upgrade), ("Accept", accept), ("Content-Type", contentType) })
        {
            if (value.Length > 0)
            {
                headers[name] = value;
            }
        }

        Assert.Equal(label, RequestLabels.Protocols[RequestLabels.ProtocolIndex(headers)]);
    }

    [Theory]
    [InlineData(null, 2)]
    [InlineData("0", 0)]
    [InlineData("5", 5)]
    [InlineData("16", 16)]
    [InlineData("17", 2)] // beyond grpc-go's codes: Unknown
    [InlineData("\"NOT_FOUND\"", 5)]
    [InlineData("NOT_FOUND", 2)] // grpc-go reads a name only quoted (JSON)
    [InlineData("-1", 2)]
    public void Grpc_code_label(string? grpcStatus, int code) => Assert.Equal(code, RequestLabels.GrpcCode(grpcStatus));

    [Fact]
    public async Task An_observation_lands_in_every_bucket_from_the_first_bound_at_or_above_it()
    {
        var metrics = new TraefikMetrics("web", TimeProvider.System);
        foreach (var seconds in new[] { 0.05, 0.1, 0.2, 0.5, 1.2, 3, 7 })
        {
            metrics.Observe(200, RequestLabels.MethodIndex("GET"), 0, "r@file", "s@file", "s@file", TimeSpan.FromSeconds(seconds));
        }

        using var text = new MemoryStream();
        await metrics.ExportAsync(text, RoutingSnapshot.Empty, CancellationToken.None);
        var m = PrometheusText.Parse(System.Text.Encoding.UTF8.GetString(text.ToArray()));

        // le is inclusive: 0.1 is within 0.1, and 1.2 within 1.2.
        var buckets = m.Samples("traefik_service_request_duration_seconds_bucket", ("service", "s@file"));
        Assert.Equal(new[] { ("0.1", 2.0), ("0.3", 3), ("1.2", 5), ("5", 6), ("+Inf", 7) }, buckets.Select(b => (b.Labels["le"], b.Value)));
        Assert.Equal(12.05, m.Value("traefik_service_request_duration_seconds_sum", ("service", "s@file"))!.Value, 6);
    }
}
