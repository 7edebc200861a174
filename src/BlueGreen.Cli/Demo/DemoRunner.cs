using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using BlueGreen.Cli.Output;
using BlueGreen.Infrastructure.Net;
using BlueGreen.Infrastructure.Processes;

namespace BlueGreen.Cli.Demo;

/// <summary>A demo step that did not hold: the demo stops there and names it.</summary>
public sealed class DemoStepFailed(string step, string why) : Exception(why)
{
    public string Step { get; } = step;
}

/// <summary>
/// `./run.sh demo`: the whole blue/green cycle, live, on the embedded router, in a throw-away home.
/// Every action goes through run.sh as an operator would type it; traffic flows during the switches.
/// </summary>
public sealed class DemoRunner(Terminal terminal, string runSh, string repoRoot, bool keep)
{
    private const string Site = "hello";
    private readonly string _home = Path.Combine(Path.GetTempPath(), $"bluegreen-demo-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}");
    private readonly HttpClient _http = HttpClients.Create(timeout: TimeSpan.FromSeconds(5));
    private Process? _router;
    private int _step;

    private const int Steps = 10;
    private const string SlotPlaceholder = "{slot}";

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        var (proxyPort, apiPort, slotA, slotB) = (FreePort(), FreePort(), FreePort(), FreePort());
        var proxy = new Uri($"http://127.0.0.1:{proxyPort}/");
        WriteHome(proxyPort, apiPort, slotA, slotB);
        terminal.Markup($"[bold]BlueGreen Orchestrator demo[/]: site [bold]{Site}[/], slots a (:{slotA}) and b (:{slotB}), embedded router on :{proxyPort}, API on :{apiPort}");
        terminal.Markup($"[grey]throw-away home: {Terminal.Escape(_home)}[/]");
        try
        {
            await StepAsync("start the embedded router", () => StartRouterAsync(apiPort, ct));
            await StepAsync("deploy v1 (first deployment: slot a)", () => RunShAsync(ct, "deploy", Site, "--version", "v1"));
            await StepAsync("validate v1 (HTTP, logs, application tests)", () => RunShAsync(ct, "validate", Site));
            await StepAsync("apply: v1 goes live", async () => await RunShAsync(ct, "apply", Site, "--yes") + "; " + await ExpectServedAsync(proxy, "v1", ct));

            await using var load = new LoadGenerator(proxy);
            await StepAsync("deploy v2 on slot b while v1 serves", () => RunShAsync(ct, "deploy", Site, "--version", "v2"));
            await StepAsync("validate v2", () => RunShAsync(ct, "validate", Site));
            var applyTook = await SwitchUnderLoadAsync("apply under load: v2 goes live", "apply", "v2", load, ct);
            var rollbackTook = await SwitchUnderLoadAsync("rollback under load: v1 is live again", "rollback", "v1", load, ct);
            await Task.Delay(300, ct);
            var (sent, failed, samples) = (load.Sent, load.Failed, load.FailureSamples);
            await load.DisposeAsync();
            await StepAsync("zero failed requests during the switches", () => failed == 0
                ? Task.FromResult($"{sent:N0} requests sent through the router, 0 failed")
                : throw new DemoStepFailed("zero failed requests", $"{failed} of {sent} requests failed: {string.Join(" | ", samples)}"));
            await StepAsync("journal verify", () => RunShAsync(ct, "journal", "verify"));

            terminal.Line("");
            terminal.Markup("[bold]journal[/] (./run.sh journal):");
            terminal.Line(await RunShRawAsync(ct, "journal", Site));
            terminal.Markup($"[bold green]demo passed[/] in {started.Elapsed.TotalSeconds:0.0} s: {sent:N0} requests, [bold]{failed} failed[/]; run.sh apply took {applyTook} and run.sh rollback {rollbackTook}, process start included");
            PrintUrls(proxy, apiPort, slotA, slotB);
            return 0;
        }
        catch (DemoStepFailed e)
        {
            terminal.Markup($"[bold red]demo failed[/] at step '{Terminal.Escape(e.Step)}': {Terminal.Escape(e.Message)}");
            terminal.Markup($"[grey]router log: {Terminal.Escape(Path.Combine(_home, "var", "log", "router.log"))}[/]");
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

    private async Task StepAsync(string title, Func<Task<string>> action)
    {
        _step++;
        var watch = Stopwatch.StartNew();
        string detail;
        try
        {
            detail = await action();
        }
        catch (DemoStepFailed)
        {
            terminal.Markup($"[red]✗[/] {_step,2}/{Steps} {Terminal.Escape(title)}");
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            terminal.Markup($"[red]✗[/] {_step,2}/{Steps} {Terminal.Escape(title)}");
            throw new DemoStepFailed(title, e.Message);
        }

        terminal.Markup($"[green]✓[/] {_step,2}/{Steps} [bold]{Terminal.Escape(title)}[/] [grey]({watch.Elapsed.TotalSeconds:0.0} s)[/]");
        terminal.Markup($"         [grey]{Terminal.Escape(detail)}[/]");
    }

    /// <summary>Runs run.sh like an operator; returns its result line, or throws with its output.</summary>
    private async Task<string> RunShAsync(CancellationToken ct, params string[] args)
    {
        var (code, output) = await RunShProcessAsync(ct, args);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (code != 0)
        {
            throw new DemoStepFailed($"run.sh {string.Join(' ', args)}", $"exit {code}: {string.Join(" | ", lines.TakeLast(6))}");
        }

        return lines.LastOrDefault(l => l.StartsWith("done:", StringComparison.Ordinal) || l.StartsWith("journal verify:", StringComparison.Ordinal)) ?? lines.LastOrDefault() ?? "ok";
    }

    private async Task<string> RunShRawAsync(CancellationToken ct, params string[] args) => (await RunShProcessAsync(ct, args)).Output.TrimEnd();

    private async Task<(int Code, string Output)> RunShProcessAsync(CancellationToken ct, string[] args)
    {
        var info = new ProcessStartInfo(runSh) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["--home", _home, .. args])
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["TERM"] = "dumb";
        info.Environment.Remove("DRY_RUN");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await stdout + await stderr);
    }

    private async Task<string> StartRouterAsync(int apiPort, CancellationToken ct)
    {
        var log = Path.Combine(_home, "var", "log", "router.log");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        var info = new ProcessStartInfo("sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" --home \"$1\" router >>\"$2\" 2>&1 </dev/null");
        info.ArgumentList.Add(runSh);
        info.ArgumentList.Add(_home);
        info.ArgumentList.Add(log);
        _router = Process.Start(info)!;
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_router.HasExited)
            {
                throw new DemoStepFailed("start the embedded router", $"it exited with {_router.ExitCode}: {File.ReadAllText(log).Trim()}");
            }

            try
            {
                if ((await _http.GetStringAsync($"http://127.0.0.1:{apiPort}/ping", ct)).Trim() == "OK")
                {
                    return $"pid {_router.Id}, /ping answers OK (log: {log})";
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100, ct);
        }

        throw new DemoStepFailed("start the embedded router", "its API did not answer /ping within 30 s");
    }

    private async Task<string> ExpectServedAsync(Uri proxy, string version, CancellationToken ct)
    {
        var body = (await _http.GetStringAsync(proxy, ct)).Trim();
        return body.Contains($"version={version} ", StringComparison.Ordinal)
            ? $"the router serves: \"{body}\""
            : throw new DemoStepFailed($"{version} is served", $"the router answered \"{body}\"");
    }

    private void WriteHome(int proxyPort, int apiPort, int slotA, int slotB)
    {
        Directory.CreateDirectory(Path.Combine(_home, "conf", "sites"));
        File.WriteAllText(Path.Combine(_home, "conf", "global.conf"), $"""
            # The demo's throw-away installation (./run.sh demo).
            ROUTER=embedded
            ROUTER_LISTEN=127.0.0.1:{proxyPort}
            ROUTER_API=http://127.0.0.1:{apiPort}
            SWITCH_VERIFY_TIMEOUT=5
            """);
        File.WriteAllText(Path.Combine(_home, "conf", "sites", Site + ".conf"), $"""
            # The sample app (samples/Hello), one process per slot.
            RULE=PathPrefix(`/`)
            PREVIEW_RULE=Host(`preview.localhost`)
            SLOT_A_URL=http://127.0.0.1:{slotA}
            SLOT_B_URL=http://127.0.0.1:{slotB}
            DEPLOY_CMD=sh {repoRoot}/samples/Hello/deploy.sh
            HEALTH_PATH=/health
            HEALTH_BODY=ok
            HEALTH_TIMEOUT=2
            LOG_FILE={_home}/var/log/apps/{Site}-{SlotPlaceholder}.log
            TEST_CMD=curl -fsS "$BG_TARGET_URL/" | grep "version=$BG_VERSION "
            TEST_TIMEOUT=30
            """);
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
        terminal.Line($"  kill {_router?.Id} $(cat {_home}/var/run/*.pid) && rm -rf {_home}");
    }

    private async Task StopEverythingAsync()
    {
        var pids = Directory.Exists(Path.Combine(_home, "var", "run"))
            ? Directory.GetFiles(Path.Combine(_home, "var", "run"), "*.pid").Select(f => int.TryParse(File.ReadAllText(f).Trim(), out var p) ? p : 0).Where(p => p > 1).ToList()
            : [];
        if (_router is { HasExited: false })
        {
            pids.Add(_router.Id);
        }

        foreach (var pid in pids)
        {
            ProcessGroup.SignalProcess(pid, ProcessGroup.SigTerm);
        }

        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
        while (pids.Any(IsAlive) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }

        foreach (var pid in pids.Where(IsAlive))
        {
            ProcessGroup.SignalProcess(pid, ProcessGroup.SigKill);
        }

        _router?.WaitForExit(5000);
        _http.Dispose();
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
