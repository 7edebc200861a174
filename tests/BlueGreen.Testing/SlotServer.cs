using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Testing;

/// <summary>A real HTTP server on 127.0.0.1 (port chosen by the OS) standing in for one slot of a site.</summary>
public sealed class SlotServer : IAsyncDisposable
{
    private WebApplication _app = null!;

    private SlotServer(string name) => Name = name;

    public string Name { get; }

    /// <summary>What /health answers; change it to make the slot sick.</summary>
    public int HealthStatus { get; set; } = 200;

    public string Body { get; set; } = "ok";

    public TimeSpan Delay { get; set; }

    public Uri Url { get; private set; } = null!;

    /// <summary>A slot whose /health answers <see cref="HealthStatus"/> and <see cref="Body"/>, and every other path "slot=NAME".</summary>
    public static Task<SlotServer> StartAsync(string name = "slot")
    {
        var server = new SlotServer(name);
        return server.ListenAsync(async context =>
        {
            if (server.Delay > TimeSpan.Zero)
            {
                await Task.Delay(server.Delay, context.RequestAborted);
            }

            context.Response.StatusCode = context.Request.Path == "/health" ? server.HealthStatus : 200;
            await context.Response.WriteAsync(context.Request.Path == "/health" ? server.Body : $"slot={server.Name}");
        });
    }

    /// <summary>A slot answering every request with <paramref name="handler"/>.</summary>
    public static Task<SlotServer> StartAsync(RequestDelegate handler) => new SlotServer("slot").ListenAsync(handler);

    /// <summary>A slot answering every request with this status and body, after an optional delay.</summary>
    public static Task<SlotServer> StartAsync(int status, string body, TimeSpan? delay = null) =>
        StartAsync(async context =>
        {
            if (delay is { } d)
            {
                await Task.Delay(d, context.RequestAborted);
            }

            context.Response.StatusCode = status;
            await context.Response.WriteAsync(body, context.RequestAborted);
        });

    private async Task<SlotServer> ListenAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Run(handler);
        await _app.StartAsync();
        Url = new Uri(_app.Urls.First());
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        // A slow handler must not hold the test up: requests still running after 2 s are cut.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
