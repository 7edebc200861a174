using System.Diagnostics;
using System.Text.Json;
using BlueGreen.Cli.Output;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.Net;

namespace BlueGreen.Cli.Demo;

/// <summary>
/// `./run.sh demo --cluster`: ROUTING_STORE=etcd live (docs/etcd.md). A real 3-member etcd cluster on loopback, two
/// homes that stand for two hosts, each with its embedded router reading etcd and both routers listed in ROUTER_API;
/// switches alternate between the hosts under load through both routers, and the etcd leader is killed after a third
/// of them and started again after two thirds. Passes only when no request failed, every switch was verified on both
/// routers, and the journal in etcd holds every switch, verifies, and equals both hosts' mirrors.
/// </summary>
public sealed class ClusterDemoRunner(Terminal terminal, string runSh, string repoRoot, int switches)
{
    public const int DefaultSwitches = 12;
    private const string Site = DemoHome.Site;
    private const string VerifiedOnBoth = "all 2 routers serve the new routing";

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"bluegreen-cluster-demo-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}");
    private readonly HttpClient _http = HttpClients.Create(timeout: TimeSpan.FromSeconds(5));
    private readonly PortAllocator _ports = new(); // every port of this demo: slots, routers, APIs and etcd's
    private readonly List<DemoHome> _hosts = [];
    private readonly List<Uri> _proxies = [];
    private DemoSteps _steps = null!;
    private LocalEtcdCluster? _etcd;
    private int _switched;

    /// <summary>The switch after which the leader is killed, and the one after which it is started again.</summary>
    private int KillAfter => switches / 3;

    private int RestartAfter => 2 * switches / 3;

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        _steps = new DemoSteps(terminal, 15, ct);
        var (slotA, slotB) = (_ports.Next(), _ports.Next());
        var (proxies, apis) = (_ports.Next(2), _ports.Next(2));
        terminal.Markup($"[bold]BlueGreen Orchestrator cluster demo[/]: site [bold]{Site}[/], slots a (:{slotA}) and b (:{slotB}), " +
                        $"host1's router on :{proxies[0]} (API :{apis[0]}), host2's on :{proxies[1]} (API :{apis[1]}), ROUTING_STORE=etcd");
        terminal.Markup($"[grey]throw-away homes: {Terminal.Escape(_root)}/host1 and host2[/]");
        try
        {
            await StepAsync("start a 3-member etcd cluster on loopback", async () =>
            {
                var dataRoot = LocalEtcdCluster.ChooseDataRoot(3, _root);
                var dir = Path.Combine(dataRoot.Path, Path.GetFileName(_root) + "-etcd");
                // Awaited to its end even on Ctrl-C (the waits inside end on ct): no member may start after the clean-up.
                _etcd = await Task.Run(() => new LocalEtcdCluster(dir, 3, _ports, ct), CancellationToken.None);
                var leader = await Task.Run(() => _etcd.Leader(LocalEtcdCluster.StartDeadline, ct), CancellationToken.None);
                return $"{string.Join(", ", _etcd.ClientUrls.Select((u, i) => $"{_etcd.MemberName(i)} {u}"))}; leader {_etcd.MemberName(leader)}; " +
                       $"data in {dir} ({dataRoot.Why})";
            });
            WriteHomes(slotA, slotB, proxies, apis);
            for (var i = 0; i < 2; i++)
            {
                var (host, api) = (_hosts[i], apis[i]);
                await StepAsync($"start host{i + 1}'s embedded router (reads etcd)", () => host.StartRouterAsync(api, _http, ct));
            }

            var host1 = _hosts[0];
            await StepAsync("host1: deploy v1 (first deployment: slot a)", () => RunShAsync(host1, ct, "deploy", Site, "--version", "v1"));
            await StepAsync("host1: validate v1", () => RunShAsync(host1, ct, "validate", Site));
            await StepAsync("host1: apply, v1 goes live on both routers", async () =>
                await SwitchOutputAsync(host1, "apply", ct) + "; " + await ExpectServedAsync("v1", ct));
            await StepAsync("host1: deploy v2 on slot b while v1 serves", () => RunShAsync(host1, ct, "deploy", Site, "--version", "v2"));
            await StepAsync("host1: validate v2", () => RunShAsync(host1, ct, "validate", Site));

            await using var load = new LoadGenerator(_proxies, keepAliveClients: 2, newConnectionClients: 1, maxDuration: TimeSpan.FromMinutes(30));
            await SwitchesAsync(KillAfter, "", load, ct);
            var killed = -1;
            await StepAsync("kill the etcd leader (SIGKILL)", async () =>
            {
                killed = await Task.Run(() => _etcd!.Leader(LocalEtcdCluster.StartDeadline, ct), CancellationToken.None);
                _etcd!.Kill(killed);
                var clock = Stopwatch.StartNew();
                var next = await Task.Run(() => _etcd.Leader(LocalEtcdCluster.StartDeadline, ct), CancellationToken.None);
                return $"killed {_etcd.MemberName(killed)} ({_etcd.ClientUrls[killed]}); {_etcd.MemberName(next)} leads {clock.Elapsed.TotalMilliseconds:0} ms later";
            });
            await SwitchesAsync(RestartAfter, " with a member down", load, ct);
            await StepAsync("start the killed member again", async () =>
            {
                var clock = Stopwatch.StartNew();
                _etcd!.Restart(killed);
                await Task.Run(() => _etcd.WaitHealthy(LocalEtcdCluster.StartDeadline, ct), CancellationToken.None);
                await Task.Run(() => _etcd.Leader(LocalEtcdCluster.StartDeadline, ct), CancellationToken.None); // the members agree on a leader again
                return $"{_etcd.MemberName(killed)} is back on its data and caught up: all 3 members healthy after {clock.Elapsed.TotalMilliseconds:0} ms";
            });
            await SwitchesAsync(switches, "", load, ct);

            var (sent, failed, perRouter) = (0L, 0L, new List<string>());
            await StepAsync("zero failed requests through both routers", async () =>
            {
                // Every request is counted before the counters are read: one hung by the last switch is a failure.
                await load.StopAsync(LoadGenerator.StopDeadline);
                (sent, failed) = (load.Sent, load.Failed);
                perRouter.AddRange(Enumerable.Range(0, 2).Select(i => $"host{i + 1}'s router {load.SentTo(i):N0} requests, {load.FailedAt(i)} failed"));
                return failed == 0
                    ? $"{sent:N0} requests sent, 0 failed: {string.Join("; ", perRouter)}"
                    : throw new DemoStepFailed("zero failed requests", $"{failed} of {sent} requests failed ({string.Join("; ", perRouter)}): {string.Join(" | ", load.FailureSamples)}");
            });
            await load.DisposeAsync();
            await StepAsync("the journal in etcd: every switch, chained, equal to both hosts' mirrors", () => CheckJournalAsync(ct));

            terminal.Line("");
            terminal.Markup($"[bold green]demo passed[/] in {started.Elapsed.TotalSeconds:0.0} s: {switches} switches, each verified on both routers; " +
                            $"{sent:N0} requests, [bold]{failed} failed[/] ({string.Join("; ", perRouter)})");
            return 0;
        }
        catch (DemoStepFailed e)
        {
            terminal.Markup($"[bold red]demo failed[/] at step '{Terminal.Escape(e.Step)}': {Terminal.Escape(e.Message)}");
            foreach (var host in _hosts)
            {
                terminal.Markup($"[grey]router log: {Terminal.Escape(host.RouterLog)}[/] [grey](deleted at exit)[/]");
                if (File.Exists(host.RouterLog))
                {
                    terminal.Lines(File.ReadLines(host.RouterLog).TakeLast(10).Select(l => "  " + l));
                }
            }

            return 1;
        }
        finally
        {
            await StopEverythingAsync();
        }
    }

    /// <summary>Switches up to number <paramref name="until"/>, alternately from host1 and host2: apply (v2 live), rollback (v1 again).</summary>
    private async Task SwitchesAsync(int until, string while_, LoadGenerator load, CancellationToken ct)
    {
        if (until <= _switched)
        {
            return;
        }

        var first = _switched + 1;
        await StepAsync($"switches {first}–{until} of {switches} under load through both routers{while_}, alternately from host1 and host2", async () =>
        {
            var before = (load.Sent, load.Failed);
            var took = new List<double>();
            for (; _switched < until; _switched++)
            {
                var n = _switched + 1;
                var (hostIndex, action) = ((n - 1) % 2, n % 2 == 1 ? "apply" : "rollback");
                var clock = Stopwatch.StartNew();
                await SwitchOutputAsync(_hosts[hostIndex], action, ct);
                took.Add(clock.Elapsed.TotalMilliseconds);
                terminal.Markup($"[grey]         switch {n,3}: host{hostIndex + 1} {action,-8} → {(action == "apply" ? "v2" : "v1")}, verified on both routers ({clock.Elapsed.TotalMilliseconds:0} ms)[/]");
            }

            return $"{took.Count} switches, each verified on both routers, {took.Min():0}–{took.Max():0} ms each (run.sh's start included); " +
                   $"{load.Sent - before.Sent:N0} requests meanwhile, {load.Failed - before.Failed} failed";
        });
    }

    /// <summary>One switch through run.sh; fails unless the product says that both routers serve it.</summary>
    private async Task<string> SwitchOutputAsync(DemoHome host, string action, CancellationToken ct)
    {
        var output = await host.RunShAsync(ct, action, Site, "--yes");
        return output.Contains(VerifiedOnBoth, StringComparison.Ordinal)
            ? DemoHome.ResultLine(output)
            : throw new DemoStepFailed($"{action} verified on both routers", $"run.sh {action} did not say '{VerifiedOnBoth}': {DemoHome.ResultLine(output)}");
    }

    private async Task<string> ExpectServedAsync(string version, CancellationToken ct)
    {
        var bodies = new List<string>();
        foreach (var proxy in _proxies)
        {
            var body = (await _http.GetStringAsync(proxy, ct)).Trim();
            bodies.Add(body.Contains($"version={version} ", StringComparison.Ordinal)
                ? $"{proxy} serves \"{body}\""
                : throw new DemoStepFailed($"{version} is served", $"{proxy} answered \"{body}\""));
        }

        return string.Join("; ", bodies);
    }

    /// <summary>
    /// Each host's `journal verify` (its mirror's chain and head, the journal in etcd's chain and head, the two equal
    /// line by line), then the switches the journal in etcd holds: the first apply and every switch of the run.
    /// </summary>
    private async Task<string> CheckJournalAsync(CancellationToken ct)
    {
        var verified = new List<string>();
        foreach (var host in _hosts)
        {
            verified.Add(DemoHome.ResultLine(await host.RunShAsync(ct, "journal", "verify")));
        }

        using var journal = JsonDocument.Parse(await _hosts[0].RunShAsync(ct, "journal", Site, "--json"));
        var switched = journal.RootElement.EnumerateArray().Count(e =>
            e.GetProperty("action").GetString() is "apply" or "rollback" && e.GetProperty("outcome").GetString() == "succeeded");
        return switched == switches + 1
            ? $"{switched} succeeded switches (the first apply and {switches}); host1: {verified[0]}; host2: {verified[1]}"
            : throw new DemoStepFailed("the journal holds every switch", $"it holds {switched} succeeded switches, not {switches + 1}");
    }

    private Task StepAsync(string title, Func<Task<string>> action) => _steps.StepAsync(title, action);

    private static async Task<string> RunShAsync(DemoHome host, CancellationToken ct, params string[] args) => DemoHome.ResultLine(await host.RunShAsync(ct, args));

    private void WriteHomes(int slotA, int slotB, int[] proxies, int[] apis)
    {
        // The site file is the same on both hosts; the sample app runs where it is deployed, host1 (its recipe logs
        // under the deploying home's var/log/apps), and the slots' URLs are the same from both.
        var appLogs = Path.Combine(_root, "host1", "var", "log", "apps");
        for (var i = 0; i < 2; i++)
        {
            var host = new DemoHome(runSh, Path.Combine(_root, $"host{i + 1}"));
            // Each host lists its own router first: `run.sh router` listens on the first (docs/etcd.md).
            host.Write($"""
                # Host {i + 1} of the cluster demo (./run.sh demo --cluster): the routing, state, journal and locks in etcd.
                ROUTER=embedded
                ROUTER_LISTEN=127.0.0.1:{proxies[i]}
                ROUTER_API=http://127.0.0.1:{apis[i]},http://127.0.0.1:{apis[1 - i]}
                SWITCH_VERIFY_TIMEOUT=10
                ROUTING_STORE=etcd
                ETCD_ENDPOINTS={_etcd!.Endpoints}

                """, repoRoot, slotA, slotB, appLogs);
            _hosts.Add(host);
            _proxies.Add(new Uri($"http://127.0.0.1:{proxies[i]}/"));
        }
    }

    private async Task StopEverythingAsync()
    {
        await DemoHome.StopAsync(_hosts.SelectMany(h => h.StartedPids()).ToList(), _hosts);
        _etcd?.Dispose(); // SIGKILL: a member can hang on SIGTERM, and its data is thrown away
        _http.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
