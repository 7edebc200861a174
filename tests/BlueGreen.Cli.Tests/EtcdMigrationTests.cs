using System.Text.Json;
using BlueGreen.Core.Routing;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>`store migrate --to etcd|file` through run.sh against a real 3-node etcd cluster (issue 13, item 6).</summary>
public sealed class EtcdMigrationTests() : TwoHostsOnEtcd("")
{
    private string Global(string store) => $"ROUTER_API=\nROUTING_STORE={store}\nETCD_ENDPOINTS={Etcd.Endpoints}\n";

    private static async Task Ok(TempHome home, params string[] args)
    {
        var result = await CliRunner.RunAsync(home.Root, args);
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', args)}: {result}");
    }

    [Fact]
    public async Task A_file_home_moves_to_etcd_verified_and_journaled_and_another_host_moves_it_back_to_files()
    {
        Host1.WriteGlobal(Global("file"));
        await Ok(Host1, "deploy", "shop", "--version", "v1");
        await Ok(Host1, "validate", "shop");
        await Ok(Host1, "apply", "shop", "--yes");
        var fileLines = File.ReadAllLines(Host1.JournalFile);
        var stateText = File.ReadAllText(Host1.StateFile("shop"));
        var (fileConfig, _) = RoutingFileFormat.Parse(File.ReadAllText(Host1.RoutingFile("shop")));

        var migrate = await CliRunner.RunAsync(Host1.Root, "store", "migrate", "--to", "etcd");

        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.Contains($"copied {fileLines.Length} journal entries, the state of 1 site(s) and the routing of 1 site(s) to etcd, and read them back: equal", migrate.Stdout);
        Assert.Equal(RoutingKv.Pairs(fileConfig!, "traefik").ToDictionary(p => p.Key, p => p.Value), Etcd.ReadPrefix("traefik/"));
        Assert.Equal(stateText.Trim(), Etcd.Ctl("get", "bluegreen/state/shop", "--print-value-only").Trim());
        var entries = Etcd.ReadPrefix("bluegreen/journal/entries/").Values.ToList();
        Assert.Equal([.. fileLines], entries.Take(fileLines.Length));
        Assert.Contains("\"action\":\"store-migrate\"", entries[^1]);
        Assert.Equal(entries, File.ReadAllLines(Host1.JournalFile)); // the file is now the mirror

        // A second copy would overwrite: refused, nothing touched.
        var again = await CliRunner.RunAsync(Host1.Root, "store", "migrate", "--to", "etcd");
        Assert.True(again.ExitCode == 3, again.ToString());
        Assert.Contains("etcd already holds a journal", again.Stderr);

        // Host 1 now works from etcd: its mirror is the journal there.
        Host1.WriteGlobal(Global("etcd"));
        await Ok(Host1, "journal", "verify");

        // Host 2, an empty home, copies it all back into files.
        Host2.WriteGlobal(Global("etcd"));
        await Ok(Host2, "store", "migrate", "--to", "file");
        var (back, error) = RoutingFileFormat.Parse(File.ReadAllText(Host2.RoutingFile("shop")));
        Assert.Null(error);
        Assert.Equal(RoutingKv.Text(RoutingKv.Pairs(fileConfig!, "x")), RoutingKv.Text(RoutingKv.Pairs(back!, "x")));
        Assert.Equal(stateText, File.ReadAllText(Host2.StateFile("shop")));
        var journal2 = File.ReadAllLines(Host2.JournalFile);
        Assert.Equal(entries, journal2.Take(entries.Count));
        Assert.EndsWith("to file, and read them back: equal", JsonDocument.Parse(journal2[^1]).RootElement.GetProperty("message").GetString());
        Host2.WriteGlobal(Global("file"));
        await Ok(Host2, "journal", "verify");
        // The copied state works: the next deploy goes to the candidate b, production stays on a.
        await Ok(Host2, "deploy", "shop", "--version", "v2");
        Assert.Contains("weight: 1", File.ReadAllText(Host2.RoutingFile("shop")).Split("shop-a")[1]);
    }

    [Fact]
    public async Task A_state_file_of_format_2_moves_to_etcd_as_format_3()
    {
        Host1.WriteGlobal(Global("file"));
        await Ok(Host1, "deploy", "shop", "--version", "v1");
        await Ok(Host1, "validate", "shop");
        await Ok(Host1, "apply", "shop", "--yes");
        // The same state as the release before slot lives wrote it: format 2, slot_a the deployment itself.
        var state = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Host1.StateFile("shop")))!.AsObject();
        var deployment = state["slot_a"]!["deployment"]!.DeepClone();
        state["format"] = 2;
        state["slot_a"] = deployment;
        state.Remove("slot_b");
        File.WriteAllText(Host1.StateFile("shop"), state.ToJsonString());

        var migrate = await CliRunner.RunAsync(Host1.Root, "store", "migrate", "--to", "etcd");

        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        var copied = JsonDocument.Parse(Etcd.Ctl("get", "bluegreen/state/shop", "--print-value-only")).RootElement;
        Assert.Equal(3, copied.GetProperty("format").GetInt32());
        Assert.Equal(("deployed", deployment["id"]!.GetValue<string>()), (copied.GetProperty("slot_a").GetProperty("phase").GetString(), copied.GetProperty("slot_a").GetProperty("deployment").GetProperty("id").GetString()));
        Assert.Equal("empty", copied.GetProperty("slot_b").GetProperty("phase").GetString());
    }
}
