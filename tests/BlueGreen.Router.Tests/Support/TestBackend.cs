using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Router.Tests.Support;

/// <summary>
/// A real Kestrel upstream on 127.0.0.1:0 that answers its name and echoes what it received in X-Seen-*
/// headers; /ws is a WebSocket echo (the message "who" gets the backend's name), /events an event stream whose
/// second event waits for <see cref="ReleaseSecondEvent"/>, and /hold an answer held until <see cref="ReleaseHeld"/>.
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource _secondEvent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TestBackend(WebApplication app, string name, Uri url)
    {
        _app = app;
        Name = name;
        Url = url;
    }

    public string Name { get; }

    /// <summary>Base URL without a trailing slash, as routing files hold it.</summary>
    public Uri Url { get; }

    public string UrlText => Url.ToString().TrimEnd('/');

    public void ReleaseSecondEvent() => _secondEvent.TrySetResult();

    public void ReleaseHeld() => _held.TrySetResult();

    public static async Task<TestBackend> StartAsync(string name, TimeSpan? delay = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.UseWebSockets();
        TestBackend? self = null;
        app.Run(async context =>
        {
            var request = context.Request;
            if (request.Path == "/ws" && context.WebSockets.IsWebSocketRequest)
            {
                await EchoAsync(await context.WebSockets.AcceptWebSocketAsync(), request.Headers["X-Forwarded-Proto"].ToString(), name);
                return;
            }

            if (request.Path == "/events")
            {
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync("data: first\n\n");
                await context.Response.Body.FlushAsync();
                await self!._secondEvent.Task.WaitAsync(context.RequestAborted);
                await context.Response.WriteAsync("data: second\n\n");
                return;
            }

            if (request.Path == "/hold")
            {
                await self!._held.Task.WaitAsync(context.RequestAborted);
                await context.Response.WriteAsync(name);
                return;
            }

            var seen = context.Response.Headers;
            seen["X-Seen-Host"] = request.Headers.Host.ToString(); // as sent: HostString.Value would be Unicode for punycode
            var path = request.Path.Value + request.QueryString.Value;
            seen["X-Seen-Path"] = path.All(char.IsAscii) ? path : Uri.EscapeDataString(path); // header values are ASCII
            seen["X-Seen-Raw-Target"] = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget;
            foreach (var h in new[] { "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Port", "X-Forwarded-Server", "X-Real-Ip", "X-Forwarded-Uri", "X_Forwarded_Prefix" })
            {
                seen["X-Seen-" + h] = request.Headers[h].ToString();
            }

            if (delay is { } d)
            {
                await Task.Delay(d);
            }

            await context.Response.WriteAsync(name);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return self = new TestBackend(app, name, new Uri(address));
    }

    /// <summary>Echoes every text message, prefixed with the X-Forwarded-Proto the upgrade request carried; "who" gets the name.</summary>
    private static async Task EchoAsync(System.Net.WebSockets.WebSocket socket, string proto, string name)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (received.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
            {
                await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                return;
            }

            var text = System.Text.Encoding.UTF8.GetString(buffer, 0, received.Count);
            var reply = System.Text.Encoding.UTF8.GetBytes(text == "who" ? name : proto + ":" + text);
            await socket.SendAsync(reply, System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
