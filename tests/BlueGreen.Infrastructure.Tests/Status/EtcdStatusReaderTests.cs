using BlueGreen.Core.Configuration;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.State;
using BlueGreen.Infrastructure.Status;
using BlueGreen.Testing;

namespace BlueGreen.Infrastructure.Tests.Status;

/// <summary>
/// With ROUTING_STORE=etcd a status read is one snapshot of a real etcd member: the journal, the states, the routing
/// tree and the locks are read at one revision, so a switch committed between two of those reads is not drift.
/// </summary>
public sealed class EtcdStatusReaderTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly EtcdCluster _etcd = EtcdCluster.Start(1);
    private readonly TempHome _home = new();
    private readonly HttpClient _http = new();
    private readonly GlobalConfig _global;
    private readonly EtcdStore _store;

    public EtcdStatusReaderTests()
    {
        _home.AddSite("shop", new Uri("http://127.0.0.1:1"), new Uri("http://127.0.0.1:2"));
        _global = new GlobalConfig { RouterApis = "", RoutingStore = RoutingStoreKind.Etcd, EtcdEndpoints = _etcd.Endpoints };
        _store = EtcdStore.For(_global)!;
    }

    public void Dispose()
    {
        _store.RangeObserver = null;
        _http.Dispose();
        _etcd.Dispose();
        _home.Dispose();
    }

    private Home Home => Home.At(_home.Root);

    /// <summary>What a switch to <paramref name="live"/> leaves in etcd: the site's routing keys and its state.</summary>
    private void Switched(Slot live)
    {
        var (site, _) = ConfigLoader.LoadSite(Home, "shop", _global);
        var pairs = RoutingKv.Pairs(RoutingPlanner.Build(site!, live, live.Other()), _store.RoutingPrefix);
        Assert.True(_store.Transact([], [.. pairs.Select(p => EtcdStore.Put(p.Key, p.Value))])); // the same keys either way, other values
        new StateStore(Home, TimeProvider.System, _store).Write(new SiteState
        {
            Site = "shop",
            Live = live,
            RollbackTarget = live.Other(),
            SlotA = SlotLife.Deployed(new Deployment("d1", "v1", Now, "ops@host")),
            SlotB = SlotLife.Deployed(new Deployment("d2", "v2", Now, "ops@host")),
        }, Now);
    }

    [Fact]
    public async Task A_switch_committed_between_the_reads_of_one_status_call_is_not_drift_and_every_read_is_at_one_revision()
    {
        Switched(Slot.A);
        var ranges = new List<Etcdserverpb.RangeRequest>();
        var switched = false;
        _store.RangeObserver = request =>
        {
            ranges.Add(request);
            // Once the states were read, and before the routing tree is: a whole switch to b is committed.
            if (!switched && request.Key.ToStringUtf8() == _store.RoutingPrefix + "/http/")
            {
                switched = true;
                Switched(Slot.B);
            }
        };

        var status = Assert.Single(await new StatusReader(Home, _global, _http).ReadAsync(["shop"], StatusProbes.None, CancellationToken.None));
        _store.RangeObserver = null;

        Assert.True(switched, "the routing tree was read");
        Assert.Null(status.Drift);
        Assert.Equal("a", status.Live?.Slot);
        // The first read takes the revision; every read of the snapshot is at it (the switch's own reads and writes aside).
        var snapshot = ranges.TakeWhile(r => r.Key.ToStringUtf8() != _store.RoutingPrefix + "/http/").ToList();
        Assert.True(ranges[0].CountOnly && ranges[0].Revision == 0, ranges[0].ToString());
        var revision = ranges[1].Revision;
        Assert.True(revision > 0, ranges[1].ToString());
        Assert.All(snapshot.Skip(1), r => Assert.Equal(revision, r.Revision));
        Assert.Contains(ranges, r => r.Key.ToStringUtf8() == _store.StatesPrefix && r.Revision == revision);
        Assert.Contains(ranges, r => r.Key.ToStringUtf8() == _store.RoutingPrefix + "/http/" && r.Revision == revision);
        Assert.Contains(ranges, r => r.Key.ToStringUtf8() == _store.LocksPrefix && r.Revision == revision);

        // The next read sees the switch whole.
        var after = Assert.Single(await new StatusReader(Home, _global, _http).ReadAsync(["shop"], StatusProbes.None, CancellationToken.None));
        Assert.Null(after.Drift);
        Assert.Equal("b", after.Live?.Slot);
    }
}
