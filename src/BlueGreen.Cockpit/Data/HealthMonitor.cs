using System.Collections.Concurrent;
using BlueGreen.Core.Status;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.Status;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Cockpit.Data;

/// <summary>One probe of a live slot: what it said and when.</summary>
public sealed record HealthReading(string Slot, string Url, string Health, DateTimeOffset At);

/// <summary>One reading of the router's API for a site: what it serves, and when it was asked.</summary>
public sealed record RouterReading(RouterView View, DateTimeOffset At);

/// <summary>
/// Probes every live slot and reads the router's API in the background, so that rendering a page never
/// waits on the network (a hung slot or router must not hang the operators' view of the others).
/// </summary>
internal sealed class HealthMonitor(CockpitSources sources, TimeSpan interval, TimeProvider clock, ILogger<HealthMonitor> logger)
{
    private readonly ConcurrentDictionary<string, HealthReading> _readings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RouterReading> _routers = new(StringComparer.Ordinal);

    /// <summary>The last reading of the router's API for the site, null before the first round.</summary>
    public RouterReading? RouterFor(string site) => _routers.GetValueOrDefault(site);

    /// <summary>The last reading of the site's live slot, if it still is the slot and URL probed.</summary>
    public HealthReading? For(string site, SlotStatus? live) =>
        live is not null && _readings.TryGetValue(site, out var r) && r.Slot == live.Slot && r.Url == live.Url ? r : null;

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval, clock);
        do
        {
            try
            {
                await ProbeAllAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Hosting.CockpitLog.HealthRoundFailed(logger, e.Message);
            }
        }
        while (await NextAsync(timer, ct));
    }

    private static async Task<bool> NextAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task ProbeAllAsync(CancellationToken ct)
    {
        var names = ConfigLoader.SiteNames(sources.Home);
        var statuses = await sources.StatusReader.ReadAsync(names, StatusProbes.All, ct);
        var now = clock.GetUtcNow();
        foreach (var s in statuses)
        {
            _routers[s.Site] = new RouterReading(s.Router ?? RouterView.NotChecked("not probed"), now);
            if (s.Live is { Health: { } health } live)
            {
                _readings[s.Site] = new HealthReading(live.Slot, live.Url, health, now);
            }
            else
            {
                _readings.TryRemove(s.Site, out _);
            }
        }
    }
}
