using System.CommandLine;
using BlueGreen.Cli.Output;
using BlueGreen.Core.Input;
using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure.Journal;
using Spectre.Console;

namespace BlueGreen.Cli.Commands;

/// <summary>`journal [SITE] [--limit N] [--json]` and `journal verify`.</summary>
public static class JournalCommand
{
    public static Command Build()
    {
        var site = new Argument<string?>("site") { Description = "only this site's entries", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int?>("--limit", "-n")
        {
            Description = "only the last N entries",
            CustomParser = r =>
            {
                var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
                if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
                {
                    return n;
                }

                r.AddError($"--limit must be a whole number (got '{OperatorInput.Printable(text, 40)}')");
                return null;
            },
        };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1)
            {
                r.AddError("--limit must be 1 or more");
            }
        });
        var json = CommonOptions.Json();
        var command = new Command("journal", "shows the audit journal, newest last") { site, limit, json, Verify() };
        command.SetAction(parse =>
        {
            var context = CliContext.Create(parse, parse.GetValue(json));
            if (context is null)
            {
                return 2;
            }

            if (parse.GetValue(site) is { } name && !OperatorInput.IsSiteName(name))
            {
                Console.Error.WriteLine($"error: {OperatorInput.NotASiteName(name)}");
                return 2;
            }

            var list = Read(new JournalFile(context.Home, TimeProvider.System), parse.GetValue(site), parse.GetValue(limit));
            if (context.Terminal.Json)
            {
                context.Terminal.WriteJson(list);
                return 0;
            }

            var table = new Table().Border(context.Terminal.Rich ? TableBorder.Simple : TableBorder.None)
                .AddColumns("SEQ", "TIME (UTC)", "SITE", "ACTION", "OUTCOME", "ACTOR", "VIA", "FROM", "TO", "MESSAGE");
            foreach (var e in list)
            {
                var outcome = context.Terminal.Rich ? e.Outcome switch
                {
                    "succeeded" => "[green]succeeded[/]",
                    "failed" => "[red]failed[/]",
                    "refused" => "[yellow]refused[/]",
                    _ => Terminal.Escape(e.Outcome),
                } : Terminal.Escape(e.Outcome);
                table.AddRow(
                    new Text(e.Seq.ToString()), new Text(e.Time), new Text(e.Site ?? "-"), new Text(e.Action), new Markup(outcome),
                    new Text(e.Actor), new Text(e.Via), new Text(e.From?.ToString() ?? "-"), new Text(e.To?.ToString() ?? "-"), new Text(e.Message));
            }

            context.Terminal.Out.Write(table);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Oldest first. With --limit, the newest N are read backwards from the journal's end; a site's through
    /// its index: neither reads the whole journal.
    /// </summary>
    private static List<JournalEntry> Read(JournalFile journal, string? site, int? limit)
    {
        if (site is null && limit is null)
        {
            return [.. journal.ReadAll()];
        }

        var newest = site is null ? journal.Newest() : journal.Index.Newest(site);
        var list = (limit is { } n ? newest.Take(n) : newest).ToList();
        list.Reverse();
        return list;
    }

    private static Command Verify()
    {
        var anchor = new Option<bool>("--anchor") { Description = "anchor a journal that has no head yet (a home from an older version), after checking its chain" };
        var verify = new Command("verify", "checks the journal's hash chain and that it reaches its head; exit 1 and the first bad line if broken") { anchor };
        verify.SetAction(parse =>
        {
            var home = CliContext.ResolveHome(parse);
            var journal = new JournalFile(home, TimeProvider.System);
            var broken = parse.GetValue(anchor) ? journal.Anchor() : journal.Verify();
            if (broken is null)
            {
                var head = journal.ReadHead();
                Console.WriteLine($"journal verify: ok ({head?.Seq ?? 0} entries, chain intact, head {head?.Hash ?? "none"}): {journal.Path}");
                return 0;
            }

            Console.Error.WriteLine($"journal verify: BROKEN at {broken.File ?? journal.Path}:{broken.Line}: {broken.Reason}");
            return 1;
        });
        return verify;
    }
}
