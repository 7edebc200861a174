using System.CommandLine;
using BlueGreen.Cli.Output;
using BlueGreen.Core.Input;
using BlueGreen.Core.Switching;
using BlueGreen.Infrastructure;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.Status;
using Spectre.Console;

namespace BlueGreen.Cli.Commands;

/// <summary>`status [SITE]`: live and candidate slots, versions, health, validation, last switch, drift.</summary>
public static class StatusCommand
{
    public static Command Build()
    {
        var site = new Argument<string?>("site") { Description = "one site (default: all)", Arity = ArgumentArity.ZeroOrOne };
        var json = CommonOptions.Json();
        var noHealth = new Option<bool>("--no-health") { Description = "do not probe the live slots" };
        var command = new Command("status", "for each site: live (blue) and candidate (green) slots, versions, health, validation, last switch, drift") { site, json, noHealth };
        command.SetAction(async (parse, ct) =>
        {
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

            var names = only is null ? ConfigLoader.ValidSiteNames(context.Home) : [only];
            if (only is not null && !File.Exists(context.Home.SiteConf(only)))
            {
                Console.Error.WriteLine($"error: no site named '{only}' ({context.Home.SiteConf(only)} does not exist)");
                return 2;
            }

            var reader = new StatusReader(context.Home, context.Global, CliContext.Http);
            var statuses = await reader.ReadAsync(names, !parse.GetValue(noHealth), ct);
            if (context.Terminal.Json)
            {
                context.Terminal.WriteJson(new StatusJson(statuses, JournalHeadView.Read(context.Home)));
            }
            else
            {
                Render(context.Terminal, statuses);
            }

            return statuses.Any(s => s.Error is not null) ? 1 : 0;
        });
        return command;
    }

    private static void Render(Terminal terminal, IReadOnlyList<SiteStatus> statuses)
    {
        if (statuses.Count == 0)
        {
            terminal.Line("no sites: add conf/sites/SITE.conf (see docs/site-conf.md)");
            return;
        }

        var now = DateTimeOffset.UtcNow;
        var table = new Table().Border(terminal.Rich ? TableBorder.Rounded : TableBorder.None)
            .AddColumns("SITE", "LIVE (blue)", "HEALTH", "CANDIDATE (green)", "VALIDATION", "LAST SWITCH", "NOTES");
        foreach (var s in statuses)
        {
            var live = s.Live is { } l ? $"{l.Slot} {l.Version ?? "?"}" : "-";
            var health = s.Live?.Health ?? "-";
            var candidate = s.Candidate.Version is { } v ? $"{s.Candidate.Slot} {v}" : $"{s.Candidate.Slot} (empty)";
            var validation = s.Validation is { } val
                ? $"{(val.Passed ? "passed" : $"FAILED ({val.FailedGate})")} {SwitchPolicy.FormatAge(now - val.At)} ago"
                : s.Candidate.Version is null ? "-" : "not validated";
            var last = s.LastSwitch is { } sw ? $"{sw.Action} {SwitchPolicy.FormatAge(now - sw.At)} ago by {sw.Actor}" : "never";
            var notes = s.Error ?? (s.Drift is { } d ? $"DRIFT: {d}" : s.Interrupted is { } i ? $"INTERRUPTED: {i}" : s.RollbackTo is { } r ? $"rollback to {r}" : "");
            if (terminal.Rich)
            {
                table.AddRow(
                    new Markup($"[bold]{Terminal.Escape(s.Site)}[/]"),
                    new Markup($"[blue bold]{Terminal.Escape(live)}[/]"),
                    new Markup(health == "up" ? "[green]up[/]" : health == "-" ? "-" : $"[red]{Terminal.Escape(health)}[/]"),
                    new Markup($"[green]{Terminal.Escape(candidate)}[/]"),
                    new Markup(s.Validation is { Passed: false } ? $"[red]{Terminal.Escape(validation)}[/]" : Terminal.Escape(validation)),
                    new Markup(Terminal.Escape(last)),
                    new Markup(s.Error is not null || s.Drift is not null || s.Interrupted is not null ? $"[red]{Terminal.Escape(notes)}[/]" : $"[grey]{Terminal.Escape(notes)}[/]"));
            }
            else
            {
                table.AddRow(Terminal.Escape(s.Site), Terminal.Escape(live), Terminal.Escape(health), Terminal.Escape(candidate), Terminal.Escape(validation), Terminal.Escape(last), Terminal.Escape(notes));
            }
        }

        terminal.Out.Write(table);
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
