using System.Net;
using BlueGreen.Cockpit.Admin;
using BlueGreen.Cockpit.Api;
using BlueGreen.Cockpit.Data;
using BlueGreen.Cockpit.Metrics;
using BlueGreen.Core.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Cockpit.Hosting;

/// <summary>Starts the cockpit. Safe mode maps GET endpoints only; admin mode adds login and the run.sh actions.</summary>
public static class CockpitHost
{
    /// <param name="loggers">Where every line goes, Kestrel's included; its filters decide the levels.</param>
    public static async Task<RunningCockpit> StartAsync(CockpitOptions options, ILoggerFactory loggers, CancellationToken ct)
    {
        var listen = ListenAddress.TryParse(options.EffectiveListen, out var parsed, out var listenError)
            ? parsed
            : throw new CockpitStartException($"COCKPIT_LISTEN: {listenError}");
        var admin = options.Mode == CockpitMode.Admin;
        var https = admin && options.Global.CockpitAllowRemote && options.Global.CockpitHttpsCert.Length > 0;
        AdminToken? token = null;
        RunSh? runSh = null;
        if (admin)
        {
            CheckAdminListen(options, listen);
            token = AdminToken.Load(options.Home.Resolve(options.Global.CockpitAdminTokenFile));
            runSh = new RunSh(RunSh.Locate(options.RunSh), options.Home.Root, loggers.CreateLogger<RunSh>());
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Replace(ServiceDescriptor.Singleton(loggers));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(listen.EndPoint, l =>
            {
                if (https)
                {
                    l.UseHttps(options.Home.Resolve(options.Global.CockpitHttpsCert));
                }
            });
        });

        var app = builder.Build();
        var sources = new CockpitSources(options.Home, options.Global, options.Clock);
        var health = new HealthMonitor(sources, options.HealthInterval, options.Clock, loggers.CreateLogger<HealthMonitor>());
        var runtime = new CockpitRuntime(options, new CockpitReader(sources, health, options.Clock), sources, loggers) { Token = token, RunSh = runSh, LoopbackOnly = admin && listen.IsLoopback };

        app.Use(SecurityHeaders);
        if (admin)
        {
            app.Use((http, next) => AdminEndpoints.RequireSession(http, runtime, () => next(http)));
        }
        else
        {
            app.Use(ReadOnly);
        }

        app.Use((http, next) => ReadEndpoints.StoreUnavailable(http, runtime, () => next(http)));

        ReadEndpoints.Map(app, runtime);
        ApiEndpoints.Map(app, runtime);
        MetricsEndpoint.Map(app, runtime);
        if (admin)
        {
            AdminEndpoints.Map(app, runtime);
        }

        await app.StartAsync(ct);
        var background = new CancellationTokenSource();
        _ = health.RunAsync(background.Token);
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var url = bound;
        CockpitLog.Listening(loggers.CreateLogger<RunningCockpit>(), url, admin ? "admin mode: actions run ./run.sh" : "safe mode, read-only");
        return new RunningCockpit(app, url, background);
    }

    /// <summary>Admin actions switch production: loopback only, unless remote access is asked for over HTTPS.</summary>
    private static void CheckAdminListen(CockpitOptions options, ListenAddress listen)
    {
        if (listen.IsLoopback)
        {
            return;
        }

        if (!options.Global.CockpitAllowRemote)
        {
            throw new CockpitStartException(
                $"admin mode listens on loopback only, and COCKPIT_LISTEN={options.EffectiveListen} is not loopback; use 127.0.0.1, or set COCKPIT_ALLOW_REMOTE=1 with COCKPIT_HTTPS_CERT");
        }

        if (options.Global.CockpitHttpsCert.Length == 0)
        {
            throw new CockpitStartException("COCKPIT_ALLOW_REMOTE=1 needs COCKPIT_HTTPS_CERT (a PFX certificate): admin mode never listens beyond loopback without HTTPS");
        }

        if (!File.Exists(options.Home.Resolve(options.Global.CockpitHttpsCert)))
        {
            throw new CockpitStartException($"COCKPIT_HTTPS_CERT: {options.Home.Resolve(options.Global.CockpitHttpsCert)} does not exist");
        }
    }

    /// <summary>Safe mode has no mutating endpoint at all; this makes sure no method but GET/HEAD even reaches routing.</summary>
    private static Task ReadOnly(HttpContext http, Func<Task> next)
    {
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
        {
            return next();
        }

        http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        http.Response.Headers.Allow = "GET, HEAD";
        return http.Response.WriteAsync("safe mode, read-only: this cockpit accepts GET only\n");
    }

    private static Task SecurityHeaders(HttpContext http, Func<Task> next)
    {
        // Server-Timing: how long the page took to build, for the bench and the browser's dev tools.
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        http.Response.OnStarting(() =>
        {
            var ms = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            http.Response.Headers["Server-Timing"] = $"app;dur={ms.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)}";
            return Task.CompletedTask;
        });
        var h = http.Response.Headers;
        h.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        h.XContentTypeOptions = "nosniff";
        // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on the cockpit's
        // own form posts, and the origin check needs the real one. Other sites still get no Referer.
        h["Referrer-Policy"] = "same-origin";
        h.CacheControl = "no-store";
        return next();
    }
}
