using System.CommandLine;
using BlueGreen.Cli.Output;
using BlueGreen.Core.Input;
using BlueGreen.Core.Status;
using BlueGreen.Core.Switching;
using BlueGreen.Infrastructure;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Infrastructure.Notifications;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.Status;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace BlueGreen.Cli.Commands;

/// <summary>
/// `status [SITE]`: per site, what the state says beside what the router serves, the live slot's health,
/// drift, an interrupted command and configuration errors. Exit 0 only when no site needs attention
/// (<see cref="SiteAttention"/>), 1 when one does, 2 for usage errors.
/// </summary>
public static class StatusCommand
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(2);

    public static Command Build()
    {
        var site = new Argument<string?>("site") { Description = "one site (default: all)", Arity = ArgumentArity.ZeroOrOne };
        var json = CommonOptions.Json();
        var noHealth = new Option<bool>("--no-health") { Description = "do not probe the live slots (the router's API is still read)" };
        var watch = new Option<bool>("--watch", "-w") { Description = "refresh every 2 s until Ctrl-C (in place on a terminal)" };
        var command = new Command("status", "for each site: live (blue) and candidate (green) slots, versions, health, what the router serves, validation, last switch, drift; exit 1 when a site needs attention")
        {
            site, json, noHealth, watch,
        };
        command.SetAction(async (parse, ct) =>
        {
            // A home that does not exist was refused before any command ran (Program's one home check).
            if (parse.GetValue(watch) && parse.GetValue(json))
            {
                Console.Error.WriteLine("error: --watch and --json do not go together (run status --json from your own loop)");
                return 2;
            }

            var context = CliContext.Create(parse, parse.GetValue(json));
            if (context is null)
            {
                return 2;
            }

            var only = parse.GetValue(site);
            if (only is not null && !OperatorInput.IsSiteName(only))
            {
                Console.Error.WriteLine($"error: {OperatorInput.NotASiteName(only)}");
                return 2;
            }

            if (only is not null && !File.Exists(context.Home.SiteConf(only)))
            {
                Console.Error.WriteLine($"error: no site named '{only}' ({context.Home.SiteConf(only)} does not exist)");
                return 2;
            }

            // Watching reads again every 2 s: a site whose files did not change is not read and parsed again.
            var reader = new StatusReader(context.Home, context.Global, CliContext.Http, reuseUnchanged: parse.GetValue(watch));
            var probes = parse.GetValue(noHealth) ? StatusProbes.Router : StatusProbes.All;
            Task<IReadOnlyList<SiteStatus>> ReadAsync(CancellationToken token) =>
                reader.ReadAsync(only is null ? ConfigLoader.ValidSiteNames(context.Home) : [only], probes, token);

            if (parse.GetValue(watch))
            {
                return await WatchAsync(context.Terminal, ReadAsync, ct);
            }

            var statuses = await ReadAsync(ct);
            if (context.Terminal.Json)
            {
                context.Terminal.WriteJson(new StatusJson(statuses, JournalHeadView.Read(context.Home), JournalNotifier.LastFailure(context.Home)));
            }
            else
            {
                Render(context.Terminal, statuses, DateTimeOffset.UtcNow);
                if (JournalNotifier.LastFailure(context.Home) is { } failure)
                {
                    // Not a site's attention (exit code unchanged): the switches stand, only their news was lost.
                    context.Terminal.Line(NotifyLine(failure));
                }
            }

            return statuses.Any(s => s.NeedsAttention) ? 1 : 0;
        });
        return command;
    }

    /// <summary>Redraws until Ctrl-C, which ends it with exit 0: watching is not a check. In place on a terminal.</summary>
    private static async Task<int> WatchAsync(Terminal terminal, Func<CancellationToken, Task<IReadOnlyList<SiteStatus>>> read, CancellationToken ct)
    {
        try
        {
            if (!terminal.Rich)
            {
                while (true)
                {
                    Render(terminal, await read(ct), DateTimeOffset.UtcNow);
                    terminal.Line("");
                    await Task.Delay(WatchInterval, ct);
                }
            }

            var first = await read(ct);
            await terminal.Out.Live(Watched(first, DateTimeOffset.UtcNow)).AutoClear(false).StartAsync(async live =>
            {
                while (true)
                {
                    await Task.Delay(WatchInterval, ct);
                    live.UpdateTarget(Watched(await read(ct), DateTimeOffset.UtcNow));
                }
            });
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }

        return 0;
    }

    private static IRenderable Watched(IReadOnlyList<SiteStatus> statuses, DateTimeOffset now) =>
        new Rows([new Markup($"[grey]{now:yyyy-MM-dd HH:mm:ss}Z, every {WatchInterval.TotalSeconds:0} s; Ctrl-C ends[/]"), .. Renderables(statuses, now, rich: true)]);

    private static void Render(Terminal terminal, IReadOnlyList<SiteStatus> statuses, DateTimeOffset now)
    {
        if (!terminal.Rich)
        {
            // Plain output is never wrapped (see Terminal.Line).
            terminal.Lines(PlainLines(statuses, now));

            return;
        }

        foreach (var renderable in Renderables(statuses, now, rich: true))
        {
            terminal.Out.Write(renderable);
        }
    }

    private static IEnumerable<IRenderable> Renderables(IReadOnlyList<SiteStatus> statuses, DateTimeOffset now, bool rich)
    {
        if (statuses.Count == 0)
        {
            yield return new Text("no sites: add conf/sites/SITE.conf (see docs/site-conf.md)\n");
            yield break;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns(Headers);
        foreach (var s in statuses)
        {
            var cells = Cells(s, now);
            table.AddRow(
                new Markup($"[bold]{Terminal.Escape(cells[0])}[/]"),
                new Markup($"[blue bold]{Terminal.Escape(cells[1])}[/]"),
                new Markup(Colour(cells[2], cells[2] == "up" ? "green" : cells[2] is "-" or "?" ? null : "red")),
                new Markup(Colour(cells[3], RouterColour(s))),
                new Markup($"[green]{Terminal.Escape(cells[4])}[/]"),
                new Markup(Colour(cells[5], s.Validation is { Passed: false } ? "red" : null)),
                new Markup(Terminal.Escape(cells[6])),
                new Markup(Colour(cells[7], s.NeedsAttention ? "red" : "grey")));
        }

        yield return table;
        foreach (var line in AttentionLines(statuses))
        {
            yield return new Markup($"[red]{Terminal.Escape(line)}[/]\n");
        }
    }

    private static string Colour(string text, string? colour) => colour is null ? Terminal.Escape(text) : $"[{colour}]{Terminal.Escape(text)}[/]";

    private static string? RouterColour(SiteStatus s) => s.Router?.Finding switch
    {
        null or RouterFinding.NotChecked => "grey",
        RouterFinding.Serving or RouterFinding.Splitting when s.Attention.All(a => !a.StartsWith("the router", StringComparison.Ordinal)) => "green",
        RouterFinding.NoRouter or RouterFinding.NoLiveSlot when s.Live is null => null,
        _ => "red",
    };

    private static readonly string[] Headers = ["SITE", "LIVE (blue)", "HEALTH", "ROUTER", "CANDIDATE (green)", "VALIDATION", "LAST SWITCH", "NOTES"];

    /// <summary>Without a terminal: one tab-separated line per site under a header line, then the attention lines.</summary>
    private static IEnumerable<string> PlainLines(IReadOnlyList<SiteStatus> statuses, DateTimeOffset now)
    {
        if (statuses.Count == 0)
        {
            yield return "no sites: add conf/sites/SITE.conf (see docs/site-conf.md)";
            yield break;
        }

        var rows = statuses.Select(s => (IReadOnlyList<TextCell>)[.. Cells(s, now).Select(c => (TextCell)c)]).ToList();
        foreach (var line in TextTable.Tsv([.. Headers.Select(h => new TextColumn(h, Keep: 0))], rows))
        {
            yield return line;
        }

        foreach (var line in AttentionLines(statuses))
        {
            yield return line;
        }
    }

    /// <summary>The newest line of var/log/notify.log, as status shows it.</summary>
    public static string NotifyLine(Core.Notifications.NotifyFailure f) =>
        $"notify: last failure {f.Time.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z {f.Url}: {f.Cause} (journal seq {f.Seq}; see var/log/notify.log)";

    /// <summary>One line per reason, so that a cron mail or a monitor's log says exactly what is wrong.</summary>
    private static IEnumerable<string> AttentionLines(IReadOnlyList<SiteStatus> statuses) =>
        statuses.SelectMany(s => s.Attention.Select(reason => $"attention: {s.Site}: {reason}"));

    private static string[] Cells(SiteStatus s, DateTimeOffset now)
    {
        var live = s.Live is { } l ? $"{l.Slot} {l.Version ?? "?"}{(s.Split is { } sl ? $" ({sl.LivePercent} %)" : "")}" : s.StateError is not null ? "?" : "-";
        var health = s.Live is null ? "-" : s.Live.Health ?? (s.ConfigErrors is { Count: > 0 } ? "?" : "-");
        var router = s.Router is { } r ? r.Short : "not checked";
        var candidate = s.StateError is not null ? "?" : s.Candidate.Version is { } v ? $"{s.Candidate.Slot} {v}{(s.Split is { } sc ? $" ({sc.CandidatePercent} %)" : "")}" : $"{s.Candidate.Slot} ({s.Candidate.Shown})";
        var validation = s.Validation is { } val
            ? $"{(val.Passed ? "passed" : $"FAILED ({val.FailedGate})")} {SwitchPolicy.FormatAge(now - val.At)} ago"
            : s.Candidate.Version is null ? "-" : "not validated";
        var last = s.LastSwitch is { } sw ? $"{sw.Action} {SwitchPolicy.FormatAge(now - sw.At)} ago by {sw.Actor}" : "never";
        var notes = new List<string>();
        if (s.ConfigErrors is { Count: > 0 } errors)
        {
            notes.Add($"CONFIG: {errors[0]}{(errors.Count > 1 ? $" (+{errors.Count - 1} more)" : "")}");
        }

        if (s.StateError is { } stateError)
        {
            notes.Add($"STATE: {stateError}");
        }

        if (s.Split is { } split)
        {
            notes.Add($"SPLIT: {split} of new requests (./run.sh apply {s.Site} completes it, rollback ends it)");
        }

        if (s.Drift is { } d)
        {
            notes.Add($"DRIFT: {d}");
        }

        if (s.Interrupted is { } i)
        {
            notes.Add($"INTERRUPTED: {i}");
        }

        if (s.InProgress is { } p)
        {
            notes.Add($"in progress: {p}");
        }

        if (notes.Count == 0 && s.RollbackTo is { } back)
        {
            notes.Add($"rollback to {back}");
        }

        return [s.Site, live, health, router, candidate, validation, last, string.Join("; ", notes)];
    }
}

/// <summary>The journal's head as status --json shows it: keep a copy elsewhere to detect a rewritten history.</summary>
public sealed record JournalHeadView(string Path, string HeadFile, long? Seq, string? Hash, string? Problem)
{
    public static JournalHeadView Read(Home home)
    {
        var journal = new JournalFile(home, TimeProvider.System);
        try
        {
            var head = journal.ReadHead();
            return new JournalHeadView(journal.Path, journal.HeadPath, head?.Seq, head?.Hash, null);
        }
        catch (JournalWriteException e)
        {
            return new JournalHeadView(journal.Path, journal.HeadPath, null, null, e.Message);
        }
    }
}
