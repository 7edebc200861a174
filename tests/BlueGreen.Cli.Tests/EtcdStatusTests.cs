using System.Text.Json;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// With ROUTING_STORE=etcd, `status` and the maintenance lock are the cluster's, not a host's: what host 1 did (a
/// switch, a deploy still running, a maintenance hold) is what host 2 sees, and an unreachable cluster is one line.
/// Two homes on one real etcd cluster stand for the two hosts.
/// </summary>
public sealed class EtcdStatusTests() : TwoHostsOnEtcd("")
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        foreach (var home in new[] { Host1, Host2 })
        {
            home.WriteGlobal($"ROUTER_API=\nROUTING_STORE=etcd\nETCD_ENDPOINTS={Etcd.Endpoints}\n");
        }
    }

    private static Task<CliResult> Run(TempHome home, params string[] args) => CliRunner.RunAsync(home.Root, args);

    private static async Task Ok(TempHome home, params string[] args)
    {
        var result = await Run(home, args);
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', args)}: {result}");
    }

    private static JsonElement Site(CliResult result) => JsonDocument.Parse(result.Stdout).RootElement.GetProperty("sites")[0];

    [Fact]
    public async Task Host_2s_status_shows_host_1s_switch_reads_the_routing_in_etcd_and_says_in_one_line_when_etcd_is_unreachable()
    {
        await Ok(Host1, "deploy", "shop", "--version", "v1");
        await Ok(Host1, "validate", "shop");
        await Ok(Host1, "apply", "shop", "--yes");
        var actor = $"{Environment.UserName}@{Environment.MachineName}";

        // Host 2 never ran a command: everything it shows comes from etcd. Without a terminal, tab-separated.
        foreach (var args in new[] { new[] { "status" }, ["status", "shop"] })
        {
            var text = await Run(Host2, args);
            Assert.True(text.ExitCode == 0, text.ToString());
            var row = text.Stdout.Split('\n')[1].Split('\t');
            Assert.Equal(["shop", "a v1", "up"], row[..3]);
            Assert.Equal("b (empty)", row[4]);
            Assert.Matches($@"^apply .* ago by {actor}$", row[6]);
        }

        var json = await Run(Host2, "status", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var site = Site(json);
        Assert.Equal(("a", "v1"), (site.GetProperty("live").GetProperty("slot").GetString(), site.GetProperty("live").GetProperty("version").GetString()));
        Assert.Equal("apply", site.GetProperty("last_switch").GetProperty("action").GetString());
        Assert.Equal(actor, site.GetProperty("last_switch").GetProperty("actor").GetString());
        // The journal it read is the one in etcd: this host's mirror was caught up to the head there.
        var head = JsonDocument.Parse(Etcd.Ctl("get", "bluegreen/journal/head", "--print-value-only")).RootElement.GetProperty("seq").GetInt64();
        Assert.Equal(head, JsonDocument.Parse(json.Stdout).RootElement.GetProperty("journal").GetProperty("seq").GetInt64());

        // The routing truth is etcd's KV tree: weights swapped there by hand are drift on host 2.
        Etcd.Ctl("put", "traefik/http/services/shop/weighted/services/0/weight", "0");
        Etcd.Ctl("put", "traefik/http/services/shop/weighted/services/1/weight", "1");
        var drifted = await Run(Host2, "status", "--json");
        Assert.True(drifted.ExitCode == 1, drifted.ToString());
        Assert.StartsWith("the routing in etcd sends users to slot b but the state says", Site(drifted).GetProperty("drift").GetString());

        Etcd.KillAll();
        foreach (var args in new[] { new[] { "status" }, ["status", "--json"], ["status", "shop"] })
        {
            var down = await Run(Host2, args);
            Assert.True(down.ExitCode == 1, $"{string.Join(' ', args)}: {down}");
            Assert.Equal("", down.Stdout);
            var line = Assert.Single(down.Stderr.TrimEnd('\n').Split('\n'));
            Assert.StartsWith($"error: etcd is unreachable at {Etcd.Endpoints} (", line);
        }
    }

    [Fact]
    public async Task Host_2_sees_host_1s_deploy_in_progress_and_host_1s_maintenance_hold_stops_host_2_until_either_releases_it()
    {
        // Host 1's deploy holds the site lock until the test creates `go`.
        var go = Host1.Path_("go");
        var started = Host1.Path_("started");
        Host1.AddSite("shop", SlotA.Url, SlotB.Url, $"PREVIEW_RULE=Host(`preview.shop.example.com`)\nDEPLOY_CMD=touch {started}; while [ ! -e {go} ]; do sleep 0.05; done\n");
        using (var deploy = CliRunner.Start(Host1.Root, ["deploy", "shop", "--version", "v1"]))
        {
            try
            {
                await Poll.UntilAsync(() => File.Exists(started), "host 1's DEPLOY_CMD to start");
                var status = await Run(Host2, "status", "--json");
                Assert.True(status.ExitCode == 0, status.ToString()); // a command in progress is not a problem
                var inProgress = Site(status).GetProperty("in_progress").GetString();
                Assert.Matches($@"^pid \d+ \({Environment.UserName}@{Environment.MachineName}, `.*deploy shop --version v1`, since ", inProgress);
                Assert.Contains("in progress: pid ", (await Run(Host2, "status")).Stdout);
            }
            finally
            {
                File.WriteAllText(go, "");
                await deploy.WaitForExitAsync();
            }

            Assert.Equal(0, deploy.ExitCode);
        }

        await Ok(Host1, "lock", "acquire", "--message", "database migration until 14:00");
        Assert.Contains("database migration until 14:00", Etcd.Ctl("get", "bluegreen/maintenance", "--print-value-only"));
        Assert.False(File.Exists(Host1.Path_("var", "locks", "maintenance.json")), "etcd mode keeps the hold in etcd only");

        var refused = await Run(Host2, "deploy", "shop", "--version", "v2");
        Assert.True(refused.ExitCode == 4, refused.ToString());
        Assert.Contains($"the maintenance lock is held by pid", refused.Stderr);
        Assert.Contains($"{Environment.UserName}@{Environment.MachineName}", refused.Stderr);
        Assert.Contains("\"database migration until 14:00\"", refused.Stderr);
        Assert.Contains("database migration until 14:00", (await Run(Host2, "lock", "status")).Stdout);
        // Moving the home is refused too while the hold stands (it takes every lock, as lock acquire does).
        var migrate = await Run(Host1, "store", "migrate", "--to", "file");
        Assert.True(migrate.ExitCode == 4, migrate.ToString());
        Assert.Contains("the maintenance lock is held", migrate.Stderr);

        // Released on host 2, though host 1 took it: gone for both.
        await Ok(Host2, "lock", "release");
        Assert.Equal("", Etcd.Ctl("get", "bluegreen/maintenance", "--print-value-only"));
        Assert.Contains("maintenance: free", (await Run(Host1, "lock", "status")).Stdout);
        await Ok(Host2, "deploy", "shop", "--version", "v2");
    }

    [Fact]
    public async Task Bad_data_in_the_journal_in_etcd_is_one_line_naming_its_key_on_status_and_a_refusal_of_mutating_commands()
    {
        await Ok(Host1, "deploy", "shop", "--version", "v1");
        var head = Etcd.Ctl("get", "bluegreen/journal/head", "--print-value-only").TrimEnd('\n');

        Etcd.Ctl("put", "bluegreen/journal/head", "not a head");
        foreach (var args in new[] { new[] { "status" }, ["status", "--json"] })
        {
            var status = await Run(Host2, args);
            Assert.True(status.ExitCode == 1, status.ToString()); // a site needs attention
            Assert.Equal("", status.Stderr);
            Assert.Contains("bluegreen/journal/head: cannot write the journal (the journal in etcd is damaged: its head is not", status.Stdout);
        }

        var deploy = await Run(Host2, "deploy", "shop", "--version", "v2");
        Assert.True(deploy.ExitCode == 3, deploy.ToString());
        Assert.StartsWith("refused: deploy shop refused: bluegreen/journal/head: cannot write the journal (the journal in etcd is damaged", deploy.Stderr);
        Assert.DoesNotContain("unexpected", deploy.Stderr);

        // The head again, and a key under entries/ that is no seq.
        Etcd.Ctl("put", "bluegreen/journal/head", head);
        Etcd.Ctl("put", "bluegreen/journal/entries/x", "{}");
        var listed = await Run(Host2, "status", "--json");
        Assert.True(listed.ExitCode == 1, listed.ToString());
        Assert.Equal("", listed.Stderr);
        Assert.Contains("bluegreen/journal/entries/x: cannot write the journal (the journal in etcd is damaged: this key is not a journal entry's", Site(listed).GetProperty("error").GetString());
    }
}
