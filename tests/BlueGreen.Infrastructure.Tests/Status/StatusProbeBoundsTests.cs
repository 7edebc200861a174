using BlueGreen.Core.Configuration;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.State;
using BlueGreen.Infrastructure.Status;
using BlueGreen.Testing;
using Microsoft.AspNetCore.Http;

namespace BlueGreen.Infrastructure.Tests.Status;

/// <summary>
/// status's probes: at most STATUS_PARALLELISM at once (a real slot server counts the requests it holds), and
/// nothing past STATUS_DEADLINE (a slot that never answers is reported as unknown, and the read ends).
/// </summary>
public sealed class StatusProbeBoundsTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TempHome _home = new();
    private readonly HttpClient _http = Net.HttpClients.Create();

    public void Dispose()
    {
        _http.Dispose();
        _home.Dispose();
    }

    private Home Home => Home.At(_home.Root);

    /// <summary>A site live on slot a (state and routing file agree), its slot a at <paramref name="slotA"/>.</summary>
    private void AddLiveSite(string site, Uri slotA)
    {
        _home.AddSite(site, slotA, new Uri("http://127.0.0.1:1"));
        new StateStore(Home).Write(
            new SiteState
            {
                Site = site,
                Live = Slot.A,
                SlotA = SlotLife.Deployed(new Deployment("d1", "v1", Now, "ops@host")),
                SlotB = SlotLife.Deployed(new Deployment("d2", "v2", Now, "ops@host")),
            },
            Now);
        var (config, _) = ConfigLoader.LoadSite(Home, site, new GlobalConfig());
        Directory.CreateDirectory(Path.GetDirectoryName(_home.RoutingFile(site))!);
        File.WriteAllText(_home.RoutingFile(site), RoutingPlanner.Render(config!, Slot.A, Slot.B, "test"));
    }

    private Task<IReadOnlyList<SiteStatus>> ReadAsync(IReadOnlyCollection<string> sites, int parallelism, TimeSpan deadline) =>
        new StatusReader(Home, new GlobalConfig { RouterApis = "", StatusParallelism = parallelism, StatusDeadline = deadline }, _http)
            .ReadAsync(sites, StatusProbes.All, CancellationToken.None);

    [Fact]
    public async Task No_more_probes_than_status_parallelism_are_in_flight_at_once()
    {
        const int Bound = 3;
        var inFlight = 0;
        var most = 0;
        var full = new SemaphoreSlim(0);
        // Each request is held until Bound of them are in flight together (or 2 s have passed): a reader that
        // sent more at once would push the count above Bound; one that sent them one by one would never reach it.
        await using var slot = await SlotServer.StartAsync(async context =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            if (now >= Bound)
            {
                full.Release(Bound);
            }

            await full.WaitAsync(TimeSpan.FromSeconds(2), context.RequestAborted);
            Interlocked.Decrement(ref inFlight);
            context.Response.StatusCode = 200;
            await context.Response.WriteAsync("ok", context.RequestAborted);
        });
        var sites = Enumerable.Range(1, 4 * Bound).Select(i => $"site{i}").ToList();
        sites.ForEach(site => AddLiveSite(site, slot.Url));

        var statuses = await ReadAsync(sites, Bound, TimeSpan.FromMinutes(1));

        Assert.All(statuses, s => Assert.Equal("up", s.Live!.Health));
        Assert.Equal(Bound, Volatile.Read(ref most));
    }

    [Fact]
    public async Task A_slot_that_never_answers_is_reported_unknown_at_the_deadline_and_the_read_ends()
    {
        await using var hung = await SlotServer.StartAsync(async context => await Task.Delay(Timeout.Infinite, context.RequestAborted));
        AddLiveSite("stuck", hung.Url);

        // The deadline (300 ms) comes before the probe's own timeout (1.5 s): the answer names the deadline.
        var status = Assert.Single(await ReadAsync(["stuck"], parallelism: 4, TimeSpan.FromMilliseconds(300)));

        Assert.Equal("unknown (no answer within STATUS_DEADLINE, 300ms)", status.Live!.Health);
        Assert.Contains("the live slot's health is unknown (no answer within STATUS_DEADLINE, 300ms)", status.Attention);
    }

    [Fact]
    public async Task A_probe_still_waiting_for_its_turn_at_the_deadline_is_unknown_too()
    {
        await using var hung = await SlotServer.StartAsync(async context => await Task.Delay(Timeout.Infinite, context.RequestAborted));
        var asked = 0;
        await using var fine = await SlotServer.StartAsync(async context =>
        {
            Interlocked.Increment(ref asked);
            await context.Response.WriteAsync("ok", context.RequestAborted);
        });
        AddLiveSite("a-stuck", hung.Url);
        AddLiveSite("b-fine", fine.Url);

        // One probe at a time, and the first one holds its turn until the deadline: the second never runs.
        var statuses = await ReadAsync(["a-stuck", "b-fine"], parallelism: 1, TimeSpan.FromMilliseconds(300));

        Assert.All(statuses, s => Assert.StartsWith("unknown (no answer within STATUS_DEADLINE", s.Live!.Health));
        Assert.Equal(0, Volatile.Read(ref asked));
    }

    [Fact]
    public async Task The_callers_cancellation_still_ends_the_read_with_an_exception()
    {
        await using var hung = await SlotServer.StartAsync(async context => await Task.Delay(Timeout.Infinite, context.RequestAborted));
        AddLiveSite("stuck", hung.Url);
        using var cancel = new CancellationTokenSource();
        var reader = new StatusReader(Home, new GlobalConfig { RouterApis = "", StatusDeadline = TimeSpan.FromMinutes(5) }, _http);

        var read = reader.ReadAsync(["stuck"], StatusProbes.All, cancel.Token);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var was && was != seen)
        {
            seen = was;
        }
    }
}
