using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using BlueGreen.Router.Tests.Support;

namespace BlueGreen.Router.Tests;

/// <summary>
/// The API's inFlight extension (docs/embedded-router.md, "API"): per server, the exchanges in flight and
/// the WebSockets and event streams open. A long-lived connection stays on the slot it was opened on
/// after a switch, and is counted there until it closes: what `deploy` waits for before reusing that slot.
/// </summary>
public sealed class DrainTests
{
    private static string Site(string aUrl, string bUrl, int weightA, int weightB) => Yaml.File(
        [Yaml.Router("shop", "PathPrefix(`/`)", "shop")],
        [Yaml.Weighted("shop", ("shop-a", weightA), ("shop-b", weightB)), Yaml.LoadBalancer("shop-a", true, aUrl), Yaml.LoadBalancer("shop-b", true, bUrl)]);

    private static async Task<(int Requests, int Streams)> LoadOfAsync(RouterHarness h, string service, string url)
    {
        var json = await h.ApiJsonAsync($"/api/http/services/{service}@file");
        var load = json!["inFlight"]![url]!;
        return (load["requests"]!.GetValue<int>(), load["streams"]!.GetValue<int>());
    }

    private static Task WaitForLoadAsync(RouterHarness h, string service, string url, (int, int) expected) =>
        RouterHarness.WaitUntilAsync(async () => await LoadOfAsync(h, service, url) == expected, $"{service} {url} to show (requests, streams) = {expected}");

    private static async Task<string> AskAsync(ClientWebSocket socket, string message, CancellationToken ct)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, ct);
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, ct);
        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }

    [Fact]
    public async Task A_websocket_opened_before_a_switch_stays_on_its_slot_and_is_counted_there_until_it_closes()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["bluegreen-shop.yml"] = Site(a.UrlText, b.UrlText, 1, 0) });
        using var timeout = new CancellationTokenSource(RouterHarness.Deadline);

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{h.Router.ProxyUrl.Authority}/ws"), timeout.Token);
        Assert.Equal("a", await AskAsync(socket, "who", timeout.Token));
        await WaitForLoadAsync(h, "shop-a", a.UrlText, (0, 1));

        // The switch: new requests reach b once the router serves the new file.
        await h.WriteAtomicAsync("bluegreen-shop.yml", Site(a.UrlText, b.UrlText, 0, 1));
        await RouterHarness.WaitUntilAsync(async () => (await h.GetAsync("shop.test", "/")).Body == "b", "new requests to reach b");

        // The open WebSocket still talks to a, and a still shows it; b shows nothing open.
        Assert.Equal("a", await AskAsync(socket, "who", timeout.Token));
        Assert.Equal("ws:still here", await AskAsync(socket, "still here", timeout.Token));
        Assert.Equal((0, 1), await LoadOfAsync(h, "shop-a", a.UrlText));
        Assert.Equal((0, 0), await LoadOfAsync(h, "shop-b", b.UrlText));

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        await WaitForLoadAsync(h, "shop-a", a.UrlText, (0, 0));
    }

    [Fact]
    public async Task Requests_in_flight_and_event_streams_are_counted_apart_and_released_when_they_end()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["bluegreen-shop.yml"] = Site(a.UrlText, b.UrlText, 1, 0) });
        using var timeout = new CancellationTokenSource(RouterHarness.Deadline);
        Assert.Equal((0, 0), await LoadOfAsync(h, "shop-a", a.UrlText));

        // A held answer is a request in flight.
        var held = h.Proxy.GetStringAsync("/hold", timeout.Token);
        await WaitForLoadAsync(h, "shop-a", a.UrlText, (1, 0));

        // An event stream starts as a request and counts as a stream once its headers say so.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/events");
        using var response = await h.Proxy.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await WaitForLoadAsync(h, "shop-a", a.UrlText, (1, 1));

        a.ReleaseHeld();
        Assert.Equal("a", await held);
        await WaitForLoadAsync(h, "shop-a", a.UrlText, (0, 1));

        a.ReleaseSecondEvent();
        Assert.Contains("data: second", await response.Content.ReadAsStringAsync(timeout.Token));
        await WaitForLoadAsync(h, "shop-a", a.UrlText, (0, 0));

        // The list shows the same field; a weighted service has none (it has no servers).
        using var list = await h.Api.GetAsync("/api/http/services");
        var services = JsonNode.Parse(await list.Content.ReadAsStringAsync(timeout.Token))!.AsArray();
        Assert.NotNull(services.Single(s => s!["name"]!.GetValue<string>() == "shop-b@file")!["inFlight"]![b.UrlText]);
        Assert.Null(services.Single(s => s!["name"]!.GetValue<string>() == "shop@file")!["inFlight"]);
    }

    [Fact]
    public async Task A_client_that_goes_away_mid_stream_is_no_longer_counted()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["r.yml"] = Yaml.Simple("shop-a", "PathPrefix(`/`)", a.UrlText) });
        using var timeout = new CancellationTokenSource(RouterHarness.Deadline);

        using (var client = new HttpClient { BaseAddress = h.Router.ProxyUrl })
        {
            using var response = await client.GetAsync("/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            await WaitForLoadAsync(h, "shop-a", a.UrlText, (0, 1));
        }

        // The client's connection is gone (the second event was never released): the stream is over.
        await WaitForLoadAsync(h, "shop-a", a.UrlText, (0, 0));
    }
}
