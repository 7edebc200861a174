using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// Two homes that stand for two hosts, a real 3-node etcd cluster they can share, and the two slot servers of one
/// site, `shop`, described alike in both homes. Each test class decides how the homes' global.conf points at etcd.
/// </summary>
public abstract class TwoHostsOnEtcd(string siteExtra) : IAsyncLifetime
{
    protected EtcdCluster Etcd { get; private set; } = null!;

    protected SlotServer SlotA { get; private set; } = null!;

    protected SlotServer SlotB { get; private set; } = null!;

    protected TempHome Host1 { get; } = new(null);

    protected TempHome Host2 { get; } = new(null);

    public virtual async Task InitializeAsync()
    {
        Etcd = EtcdCluster.Start();
        SlotA = await SlotServer.StartAsync("a");
        SlotB = await SlotServer.StartAsync("b");
        foreach (var home in new[] { Host1, Host2 })
        {
            home.AddSite("shop", SlotA.Url, SlotB.Url, "PREVIEW_RULE=Host(`preview.shop.example.com`)\n" + siteExtra);
        }
    }

    public virtual async Task DisposeAsync()
    {
        Etcd.Dispose();
        await SlotA.DisposeAsync();
        await SlotB.DisposeAsync();
        Host1.Dispose();
        Host2.Dispose();
    }
}
