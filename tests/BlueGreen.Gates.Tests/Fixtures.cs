using BlueGreen.Core.Configuration;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Core.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Gates.Tests;

/// <summary>A real Kestrel server on 127.0.0.1, any free port, answering every request with a handler.</summary>
internal sealed class SlotServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SlotServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<SlotServer> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        return new SlotServer(app, new Uri(app.Urls.First()));
    }

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

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>A fresh directory under /tmp, deleted at the end of a test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("bg-gates-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class Candidates
{
    public static SiteConfig Site(Uri? slotB = null) => new()
    {
        Name = "shop",
        Rule = "Host(`shop.example.com`)",
        SlotAUrl = new Uri("http://127.0.0.1:1"),
        SlotBUrl = slotB ?? new Uri("http://127.0.0.1:2"),
        HealthTimeout = TimeSpan.FromSeconds(2),
    };

    public static Deployment Deployment(DateTimeOffset? at = null, LogMark? log = null) =>
        new("dep-1", "1.2.3", at ?? DateTimeOffset.UtcNow, "tester@host", log);

    /// <summary>The candidate is slot b at the site's slot B URL.</summary>
    public static CandidateView On(SiteConfig site, string home, Deployment? deployment = null) =>
        new(site, Slot.B, site.SlotBUrl, deployment ?? Deployment(), home);
}
