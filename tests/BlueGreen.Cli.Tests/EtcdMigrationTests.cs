using System.Text.Json;
using BlueGreen.Core.Routing;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>`store migrate --to etcd|file` through run.sh against a real 3-node etcd cluster (issue 13, item 6).</summary>
public sealed class EtcdMigrationTests : IAsyncLifetime
{
    private EtcdCluster _etcd = null!;
    private SlotServer _a = null!;
    private SlotServer _b = null!;
    private readonly TempHome _host1 = new(null);
    private readonly TempHome _host2 = new(null);

    public async Task InitializeAsync()
    {
        _etcd = EtcdCluster.Start();
        _a = await SlotServer.StartAsync("a");
        _b = await SlotServer.StartAsync("b");
        foreach (var home in new[] { _host1, _host2 })
        {
            home.AddSite("shop", _a.Url, _b.Url, "PREVIEW_RULE=Host(`preview.shop.example.com`)\n");
        }
    }

    public async Task DisposeAsync()
    {
        _etcd.Dispose();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _host1.Dispose();
        _host2.Dispose();
    }

    private string Global(string store) => $"ROUTER_API=\nROUTING_STORE={store}\nETCD_ENDPOINTS={_etcd.Endpoints}\n";

    private static async Task Ok(TempHome home, params string[] args)
    {
        var result = await CliRunner.RunAsync(home.Root, args);
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', args)}: {result}");
    }

    [Fact]
    public async Task A_file_home_moves_to_etcd_verified_and_journaled_and_another_host_moves_it_back_to_files()
    {
        _host1.WriteGlobal(Global("file"));
        await Ok(_host1, "deploy", "shop", "--version", "v1");
        await Ok(_host1, "validate", "shop");
        await Ok(_host1, "apply", "shop", "--yes");
        var fileLines = File.ReadAllLines(_host1.JournalFile);
        var stateText = File.ReadAllText(_host1.StateFile("shop"));
        var (fileConfig, _) = RoutingFileFormat.Parse(File.ReadAllText(_host1.RoutingFile("shop")));

        var migrate = await CliRunner.RunAsync(_host1.Root, "store", "migrate", "--to", "etcd");

        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.Contains($"copied {fileLines.Length} journal entries, the state of 1 site(s) and the routing of 1 site(s) to etcd, and read them back: equal", migrate.Stdout);
        Assert.Equal(RoutingKv.Pairs(fileConfig!, "traefik").ToDictionary(p => p.Key, p => p.Value), _etcd.ReadPrefix("traefik/"));
        Assert.Equal(stateText.Trim(), _etcd.Ctl("get", "bluegreen/state/shop", "--print-value-only").Trim());
        var entries = _etcd.ReadPrefix("bluegreen/journal/entries/").Values.ToList();
        Assert.Equal([.. fileLines], entries.Take(fileLines.Length));
        Assert.Contains("\"action\":\"store-migrate\"", entries[^1]);
        Assert.Equal(entries, File.ReadAllLines(_host1.JournalFile)); // the file is now the mirror

        // A second copy would overwrite: refused, nothing touched.
        var again = await CliRunner.RunAsync(_host1.Root, "store", "migrate", "--to", "etcd");
        Assert.True(again.ExitCode == 3, again.ToString());
        Assert.Contains("etcd already holds a journal", again.Stderr);

        // Host 1 now works from etcd: its mirror is the journal there.
        _host1.WriteGlobal(Global("etcd"));
        await Ok(_host1, "journal", "verify");

        // Host 2, an empty home, copies it all back into files.
        _host2.WriteGlobal(Global("etcd"));
        await Ok(_host2, "store", "migrate", "--to", "file");
        var (back, error) = RoutingFileFormat.Parse(File.ReadAllText(_host2.RoutingFile("shop")));
        Assert.Null(error);
        Assert.Equal(RoutingKv.Text(RoutingKv.Pairs(fileConfig!, "x")), RoutingKv.Text(RoutingKv.Pairs(back!, "x")));
        Assert.Equal(stateText, File.ReadAllText(_host2.StateFile("shop")));
        var journal2 = File.ReadAllLines(_host2.JournalFile);
        Assert.Equal(entries, journal2.Take(entries.Count));
        Assert.EndsWith("to file, and read them back: equal", JsonDocument.Parse(journal2[^1]).RootElement.GetProperty("message").GetString());
        _host2.WriteGlobal(Global("file"));
        await Ok(_host2, "journal", "verify");
        // The copied state works: the next deploy goes to the candidate b, production stays on a.
        await Ok(_host2, "deploy", "shop", "--version", "v2");
        Assert.Contains("weight: 1", File.ReadAllText(_host2.RoutingFile("shop")).Split("shop-a")[1]);
    }
}
