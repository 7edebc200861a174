using System.Diagnostics;
using System.Text.Json;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// ROUTING_STORE=etcd through the real run.sh against a real 3-node etcd cluster (issue 13). Two homes on the same
/// cluster stand for two hosts: each has its own conf, var and journal mirror; they share routing, state, journal
/// and locks through etcd. Keys are read back with etcdctl, the tool an operator (or Traefik's docs) would use.
/// </summary>
public sealed class EtcdStoreTests() : TwoHostsOnEtcd("ENTRYPOINTS=web\n")
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        foreach (var home in new[] { Host1, Host2 })
        {
            // No ROUTER_API: the router that reads etcd is not part of this test; the switch says it is not verified.
            home.WriteGlobal($"ROUTER_API=\nROUTING_STORE=etcd\nETCD_ENDPOINTS={Etcd.Endpoints}\n");
        }
    }

    private static async Task<CliResult> Run(TempHome home, params string[] args)
    {
        var result = await CliRunner.RunAsync(home.Root, args);
        return result;
    }

    private static SiteConfig Shop(SlotServer a, SlotServer b) => new()
    {
        Name = "shop",
        Rule = "Host(`shop.example.com`)",
        PreviewRule = "Host(`preview.shop.example.com`)",
        EntryPoints = ["web"],
        SlotAUrl = a.Url,
        SlotBUrl = b.Url,
    };

    private async Task DeployAndValidate(TempHome home, string version)
    {
        var deploy = await Run(home, "deploy", "shop", "--version", version);
        Assert.True(deploy.ExitCode == 0, deploy.ToString());
        var validate = await Run(home, "validate", "shop");
        Assert.True(validate.ExitCode == 0, validate.ToString());
    }

    [Fact]
    public async Task A_switch_writes_traefiks_kv_layout_that_etcdctl_reads_back_and_the_other_host_sees_it()
    {
        await DeployAndValidate(Host1, "v1");
        // The preview route (deploy) is in etcd already, to the candidate a; no production router yet.
        Assert.Equal("shop-a", Etcd.ReadPrefix("traefik/")["traefik/http/routers/shop-preview/service"]);
        Assert.DoesNotContain("traefik/http/routers/shop/rule", Etcd.ReadPrefix("traefik/").Keys);

        var apply = await Run(Host1, "apply", "shop", "--yes");
        Assert.True(apply.ExitCode == 0, apply.ToString());

        var keys = Etcd.ReadPrefix("traefik/");
        var expected = RoutingKv.Pairs(RoutingPlanner.Build(Shop(SlotA, SlotB), Slot.A, Slot.B), "traefik").ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(expected, keys);
        Assert.Equal("Host(`shop.example.com`)", keys["traefik/http/routers/shop/rule"]);
        Assert.Equal("shop", keys["traefik/http/routers/shop/service"]);
        Assert.Equal("web", keys["traefik/http/routers/shop/entrypoints/0"]);
        Assert.Equal(("shop-a", "1"), (keys["traefik/http/services/shop/weighted/services/0/name"], keys["traefik/http/services/shop/weighted/services/0/weight"]));
        Assert.Equal(("shop-b", "0"), (keys["traefik/http/services/shop/weighted/services/1/name"], keys["traefik/http/services/shop/weighted/services/1/weight"]));
        Assert.Equal(SlotA.Url.ToString().TrimEnd('/'), keys["traefik/http/services/shop-a/loadbalancer/servers/0/url"]);
        Assert.False(File.Exists(Host1.RoutingFile("shop")), "etcd mode writes no routing file");

        // The second host deploys v2 (on b, the candidate it reads from etcd) and switches to it: the weights flip.
        await DeployAndValidate(Host2, "v2");
        var apply2 = await Run(Host2, "apply", "shop", "--yes");
        Assert.True(apply2.ExitCode == 0, apply2.ToString());
        keys = Etcd.ReadPrefix("traefik/");
        Assert.Equal(("0", "1"), (keys["traefik/http/services/shop/weighted/services/0/weight"], keys["traefik/http/services/shop/weighted/services/1/weight"]));
        Assert.Equal("shop-a", keys["traefik/http/routers/shop-preview/service"]);

        // State is shared: host 1 rolls back to v1 on a.
        var rollback = await Run(Host1, "rollback", "shop", "--yes");
        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        Assert.Equal("1", Etcd.ReadPrefix("traefik/")["traefik/http/services/shop/weighted/services/0/weight"]);
        Assert.Contains("\"live\": \"a\"", Etcd.Ctl("get", "bluegreen/state/shop", "--print-value-only"));
        Assert.Empty(Etcd.ReadPrefix("bluegreen/locks/"));
    }

    [Fact]
    public async Task The_journal_in_etcd_is_chained_and_equal_to_each_hosts_mirror()
    {
        await DeployAndValidate(Host1, "v1");
        Assert.Equal(0, (await Run(Host1, "apply", "shop", "--yes")).ExitCode);
        await DeployAndValidate(Host2, "v2");
        Assert.Equal(0, (await Run(Host2, "apply", "shop", "--yes")).ExitCode);

        var lines = Etcd.ReadPrefix("bluegreen/journal/entries/");
        Assert.Null(Core.Journal.JournalChain.Verify(lines.Values));
        var seqs = lines.Values.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, lines.Count).Select(i => (long)i), seqs);
        var head = JsonDocument.Parse(Etcd.Ctl("get", "bluegreen/journal/head", "--print-value-only")).RootElement;
        Assert.Equal(lines.Count, head.GetProperty("seq").GetInt64());
        // Both hosts' entries are there: the two applies, each `started` then `succeeded`.
        Assert.Equal(2, lines.Values.Count(l => l.Contains("\"action\":\"apply\"", StringComparison.Ordinal) && l.Contains("\"outcome\":\"succeeded\"", StringComparison.Ordinal)));

        foreach (var home in new[] { Host1, Host2 })
        {
            var verify = await Run(home, "journal", "verify");
            Assert.True(verify.ExitCode == 0, verify.ToString());
            Assert.Contains($"ok in etcd ({lines.Count} entries", verify.Stdout);
            Assert.Contains("this host's mirror equals the journal in etcd", verify.Stdout);
            Assert.Equal(lines.Values, File.ReadAllLines(home.JournalFile));
        }

        // A mirror line changed by hand: verify names the seq where they differ, and a mutating command refuses.
        var mirror = File.ReadAllLines(Host2.JournalFile);
        mirror[2] = mirror[2].Replace("\"via\":\"cli\"", "\"via\":\"cly\"", StringComparison.Ordinal);
        File.WriteAllLines(Host2.JournalFile, mirror);
        var broken = await Run(Host2, "journal", "verify");
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("this host's mirror DIFFERS from etcd at seq 3", broken.Stderr);
    }

    [Fact]
    public async Task Two_operators_switching_the_same_site_at_once_one_holds_the_lock_and_the_other_exits_4_naming_it()
    {
        await DeployAndValidate(Host1, "v1");
        // Host 1's apply waits for a router that never shows the switch (its API answers 404), holding the locks.
        await using var api = await FakeTraefikApi.StartAsync(Host1.Path_("no-routes"));
        Host1.WriteGlobal($"ROUTER_API={api.Url}\nSWITCH_VERIFY_TIMEOUT=20\nROUTING_STORE=etcd\nETCD_ENDPOINTS={Etcd.Endpoints}\n");
        using var first = CliRunner.Start(Host1.Root, ["apply", "shop", "--yes"]);
        try
        {
            var holder = await WaitForKey("bluegreen/locks/switch", TimeSpan.FromSeconds(60));
            Assert.Contains("apply shop --yes", holder);

            var second = await Run(Host2, "apply", "shop", "--yes");

            Assert.True(second.ExitCode == 4, second.ToString());
            Assert.Contains("the switch lock is held by pid", second.Stderr);
            Assert.Contains($"{Environment.UserName}@{Environment.MachineName}", second.Stderr);
            Assert.Contains("apply shop --yes", second.Stderr);
            Assert.Contains("since 20", second.Stderr);
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }

        // Killed with -9: nobody releases the lease, etcd ends it at its TTL; then host 2 goes on (and recovery closes host 1's switch).
        await WaitGone("bluegreen/locks/switch", TimeSpan.FromSeconds(30));
        var after = await Run(Host2, "apply", "shop", "--yes");
        Assert.NotEqual(4, after.ExitCode);
        Assert.Contains("recovered", after.All);
    }

    [Fact]
    public async Task A_switch_leaves_other_sites_keys_alone_and_a_site_named_after_its_slot_service_is_refused()
    {
        // Site shop-ab's routing (a name that `shop-a` is a string prefix of) and site shop-a's (a name `shop` renders
        // as its slot a service), written as their own switches would.
        SiteConfig Other(string name, int port) => Shop(SlotA, SlotB) with { Name = name, SlotAUrl = new Uri($"http://127.0.0.1:{port}/"), SlotBUrl = new Uri($"http://127.0.0.1:{port + 1}/") };
        var shopAb = RoutingKv.Pairs(RoutingPlanner.Build(Other("shop-ab", 1), Slot.B, Slot.A), "traefik");
        foreach (var (key, value) in shopAb)
        {
            Etcd.Ctl("put", key, value);
        }

        Host1.AddSite("shop-ab", new Uri("http://127.0.0.1:1/"), new Uri("http://127.0.0.1:2/"));
        await DeployAndValidate(Host1, "v1");
        Assert.Equal(0, (await Run(Host1, "apply", "shop", "--yes")).ExitCode);
        await DeployAndValidate(Host1, "v2");
        Assert.Equal(0, (await Run(Host1, "apply", "shop", "--yes")).ExitCode);

        var keys = Etcd.ReadPrefix("traefik/");
        Assert.All(shopAb, p => Assert.Equal(p.Value, keys[p.Key]));
        Assert.Equal(keys.Keys.Where(k => k.Contains("/shop-ab", StringComparison.Ordinal)), shopAb.Select(p => p.Key));

        // Now site shop-a exists too: its production service is shop's slot a service. Both sites are refused (exit 2)
        // before any lock or write, and shop-a's keys are as they were.
        var shopA = RoutingKv.Pairs(RoutingPlanner.Build(Other("shop-a", 3), Slot.A, Slot.B), "traefik").Where(p => p.Key.Contains("/services/shop-a/weighted/", StringComparison.Ordinal)).ToList();
        foreach (var (key, value) in shopA)
        {
            Etcd.Ctl("put", key, value);
        }

        Host1.AddSite("shop-a", new Uri("http://127.0.0.1:3/"), new Uri("http://127.0.0.1:4/"));
        var before = Etcd.ReadPrefix("");
        foreach (var args in new[] { new[] { "rollback", "shop", "--yes" }, ["deploy", "shop-a", "--version", "v9"] })
        {
            var refused = await Run(Host1, args);
            Assert.True(refused.ExitCode == 2, refused.ToString());
            Assert.Contains("both name the Traefik service 'shop-a'", refused.Stderr);
            Assert.DoesNotContain("   at ", refused.All);
        }

        Assert.Equal(before, Etcd.ReadPrefix(""));
        var check = await Run(Host1, "config", "check");
        Assert.Contains("sites 'shop-a' and 'shop' both name the Traefik service 'shop-a'", check.All);
    }

    [Fact]
    public async Task With_etcd_unreachable_a_mutating_command_refuses_with_exit_1_and_changes_nothing()
    {
        await DeployAndValidate(Host1, "v1");
        var before = Host1.SnapshotVar();
        Etcd.KillAll();

        var apply = await Run(Host1, "apply", "shop", "--yes");

        Assert.True(apply.ExitCode == 1, apply.ToString());
        var line = Assert.Single(apply.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error", StringComparison.Ordinal) || l.Contains("etcd is unreachable", StringComparison.Ordinal));
        Assert.Contains($"etcd is unreachable at {Etcd.Endpoints}", line);
        Assert.DoesNotContain("   at ", apply.All); // no stack trace
        Assert.Equal(before, Host1.SnapshotVar());
    }

    [Fact]
    public async Task A_deploy_whose_lease_is_revoked_stops_its_deploy_cmd_and_exits_1_saying_the_lock_was_lost()
    {
        Host1.AddSite("shop", SlotA.Url, SlotB.Url, "PREVIEW_RULE=Host(`preview.shop.example.com`)\nENTRYPOINTS=web\nDEPLOY_CMD=sleep 300\n");
        using var deploy = CliRunner.Start(Host1.Root, ["deploy", "shop", "--version", "v1"]);
        var stdout = deploy.StandardOutput.ReadToEndAsync();
        var stderr = deploy.StandardError.ReadToEndAsync();
        int? group = null;
        try
        {
            // DEPLOY_CMD runs once its process group is in the lock's holder (under the lease).
            var clock = Stopwatch.StartNew();
            while (group is null)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "DEPLOY_CMD's group never showed in the lock holder");
                var holder = Etcd.Ctl("get", "bluegreen/locks/site-shop", "--print-value-only").Trim();
                if (holder.Length > 0 && JsonDocument.Parse(holder).RootElement.TryGetProperty("child_group", out var g) && g.ValueKind == JsonValueKind.Number)
                {
                    group = g.GetInt32();
                }
                else
                {
                    await Task.Delay(50);
                }
            }

            var lease = Etcd.Ctl("get", "bluegreen/locks/site-shop", "-w", "json");
            var id = JsonDocument.Parse(lease).RootElement.GetProperty("kvs")[0].GetProperty("lease").GetInt64();
            Etcd.Ctl("lease", "revoke", id.ToString("x", System.Globalization.CultureInfo.InvariantCulture));

            await deploy.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            if (!deploy.HasExited)
            {
                deploy.Kill(entireProcessTree: true);
            }
        }

        var result = new CliResult(deploy.ExitCode, await stdout, await stderr);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("DEPLOY_CMD was stopped: the site-shop lock was lost while this command held it (etcd says its lease was revoked or has expired)", result.Stderr);
        Assert.DoesNotContain("   at ", result.All);
        Assert.False(Infrastructure.Processes.ProcessGroup.HasRunningMembers(group!.Value), $"DEPLOY_CMD's group {group} still runs");
        // The group was ended: its record outside the lease is gone too (the next holder, on any host, has nothing to settle).
        Assert.Empty(Etcd.ReadPrefix("bluegreen/children/"));
        Assert.Contains("\"outcome\":\"failed\"", File.ReadAllLines(Host1.JournalFile)[^1]);
    }

    [Fact]
    public async Task A_started_line_another_host_left_open_while_this_one_waited_for_the_lock_is_recovered_by_this_command()
    {
        await DeployAndValidate(Host1, "v1");
        // Host 2's command holds the site lock (a real lease lock, as its run.sh would take it).
        using var store = new Infrastructure.Etcd.EtcdStore(new GlobalConfig { RoutingStore = RoutingStoreKind.Etcd, EtcdEndpoints = Etcd.Endpoints });
        var other = (Infrastructure.Etcd.LeaseHeldLock)new Infrastructure.Etcd.EtcdLeaseLock(store).Acquire("site-shop", Infrastructure.Locking.LockHolder.Current("run.sh deploy shop --version v9", DateTimeOffset.UtcNow));
        using var deploy = CliRunner.Start(Host1.Root, ["deploy", "shop", "--version", "v2", "--lock-wait", "60"]);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var waiting = new TaskCompletionSource();
        void Read(string? line)
        {
            if (line is not null)
            {
                output.Enqueue(line);
                if (line.Contains("waiting (up to", StringComparison.Ordinal))
                {
                    waiting.TrySetResult();
                }
            }
        }

        deploy.OutputDataReceived += (_, e) => Read(e.Data);
        deploy.ErrorDataReceived += (_, e) => Read(e.Data);
        deploy.BeginOutputReadLine();
        deploy.BeginErrorReadLine();
        try
        {
            await waiting.Task.WaitAsync(TimeSpan.FromSeconds(60));

            // While host 1 waits, host 2 journals its deploy's intent, then dies before its outcome (its lease ends).
            var journal = new Infrastructure.Etcd.EtcdJournal(store, new Infrastructure.Journal.JournalFile(Infrastructure.Home.At(Host2.Root), TimeProvider.System), TimeProvider.System);
            var started = journal.Append(new Core.Journal.JournalEntry
            {
                Site = "shop", Action = "deploy", Outcome = "started", Message = "deploying v9 on candidate slot b",
                To = new Core.State.SlotVersion("b", "v9"), Actor = "host2", Via = "cli",
            }, proofs: [other.Proof]);
            other.Dispose();

            await deploy.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var all = string.Join("\n", output);
            Assert.True(deploy.ExitCode == 0, all);
            // This command's recovery closed host 2's line, before its own intent.
            Assert.Contains($"recovered: deploy #{started.Seq}", all);
            var lines = Etcd.ReadPrefix("bluegreen/journal/entries/").Values.ToList();
            var closing = lines.FindIndex(l => l.Contains($"\"ref\":{started.Seq}", StringComparison.Ordinal) && l.Contains("\"outcome\":\"interrupted\"", StringComparison.Ordinal));
            var mine = lines.FindIndex(l => l.Contains("deploying v2", StringComparison.Ordinal));
            Assert.True(closing >= 0 && closing < mine, all);
        }
        finally
        {
            other.Dispose();
            if (!deploy.HasExited)
            {
                deploy.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task A_deploy_killed_with_9_leaves_its_deploy_cmd_recorded_in_etcd_and_the_next_deploy_ends_it()
    {
        Host1.AddSite("shop", SlotA.Url, SlotB.Url, "PREVIEW_RULE=Host(`preview.shop.example.com`)\nENTRYPOINTS=web\nDEPLOY_CMD=sleep 300\n");
        using var deploy = CliRunner.Start(Host1.Root, ["deploy", "shop", "--version", "v1"]);
        int group;
        try
        {
            var holder = JsonDocument.Parse(await WaitForKey("bluegreen/children/site-shop", TimeSpan.FromSeconds(60))).RootElement;
            group = holder.GetProperty("child_group").GetInt32();
            // The command itself (the holder's pid) dies; its DEPLOY_CMD, in a group of its own, goes on.
            Infrastructure.Processes.ProcessGroup.SignalProcess(holder.GetProperty("pid").GetInt32(), Infrastructure.Processes.ProcessGroup.SigKill);
            await deploy.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!deploy.HasExited)
            {
                deploy.Kill(entireProcessTree: true);
            }
        }

        await WaitGone("bluegreen/locks/site-shop", TimeSpan.FromSeconds(30));
        try
        {
            Assert.True(Infrastructure.Processes.ProcessGroup.HasRunningMembers(group), "DEPLOY_CMD outlived its command");
            var record = Etcd.Ctl("get", "bluegreen/children/site-shop", "--print-value-only").Trim();
            Assert.Equal(group, JsonDocument.Parse(record).RootElement.GetProperty("child_group").GetInt32());

            // Another host's record cannot be checked from here: refused (exit 4), naming it.
            var elsewhere = System.Text.Json.Nodes.JsonNode.Parse(record)!;
            elsewhere["host"] = "elsewhere";
            Etcd.Ctl("put", "bluegreen/children/site-shop", elsewhere.ToJsonString());
            var refused = await Run(Host2, "deploy", "shop", "--version", "v2");
            Assert.True(refused.ExitCode == 4, refused.ToString());
            Assert.Contains($"its process group {group} on host elsewhere may still be running", refused.Stderr);
            Etcd.Ctl("put", "bluegreen/children/site-shop", record);

            // On this host, the next deploy ends the group (TERM, then KILL), says so, and goes on.
            Host1.AddSite("shop", SlotA.Url, SlotB.Url, "PREVIEW_RULE=Host(`preview.shop.example.com`)\nENTRYPOINTS=web\nDEPLOY_CMD=true\n");
            var next = await Run(Host1, "deploy", "shop", "--version", "v2");
            Assert.True(next.ExitCode == 0, next.ToString());
            Assert.Contains($"ended process group {group}", next.All);
            Assert.False(Infrastructure.Processes.ProcessGroup.HasRunningMembers(group));
            Assert.Empty(Etcd.ReadPrefix("bluegreen/children/"));
        }
        finally
        {
            if (Infrastructure.Processes.ProcessGroup.HasRunningMembers(group))
            {
                Infrastructure.Processes.ProcessGroup.Signal(group, Infrastructure.Processes.ProcessGroup.SigKill);
            }
        }
    }

    private async Task<string> WaitForKey(string key, TimeSpan deadline)
    {
        await Poll.UntilAsync(() => Etcd.Ctl("get", key, "--print-value-only").Trim().Length > 0, $"{key} to appear", deadline);
        return Etcd.Ctl("get", key, "--print-value-only").Trim();
    }

    private Task WaitGone(string key, TimeSpan deadline) =>
        Poll.UntilAsync(() => Etcd.Ctl("get", key, "--print-value-only").Trim().Length == 0, $"{key} to be gone", deadline);
}
