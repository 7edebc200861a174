using System.Diagnostics;
using BlueGreen.Cli.Output;
using BlueGreen.Infrastructure.Net;

namespace BlueGreen.Cli.Demo;

/// <summary>
/// `./run.sh demo`: the whole blue/green cycle, live, on the embedded router, in a throw-away home.
/// Every action goes through run.sh as an operator would type it; traffic flows during the switches.
/// </summary>
public sealed class DemoRunner(Terminal terminal, string runSh, string repoRoot, bool keep)
{
    private const string Site = DemoHome.Site;
    private readonly string _home = Path.Combine(Path.GetTempPath(), $"bluegreen-demo-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}");
    private readonly HttpClient _http = HttpClients.Create(timeout: TimeSpan.FromSeconds(5));
    private DemoSteps _steps = null!;
    private DemoHome _demoHome = null!;

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        _steps = new DemoSteps(terminal, 10, ct);
        var ports = new PortAllocator(); // every port of this demo, none given twice
        var (proxyPort, apiPort, slotA, slotB) = (ports.Next(), ports.Next(), ports.Next(), ports.Next());
        var proxy = new Uri($"http://127.0.0.1:{proxyPort}/");
        WriteHome(proxyPort, apiPort, slotA, slotB);
        terminal.Markup($"[bold]BlueGreen Orchestrator demo[/]: site [bold]{Site}[/], slots a (:{slotA}) and b (:{slotB}), embedded router on :{proxyPort}, API on :{apiPort}");
        terminal.Markup($"[grey]throw-away home: {Terminal.Escape(_home)}[/]");
        try
        {
            await StepAsync("start the embedded router", () => _demoHome.StartRouterAsync(apiPort, _http, ct));
            await StepAsync("deploy v1 (first deployment: slot a)", () => RunShAsync(ct, "deploy", Site, "--version", "v1"));
            await StepAsync("validate v1 (HTTP, logs, application tests)", () => RunShAsync(ct, "validate", Site));
            await StepAsync("apply: v1 goes live", async () => await RunShAsync(ct, "apply", Site, "--yes") + "; " + await ExpectServedAsync(proxy, "v1", ct));

            await using var load = new LoadGenerator(proxy);
            await StepAsync("deploy v2 on slot b while v1 serves", () => RunShAsync(ct, "deploy", Site, "--version", "v2"));
            await StepAsync("validate v2", () => RunShAsync(ct, "validate", Site));
            var applyTook = await SwitchUnderLoadAsync("apply under load: v2 goes live", "apply", "v2", load, ct);
            var rollbackTook = await SwitchUnderLoadAsync("rollback under load: v1 is live again", "rollback", "v1", load, ct);
            await Task.Delay(300, ct);
            var (sent, failed) = (0L, 0L);
            await StepAsync("zero failed requests during the switches", async () =>
            {
                // Every request is counted before the counters are read: one hung by the last switch is a failure.
                await load.StopAsync(LoadGenerator.StopDeadline);
                (sent, failed) = (load.Sent, load.Failed);
                return failed == 0
                    ? $"{sent:N0} requests sent through the router, 0 failed"
                    : throw new DemoStepFailed("zero failed requests", $"{failed} of {sent} requests failed: {string.Join(" | ", load.FailureSamples)}");
            });
            await load.DisposeAsync();
            await StepAsync("journal verify", () => RunShAsync(ct, "journal", "verify"));

            terminal.Line("");
            terminal.Markup("[bold]journal[/] (./run.sh journal):");
            terminal.Line((await _demoHome.RunShProcessAsync(ct, ["journal", Site])).Output.TrimEnd());
            terminal.Markup($"[bold green]demo passed[/] in {started.Elapsed.TotalSeconds:0.0} s: {sent:N0} requests, [bold]{failed} failed[/]; run.sh apply took {applyTook} and run.sh rollback {rollbackTook}, process start included");
            PrintUrls(proxy, apiPort, slotA, slotB);
            return 0;
        }
        catch (DemoStepFailed e)
        {
            terminal.Markup($"[bold red]demo failed[/] at step '{Terminal.Escape(e.Step)}': {Terminal.Escape(e.Message)}");
            terminal.Markup($"[grey]router log: {Terminal.Escape(_demoHome.RouterLog)}[/]");
            return 1;
        }
        finally
        {
            if (keep)
            {
                PrintHowToStop();
            }
            else
            {
                await StopEverythingAsync();
            }
        }
    }

    private async Task<string> SwitchUnderLoadAsync(string title, string action, string version, LoadGenerator load, CancellationToken ct)
    {
        var took = "";
        await StepAsync(title, async () =>
        {
            load.ResetFirstSeen();
            var before = (load.Sent, load.Failed);
            var start = Stopwatch.GetTimestamp();
            var output = await RunShAsync(ct, action, Site, "--yes");
            var wall = Stopwatch.GetElapsedTime(start);
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 5;
            while (load.FirstSeen($"version={version}") is null && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(10, ct);
            }

            var seen = load.FirstSeen($"version={version}") ?? throw new DemoStepFailed(title, $"no response from {version} through the router after the switch");
            var visible = Stopwatch.GetElapsedTime(start, seen);
            took = $"{wall.TotalMilliseconds:0} ms";
            return $"{output}; run.sh {action} took {wall.TotalMilliseconds:0} ms in all (process start included), first {version} response {visible.TotalMilliseconds:0} ms after it started; " +
                $"{load.Sent - before.Sent:N0} requests meanwhile, {load.Failed - before.Failed} failed";
        });
        return took;
    }

    private Task StepAsync(string title, Func<Task<string>> action) => _steps.StepAsync(title, action);

    private async Task<string> RunShAsync(CancellationToken ct, params string[] args) => DemoHome.ResultLine(await _demoHome.RunShAsync(ct, args));

    private async Task<string> ExpectServedAsync(Uri proxy, string version, CancellationToken ct)
    {
        var body = (await _http.GetStringAsync(proxy, ct)).Trim();
        return body.Contains($"version={version} ", StringComparison.Ordinal)
            ? $"the router serves: \"{body}\""
            : throw new DemoStepFailed($"{version} is served", $"the router answered \"{body}\"");
    }

    private void WriteHome(int proxyPort, int apiPort, int slotA, int slotB)
    {
        _demoHome = new DemoHome(runSh, _home);
        _demoHome.Write($"""
            # The demo's throw-away installation (./run.sh demo).
            ROUTER=embedded
            ROUTER_LISTEN=127.0.0.1:{proxyPort}
            ROUTER_API=http://127.0.0.1:{apiPort}
            SWITCH_VERIFY_TIMEOUT=5

            """, repoRoot, slotA, slotB, Path.Combine(_home, "var", "log", "apps"));
    }

    private void PrintUrls(Uri proxy, int apiPort, int slotA, int slotB)
    {
        terminal.Line("");
        terminal.Markup("[bold]look at[/]" + (keep ? ":" : " (with --keep, these stay up):"));
        terminal.Line($"  site through the router   {proxy}");
        terminal.Line($"  preview (candidate)       curl -H 'Host: preview.localhost' {proxy}");
        terminal.Line($"  Traefik-shaped API        http://127.0.0.1:{apiPort}/api/http/services/{Site}@file");
        terminal.Line($"  slots                     http://127.0.0.1:{slotA}/  http://127.0.0.1:{slotB}/");
        terminal.Line($"  status                    ./run.sh --home {_home} status");
    }

    private void PrintHowToStop()
    {
        terminal.Line("");
        terminal.Markup("[bold]--keep[/]: everything is still running. To stop it:");
        terminal.Line($"  kill {_demoHome.Router?.Id} $(cat {_home}/var/run/*.pid) && rm -rf {_home}");
    }

    private async Task StopEverythingAsync()
    {
        await DemoHome.StopAsync(_demoHome.StartedPids(), [_demoHome]);
        _http.Dispose();
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
