using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Router.Tests.Support;

/// <summary>A real Kestrel upstream on 127.0.0.1:0 that answers its name and echoes what it received in X-Seen-* headers.</summary>
public sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

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

    public static async Task<TestBackend> StartAsync(string name, TimeSpan? delay = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(async context =>
        {
            var request = context.Request;
            var seen = context.Response.Headers;
            seen["X-Seen-Host"] = request.Host.Value;
            seen["X-Seen-Path"] = request.Path.Value + request.QueryString.Value;
            foreach (var h in new[] { "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto" })
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
        return new TestBackend(app, name, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
