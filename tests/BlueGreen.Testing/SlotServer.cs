using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Testing;

/// <summary>A real HTTP server on 127.0.0.1 (port chosen by the OS) standing in for one slot of a site.</summary>
public sealed class SlotServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SlotServer(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    public string Name { get; }

    /// <summary>What /health answers; change it to make the slot sick.</summary>
    public int HealthStatus { get; set; } = 200;

    public string Body { get; set; } = "ok";

    public TimeSpan Delay { get; set; }

    public Uri Url { get; private set; } = null!;

    public static async Task<SlotServer> StartAsync(string name = "slot")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new SlotServer(app, name);
        app.Run(async context =>
        {
            if (server.Delay > TimeSpan.Zero)
            {
                await Task.Delay(server.Delay, context.RequestAborted);
            }

            context.Response.StatusCode = context.Request.Path == "/health" ? server.HealthStatus : 200;
            await context.Response.WriteAsync(context.Request.Path == "/health" ? server.Body : $"slot={server.Name}");
        });
        await app.StartAsync();
        server.Url = new Uri(app.Urls.First());
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
