using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using BlueGreen.Router.Proxy;
using BlueGreen.Router.Tests.Support;

namespace BlueGreen.Router.Tests;

/// <summary>What the backend receives through the router, compared with what Traefik sends.</summary>
public sealed class ForwardingTests
{
    /// <summary>Sends exactly these bytes (no client library rewrites the target) and returns the response head's headers.</summary>
    private static async Task<Dictionary<string, string>> RawGetAsync(Uri proxy, string target, string host, params string[] extraHeaders)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(proxy.Host, proxy.Port);
        var stream = client.GetStream();
        var head = $"GET {target} HTTP/1.1\r\nHost: {host}\r\n{string.Concat(extraHeaders.Select(h => h + "\r\n"))}Connection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = new CancellationTokenSource(RouterHarness.Deadline);
        var response = await reader.ReadToEndAsync(timeout.Token);
        var lines = response.Split("\r\n\r\n")[0].Split("\r\n");
        var headers = lines.Skip(1).Select(l => l.Split(": ", 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.OrdinalIgnoreCase);
        headers[":status"] = lines[0].Split(' ')[1];
        return headers;
    }

    [Theory]
    [InlineData("/foo%2Fbar")]
    [InlineData("/foo%2fbar")]
    [InlineData("/a%20b/c")]
    [InlineData("/caf%C3%A9")]
    [InlineData("/%41BC")]
    [InlineData("/x?q=%2F&y=a+b&z=%20")]
    [InlineData("/deep/er%2F..%2Fpath")]
    public async Task The_raw_path_and_query_reach_the_backend_unchanged(string target)
    {
        await using var backend = await TestBackend.StartAsync("x");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["r.yml"] = Yaml.Simple("fwd", "Host(`fwd.test`)", backend.UrlText) });

        var seen = await RawGetAsync(h.Router.ProxyUrl, target, "fwd.test");
        Assert.Equal("200", seen[":status"]);
        Assert.Equal(target, seen["X-Seen-Raw-Target"]);
    }

    [Fact]
    public async Task A_path_with_dot_segments_is_sent_as_the_rules_saw_it()
    {
        await using var backend = await TestBackend.StartAsync("x");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["r.yml"] = Yaml.Simple("fwd", "Host(`fwd.test`)", backend.UrlText) });

        var seen = await RawGetAsync(h.Router.ProxyUrl, "/public/../admin?x=1", "fwd.test");
        Assert.Equal("/admin?x=1", seen["X-Seen-Raw-Target"]);
    }

    [Theory]
    [InlineData(null, "/a%2Fb", "/a%2Fb", "/a%2Fb")]
    [InlineData(null, "/a%20b", "/a b", "/a%20b")]
    [InlineData(null, "/a/../b", "/b", null)]
    [InlineData(null, "http://host/abs", "/abs", null)]
    [InlineData(null, "*", "", null)]
    [InlineData(null, "", "/", null)]
    public void Decides_when_the_raw_target_is_safe_to_send(string? _, string raw, string decoded, string? expected)
    {
        Assert.Equal(expected, ForwardedTarget.RawPathAndQuery(raw, decoded));
    }

    [Theory]
    [InlineData("/", true)]
    [InlineData("/api/v1/items?q=a%20b&x=\"y\"", true)] // the query is copied as sent whatever it holds
    [InlineData("/a/../b", true)] // YARP sends Kestrel's normalised path, as RawPathAndQuery would choose
    [InlineData("/a%2Fb", false)]
    [InlineData("/a\"b", false)] // YARP would encode the quote
    [InlineData("/caf\u00e9", false)]
    [InlineData("http://host/abs", false)]
    [InlineData("*", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void A_plain_target_is_left_to_YARP_which_already_sends_its_bytes(string? raw, bool plain)
    {
        Assert.Equal(plain, ForwardedTarget.IsPlain(raw));
    }

    [Theory]
    [InlineData(8080, "http", "8080")]
    [InlineData(null, "http", "80")]
    [InlineData(null, "ws", "80")]
    [InlineData(null, "https", "443")]
    [InlineData(null, "wss", "443")]
    public void The_forwarded_port_is_traefiks(int? hostPort, string proto, string expected)
    {
        Assert.Equal(expected, ForwardedTarget.Port(hostPort, proto));
    }

    [Fact]
    public async Task Forwarded_headers_are_set_as_traefik_sets_them_and_a_clients_claims_are_dropped()
    {
        await using var backend = await TestBackend.StartAsync("x");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["r.yml"] = Yaml.Simple("fwd", "Host(`fwd.test`)", backend.UrlText) });

        var seen = await RawGetAsync(
            h.Router.ProxyUrl, "/p", "fwd.test",
            "X-Forwarded-For: 6.6.6.6", "X-Real-Ip: 6.6.6.6", "X-Forwarded-Port: 1", "X-Forwarded-Uri: /evil", "X_Forwarded_Prefix: /evil", "X-Forwarded-Proto: https");
        Assert.Equal("127.0.0.1", seen["X-Seen-X-Forwarded-For"]);
        Assert.Equal("127.0.0.1", seen["X-Seen-X-Real-Ip"]);
        Assert.Equal("fwd.test", seen["X-Seen-X-Forwarded-Host"]);
        Assert.Equal("http", seen["X-Seen-X-Forwarded-Proto"]);
        Assert.Equal("80", seen["X-Seen-X-Forwarded-Port"]); // no port in Host: Traefik says 80
        Assert.Equal(Dns.GetHostName(), seen["X-Seen-X-Forwarded-Server"]);
        Assert.Equal("", seen["X-Seen-X-Forwarded-Uri"]);
        Assert.Equal("", seen["X-Seen-X_Forwarded_Prefix"]);

        var withPort = await RawGetAsync(h.Router.ProxyUrl, "/p", "fwd.test:8443");
        Assert.Equal("8443", withPort["X-Seen-X-Forwarded-Port"]);
        Assert.Equal("fwd.test:8443", withPort["X-Seen-X-Forwarded-Host"]);
    }

    [Fact]
    public async Task A_websocket_is_upgraded_and_proxied_both_ways()
    {
        await using var backend = await TestBackend.StartAsync("x");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["r.yml"] = Yaml.Simple("ws", "PathPrefix(`/ws`)", backend.UrlText) });

        using var timeout = new CancellationTokenSource(RouterHarness.Deadline);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{h.Router.ProxyUrl.Authority}/ws"), timeout.Token);
        var buffer = new byte[1024];
        foreach (var message in new[] { "hello", "again" })
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, timeout.Token);
            var received = await socket.ReceiveAsync(buffer, timeout.Token);
            // The backend prefixes the X-Forwarded-Proto of the upgrade: Traefik says "ws".
            Assert.Equal($"ws:{message}", Encoding.UTF8.GetString(buffer, 0, received.Count));
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.Equal(WebSocketState.Closed, socket.State);
    }

    [Fact]
    public async Task An_event_stream_reaches_the_client_event_by_event()
    {
        await using var backend = await TestBackend.StartAsync("x");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["r.yml"] = Yaml.Simple("sse", "Host(`sse.test`)", backend.UrlText) });

        using var timeout = new CancellationTokenSource(RouterHarness.Deadline);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/events");
        request.Headers.Host = "sse.test";
        using var response = await h.Proxy.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        // The first event arrives while the backend still holds the second: nothing is buffered on the way.
        Assert.Equal("data: first", await reader.ReadLineAsync(timeout.Token));
        Assert.Equal("", await reader.ReadLineAsync(timeout.Token));
        backend.ReleaseSecondEvent();
        Assert.Equal("data: second", await reader.ReadLineAsync(timeout.Token));
    }
}
