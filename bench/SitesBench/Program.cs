using System.Diagnostics;
using BlueGreen.Core.Routing;
using BlueGreen.Infrastructure;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.Net;
using BlueGreen.Infrastructure.State;
using BlueGreen.Operations.Common;
using BlueGreen.Operations.Deploying;
using BlueGreen.Operations.Switching;
using BlueGreen.Operations.Validating;

// Builds (or extends) a home of SITES sites through the product's own operations, in process: each site's
// conf/sites/SITE.conf as an operator writes it, then DeployOperation on every site, and ValidateOperation +
// SwitchOperation (apply) on the first LIVE sites, so that their state, routing file and journal are the
// product's own. The slots are http://127.0.0.1:PORT_A/sN and http://127.0.0.1:PORT_B/sN: the caller runs
// whatever answers there (bench/status.sh runs samples/Hello). A site already deployed is left as it is, so
// a kept home is reused. Usage: SitesBench HOME SITES LIVE PORT_A PORT_B
if (args is ["status", var statusHome])
{
    return await StatusFigures.RunAsync(Home.At(Path.GetFullPath(statusHome)));
}

if (args.Length != 5)
{
    Console.Error.WriteLine("usage: SitesBench HOME SITES LIVE PORT_A PORT_B | SitesBench status HOME");
    return 2;
}

var home = Home.At(Path.GetFullPath(args[0]));
var sites = int.Parse(args[1]);
var live = int.Parse(args[2]);
var (portA, portB) = (int.Parse(args[3]), int.Parse(args[4]));
Directory.CreateDirectory(home.SitesDir);
if (!File.Exists(home.GlobalConf))
{
    File.WriteAllText(home.GlobalConf, "ROUTER_API=\n");
}

var (global, errors) = ConfigLoader.LoadGlobal(home);
if (errors.Any(e => !e.IsWarning))
{
    errors.ToList().ForEach(e => Console.Error.WriteLine(e));
    return 2;
}

string Name(int i) => $"site{i}";
for (var i = 1; i <= sites; i++)
{
    var path = home.SiteConf(Name(i));
    if (!File.Exists(path))
    {
        File.WriteAllText(path, $"RULE=Host(`site{i}.example.com`)\nSLOT_A_URL=http://127.0.0.1:{portA}/s{i}\nSLOT_B_URL=http://127.0.0.1:{portB}/s{i}\nHEALTH_PATH=/health\n");
    }
}

var context = new OperationContext(home, global, "bench@" + Environment.MachineName, "cli", false, "SitesBench", TimeProvider.System, new Silent(), LockWait: TimeSpan.FromMinutes(10));
// (Switches take one global switch lock in turn: LockWait queues them instead of refusing.)
var store = new StateStore(home);
var built = Stopwatch.StartNew();
var failures = 0;
var done = 0;
// A few sites at a time: each operation holds only its own site's lock (the journal's append lock is short).
await Parallel.ForEachAsync(Enumerable.Range(1, sites), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
{
    var name = Name(i);
    var state = store.Read(name);
    var results = new List<BlueGreen.Operations.Common.OperationResult>();
    if (state?.Candidate is null && state?.Live is null)
    {
        results.Add(await new DeployOperation(context, HttpClients.Shared).RunAsync(name, "v1", ct));
    }

    if (i <= live && store.Read(name)?.Live is null)
    {
        results.Add(await new ValidateOperation(context, HttpClients.Shared).RunAsync(name, ct));
        results.Add(await new SwitchOperation(context, HttpClients.Shared).RunAsync(SwitchKind.Apply, name, force: false, ct));
    }

    foreach (var r in results.Where(r => r.Code != BlueGreen.Core.ExitCode.Done))
    {
        Interlocked.Increment(ref failures);
        Console.Error.WriteLine($"{name}: {r.Message}");
    }

    if (Interlocked.Increment(ref done) % 1000 == 0)
    {
        Console.Error.WriteLine($"  {done} sites set up ({built.Elapsed.TotalSeconds:F0} s)");
    }
});
Console.WriteLine($"home: {sites:N0} sites ({live:N0} live) set up through the product's operations in {built.Elapsed.TotalSeconds:F1} s{(failures > 0 ? $", {failures} FAILED" : "")}");
return failures > 0 ? 1 : 0;

/// <summary>status's reader in this process (start-up apart): the whole read, then each of its parts per site.</summary>
internal static class StatusFigures
{
    public static async Task<int> RunAsync(Home home)
    {
        var (global, _) = ConfigLoader.LoadGlobal(home);
        var names = ConfigLoader.ValidSiteNames(home);
        Console.WriteLine($"status's reader over {names.Count:N0} sites, in process; {Environment.ProcessorCount} CPU(s), load {File.ReadAllText("/proc/loadavg").Trim()}");
        for (var round = 1; round <= 3; round++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            var read = await new BlueGreen.Infrastructure.Status.StatusReader(home, global, HttpClients.Shared).ReadAsync(names, BlueGreen.Infrastructure.Status.StatusProbes.Router, CancellationToken.None);
            wall.Stop();
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            Console.WriteLine($"  read (no probes), round {round}: {wall.Elapsed.TotalMilliseconds,8:F0} ms wall {cpu.TotalMilliseconds,8:F0} ms CPU  ({wall.Elapsed.TotalMilliseconds * 1000 / names.Count:F0} us per site; {read.Count(s => s.Live is not null)} live)");
        }

        var journal = new BlueGreen.Infrastructure.Journal.JournalFile(home, global, TimeProvider.System);
        Part("site configuration (ConfigLoader.LoadSite)", names, n => ConfigLoader.LoadSite(home, n, global));
        Part("state (StateStore.Read)", names, n => new StateStore(home).Read(n));
        Part("routing file (RoutingFiles.ReadTruth)", names, n => new BlueGreen.Infrastructure.Routing.RoutingFiles(home, global).ReadTruth(n));
        using var findInterrupted = journal.InterruptedFinder(); // as status does: the index checked once per read, segments opened once
        Part("journal look-up (InterruptedFinder)", names, n => findInterrupted.Find(n));
        var routing = new BlueGreen.Infrastructure.Routing.RoutingFiles(home, global);
        var texts = names.ToDictionary(n => n, n => routing.ReadText(n) ?? "");
        Part("  of which: routing file parse alone", names, n => BlueGreen.Core.Routing.RoutingFileFormat.Parse(texts[n]));
        Part("  of which: routing file read alone", names, n => routing.ReadText(n));
        var confs = names.ToDictionary(n => n, n => File.ReadAllText(home.SiteConf(n)));
        Part("  of which: site parse alone", names, n => BlueGreen.Core.Configuration.SiteConfig.Parse(home.SiteConf(n), n, confs[n], global.Router));
        return 0;
    }

    private static void Part(string what, IReadOnlyList<string> names, Func<string, object?> read)
    {
        var wall = Stopwatch.StartNew();
        foreach (var name in names)
        {
            read(name);
        }

        Console.WriteLine($"  {what,-46} {wall.Elapsed.TotalMilliseconds,8:F0} ms  ({wall.Elapsed.TotalMilliseconds * 1000 / names.Count:F0} us per site)");
    }
}

/// <summary>The operations' reporter, silent: a bench shows only its figures.</summary>
internal sealed class Silent : IOperationReporter
{
    public void Step(string message) { }

    public void Warn(string message) { }

    public void ShowDiff(string title, IReadOnlyList<DiffLine> diff) { }

    public bool Confirm(string question, CancellationToken ct) => true;

    public void Output(string line) { }
}
