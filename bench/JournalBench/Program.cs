using System.Diagnostics;
using BlueGreen.Core.Journal;
using BlueGreen.Core.State;
using BlueGreen.Infrastructure;
using BlueGreen.Infrastructure.Journal;

// Journal benchmark: appends N entries (default 1,000,000) to a home's journal through JournalFile itself
// (sealed, chained, rotated into 64 MiB segments like any append; in batches, so that a million fsyncs do
// not make the set-up take an hour), then times what reads it, in this process. Prints each figure beside
// its target. Usage: JournalBench HOME [N] [SITES]   (HOME is created or extended; bench/journal.sh times
// the CLI on it afterwards.)
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: JournalBench HOME [ENTRIES] [SITES]");
    return 2;
}

var home = Home.At(Path.GetFullPath(args[0]));
var total = args.Length > 1 ? int.Parse(args[1]) : 1_000_000;
var sites = args.Length > 2 ? int.Parse(args[2]) : 200;
var journal = new JournalFile(home, TimeProvider.System);

var existing = journal.ReadHead()?.Seq ?? 0;
if (existing < total)
{
    var build = Stopwatch.StartNew();
    const int Batch = 10_000;
    var outcomes = new[] { JournalOutcome.Started, JournalOutcome.Succeeded, JournalOutcome.Refused, JournalOutcome.DryRun };
    for (var seq = existing; seq < total; seq += Batch)
    {
        var count = (int)Math.Min(Batch, total - seq);
        var entries = new JournalEntry[count];
        for (var i = 0; i < count; i++)
        {
            var n = seq + i;
            var site = $"site{(n % sites) + 1}";
            // Each site's own history cycles through the outcomes (started, succeeded, refused, dry-run), as a
            // site's commands do: recovery's look-up then stops within a few lines, as on a real journal.
            var outcome = outcomes[(n / sites) % outcomes.Length];
            entries[i] = new JournalEntry
            {
                Site = site,
                Action = n % 3 == 0 ? JournalAction.Apply : JournalAction.Deploy,
                Outcome = outcome,
                Actor = "ops@bench-host",
                From = new SlotVersion("a", $"1.{n % 97}.0"),
                To = new SlotVersion("b", $"1.{(n % 97) + 1}.0"),
                Message = outcome == JournalOutcome.Started ? "" : $"{site}: switched from a (1.{n % 97}.0) to b (1.{(n % 97) + 1}.0) in 1{n % 1000} ms; every gate passed",
                Ref = outcome == JournalOutcome.Started ? null : n,
            };
        }

        journal.Append(entries);
    }

    Console.WriteLine($"built: {total - existing:N0} entries appended in {build.Elapsed.TotalSeconds:F1} s");
}

if (Environment.GetEnvironmentVariable("BUILD_ONLY") == "1")
{
    return 0; // bench/cockpit.sh: the journal is all it needs
}

var segments = journal.Segments.Last();
var bytes = Enumerable.Range(1, segments).Sum(n => new FileInfo(journal.Segments.PathOf(n)).Length);
Console.WriteLine($"journal: {journal.ReadHead()!.Seq:N0} entries, {bytes / 1048576.0:F0} MiB in {segments} segment(s); {Environment.ProcessorCount} CPU(s), load {File.ReadAllText("/proc/loadavg").Trim()}");

Figure("newest 20 (journal --limit 20), read backwards", "< 50 ms", () => journal.Newest().Take(20).Count());
File.Delete(journal.CheckpointPath);
if (Directory.Exists(journal.Index.Directory))
{
    Directory.Delete(journal.Index.Directory, recursive: true);
}

Figure("site index built from scratch (once)", "-", () => journal.Index.Count("site7") ?? -1);
Figure("newest 20 of one site (journal SITE --limit 20), via the index", "< 50 ms", () => journal.Index.Newest("site7").Take(20).Count());
Figure("recovery's look-up (FindInterrupted) on one site", "< 50 ms", () => journal.FindInterrupted("site9") is null ? 0 : 1);

var entriesTotal = journal.ReadHead()!.Seq;
for (var round = 1; round <= 2; round++)
{
var fullCpu = Process.GetCurrentProcess().TotalProcessorTime;
var full = Stopwatch.StartNew();
var verdict = journal.Verify();
full.Stop();
fullCpu = Process.GetCurrentProcess().TotalProcessorTime - fullCpu;
Console.WriteLine($"  {"journal verify (full)",-62} {full.Elapsed.TotalMilliseconds,8:F0} ms wall {fullCpu.TotalMilliseconds,8:F0} ms CPU  {entriesTotal / full.Elapsed.TotalSeconds / 1e6:F2} M entries/s wall, {entriesTotal / fullCpu.TotalSeconds / 1e6:F2} M/s CPU (target >= 1 M/s) {(verdict is null ? "ok" : "BROKEN: " + verdict.Reason)} (round {round})");
}

journal.Append(Enumerable.Range(0, 100).Select(i => new JournalEntry { Site = "site1", Action = JournalAction.Deploy, Outcome = JournalOutcome.Refused, Actor = "ops@bench-host", Message = $"late {i}" }).ToList());
Figure("incremental verify after 100 new entries", "O(new)", () => journal.VerifyIncrementally() is { Break: null, FromCheckpoint: true } ? 0 : throw new InvalidOperationException("not incremental"));
Figure("one append (line + head, both fsynced)", "as on a short journal", () => journal.Append(new JournalEntry { Site = "site1", Action = JournalAction.Deploy, Outcome = JournalOutcome.Refused, Actor = "ops@bench-host", Message = "one" }).Seq);

var cockpit = new JournalFile(home, TimeProvider.System) { DerivedInMemory = true };
Figure("cockpit: first verdict + in-memory index (once per process)", "-", () => (cockpit.VerifyIncrementally().Entries, cockpit.Index.Count("site1")).Entries);
Figure("cockpit: verdict + newest page of 50", "< 100 ms", () => (cockpit.VerifyIncrementally().Entries, cockpit.Newest().Take(50).Count()).Entries);
Figure("cockpit: site page of 50 (index in memory)", "< 100 ms", () => cockpit.Index.Newest("site7").Take(50).Count());
GC.Collect();
Console.WriteLine($"  {"this process's peak resident set",-62} {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576,8} MiB  (cockpit target < 200 MiB)");
return 0;

// Wall time, and this process's CPU time beside it: on a shared machine the wall time includes waiting.
static void Figure(string what, string target, Func<long> run)
{
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    run();
    watch.Stop();
    cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
    Console.WriteLine($"  {what,-62} {watch.Elapsed.TotalMilliseconds,8:F1} ms wall {cpu.TotalMilliseconds,8:F1} ms CPU  (target {target})");
}
