using System.Diagnostics;
using BlueGreen.Infrastructure.Processes;

namespace BlueGreen.Cli.Demo;

/// <summary>
/// One throw-away home of a demo (one host): its configuration with the sample site, run.sh run in it as an operator
/// types it, its embedded router, and the processes it started (the router, and the sample app's slots through their
/// pid files), so that the demo can stop them.
/// </summary>
public sealed class DemoHome(string runSh, string root)
{
    /// <summary>The demo's site: the sample app (samples/Hello), one process per slot.</summary>
    public const string Site = "hello";

    private const string SlotPlaceholder = "{slot}";

    public string Root { get; } = root;

    public string RouterLog => Path.Combine(Root, "var", "log", "router.log");

    public Process? Router { get; private set; }

    /// <summary>Writes conf/global.conf as given and the sample site, whose app logs go to <paramref name="appLogs"/>.</summary>
    public void Write(string globalConf, string repoRoot, int slotA, int slotB, string appLogs)
    {
        Directory.CreateDirectory(Path.Combine(Root, "conf", "sites"));
        File.WriteAllText(Path.Combine(Root, "conf", "global.conf"), globalConf);
        File.WriteAllText(Path.Combine(Root, "conf", "sites", Site + ".conf"), $"""
            # The sample app (samples/Hello), one process per slot.
            RULE=PathPrefix(`/`)
            PREVIEW_RULE=Host(`preview.localhost`)
            SLOT_A_URL=http://127.0.0.1:{slotA}
            SLOT_B_URL=http://127.0.0.1:{slotB}
            DEPLOY_CMD=sh {repoRoot}/samples/Hello/deploy.sh
            HEALTH_PATH=/health
            HEALTH_BODY=ok
            HEALTH_TIMEOUT=2
            LOG_FILE={appLogs}/{Site}-{SlotPlaceholder}.log
            TEST_CMD=curl -fsS "$BG_TARGET_URL/" | grep "version=$BG_VERSION "
            TEST_TIMEOUT=30
            """);
    }

    /// <summary>Runs run.sh in this home like an operator; returns everything it printed, or throws with its last lines.</summary>
    public async Task<string> RunShAsync(CancellationToken ct, params string[] args)
    {
        var (code, output) = await RunShProcessAsync(ct, args);
        if (code != 0)
        {
            throw new DemoStepFailed($"run.sh {string.Join(' ', args)}", $"exit {code}: {string.Join(" | ", Lines(output).TakeLast(6))}");
        }

        return output;
    }

    /// <summary>The line of run.sh's output that says how it ended (`done: …`, `journal verify: …`), else its last.</summary>
    public static string ResultLine(string output)
    {
        var lines = Lines(output);
        return lines.LastOrDefault(l => l.StartsWith("done:", StringComparison.Ordinal) || l.StartsWith("journal verify:", StringComparison.Ordinal)) ?? lines.LastOrDefault() ?? "ok";
    }

    /// <summary>
    /// The demo's homes are configured by their own conf/global.conf alone: an operator's exported settings
    /// (ETCD_ENDPOINTS, ROUTING_STORE, ROUTER_API… override the file) must never point a demo at a real cluster.
    /// </summary>
    private static void Isolate(ProcessStartInfo info)
    {
        foreach (var key in BlueGreen.Core.Configuration.GlobalConfig.Keys)
        {
            info.Environment.Remove(key);
        }

        info.Environment.Remove("BLUEGREEN_HOME");
        info.Environment.Remove("DRY_RUN");
    }

    public async Task<(int Code, string Output)> RunShProcessAsync(CancellationToken ct, string[] args)
    {
        var info = new ProcessStartInfo(runSh) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["--home", Root, .. args])
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["TERM"] = "dumb";
        Isolate(info);
        ct.ThrowIfCancellationRequested(); // stopped already: no run.sh to start only to kill it
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            // Stopped (Ctrl-C, SIGTERM): this run.sh and everything it started (its DEPLOY_CMD, a test, curl…) go
            // before the demo stops etcd and deletes the home they work in. Their work is thrown away with it.
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // it ended by itself meanwhile
            }

            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Starts `run.sh router` in this home (its log in var/log/router.log) and waits until its API answers /ping.</summary>
    public async Task<string> StartRouterAsync(int apiPort, HttpClient http, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(RouterLog)!);
        var info = new ProcessStartInfo("sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" --home \"$1\" router >>\"$2\" 2>&1 </dev/null");
        info.ArgumentList.Add(runSh);
        info.ArgumentList.Add(Root);
        info.ArgumentList.Add(RouterLog);
        Isolate(info);
        Router = Process.Start(info)!;
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (Router.HasExited)
            {
                throw new DemoStepFailed("start the embedded router", $"it exited with {Router.ExitCode}: {File.ReadAllText(RouterLog).Trim()}");
            }

            try
            {
                if ((await http.GetStringAsync($"http://127.0.0.1:{apiPort}/ping", ct)).Trim() == "OK")
                {
                    return $"pid {Router.Id}, /ping answers OK (log: {RouterLog})";
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // One /ping that took longer than the client's timeout (a loaded machine): ask again until the deadline.
            }

            await Task.Delay(100, ct);
        }

        throw new DemoStepFailed("start the embedded router", "its API did not answer /ping within 30 s");
    }

    /// <summary>What this home started and that still runs: the sample app's slots (var/run/*.pid) and the router.</summary>
    public List<int> StartedPids()
    {
        var run = Path.Combine(Root, "var", "run");
        var pids = Directory.Exists(run)
            ? Directory.GetFiles(run, "*.pid").Select(f => int.TryParse(File.ReadAllText(f).Trim(), out var p) ? p : 0).Where(p => p > 1).ToList()
            : [];
        if (Router is { HasExited: false })
        {
            pids.Add(Router.Id);
        }

        return pids;
    }

    /// <summary>TERM, then KILL what is still there after 10 s; waits for the routers it started.</summary>
    public static async Task StopAsync(IReadOnlyCollection<int> pids, IEnumerable<DemoHome> homes)
    {
        foreach (var pid in pids)
        {
            ProcessGroup.SignalProcess(pid, ProcessGroup.SigTerm);
        }

        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
        while (pids.Any(ProcStat.IsRunning) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }

        foreach (var pid in pids.Where(ProcStat.IsRunning))
        {
            ProcessGroup.SignalProcess(pid, ProcessGroup.SigKill);
        }

        foreach (var home in homes)
        {
            home.Router?.WaitForExit(5000);
        }
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
