using System.CommandLine;
using BlueGreen.Cli.Output;
using BlueGreen.Core.Input;
using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.Journal;

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

            var journal = new JournalFile(context.Home, TimeProvider.System);
            CatchUpFromEtcd(context.Global, journal);
            if (parse.GetValue(site) is { } only && !ConfigLoader.ValidSiteNames(context.Home).Contains(only) && !journal.Index.Newest(only).Any())
            {
                // A removed site's history stays readable; a name neither configured nor journaled is a mistake.
                var known = ConfigLoader.ValidSiteNames(context.Home);
                Console.Error.WriteLine($"error: no site named '{only}' (no {context.Home.SiteConf(only)} and no journal entry){Suggestion.DidYouMean(only, known.Concat(command.Subcommands.Select(c => c.Name)))}");
                return 2;
            }

            var list = Read(journal, parse.GetValue(site), parse.GetValue(limit));
            if (context.Terminal.Json)
            {
                context.Terminal.WriteJson(list);
                return 0;
            }

            context.Terminal.Table(Columns, list.Select(Row).ToList());
            return 0;
        });
        return command;
    }

    /// <summary>
    /// With ROUTING_STORE=etcd the journal is the one in etcd: this host's mirror is brought up to it first, so the
    /// entries other hosts wrote are shown too. When etcd cannot be reached, the mirror is shown as it is, with a warning.
    /// </summary>
    private static void CatchUpFromEtcd(Core.Configuration.GlobalConfig global, JournalFile journal)
    {
        if (EtcdStore.For(global) is not { } store)
        {
            return;
        }

        string? problem;
        try
        {
            problem = EtcdJournal.CatchUpForReading(store, journal);
        }
        catch (EtcdUnavailableException e)
        {
            problem = e.Message;
        }

        if (problem is not null)
        {
            Console.Error.WriteLine($"warning: showing this host's mirror of the journal, which may lag the journal in etcd: {problem}");
        }
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

    /// <summary>With ROUTING_STORE=etcd: the journal in etcd checked, and this host's mirror compared with it line by line; null with files.</summary>
    private static JournalVerifyEtcdJson? VerifyEtcd(Infrastructure.Home home, JournalFile journal)
    {
        var (global, errors) = ConfigLoader.LoadGlobal(home);
        if (global.RoutingStore != Core.Configuration.RoutingStoreKind.Etcd || errors.Any(e => !e.IsWarning))
        {
            return null;
        }

        try
        {
            using var store = new EtcdStore(global);
            var etcd = new EtcdJournal(store, journal, TimeProvider.System);
            try
            {
                // A mirror that only lags is caught up (what every command does first); one that differs stays as it is, and is reported.
                etcd.EnsureMirrorFollows();
            }
            catch (JournalWriteException e) when (e.Damaged)
            {
            }

            var (broken, difference, entries) = etcd.Verify();
            return new JournalVerifyEtcdJson(broken is null && difference is null, global.EtcdEndpoints, entries, broken?.Line, broken?.Reason, difference?.Seq, difference?.Reason);
        }
        catch (Exception e) when (e is EtcdUnavailableException or JournalWriteException)
        {
            return new JournalVerifyEtcdJson(false, global.EtcdEndpoints, 0, null, $"the journal in etcd could not be read: {e.Message}", null, null);
        }
    }

    /// <summary>The journal table's columns (TIME is UTC). When the width is short they go in this order: VIA, ACTOR, FROM, TO, SEQ, SITE, MESSAGE.</summary>
    internal static readonly IReadOnlyList<TextColumn> Columns =
    [
        new("SEQ", 4), new("TIME", 0), new("SITE", 3), new("ACTION", 1), new("OUTCOME", 1),
        new("ACTOR", 7), new("VIA", 8), new("FROM", 6, Wrap: true), new("TO", 5, Wrap: true), new("MESSAGE", 2, Wrap: true),
    ];

    internal static IReadOnlyList<TextCell> Row(JournalEntry e) =>
    [
        e.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Time, e.Site ?? "-", e.Action,
        new TextCell(e.Outcome, e.Outcome switch { JournalOutcome.Succeeded => "green", JournalOutcome.Failed => "red", JournalOutcome.Refused => "yellow", _ => null }),
        e.Actor, e.Via, e.From?.ToString() ?? "-", e.To?.ToString() ?? "-", e.Message,
    ];

    private static Command Verify()
    {
        var anchor = new Option<bool>("--anchor") { Description = "anchor a journal that has no head yet (a home from an older version), after checking its chain" };
        var json = CommonOptions.Json();
        var verify = new Command("verify", "checks the journal's hash chain and that it reaches its head; exit 1 and the first bad line if broken") { anchor, json };
        verify.SetAction(parse =>
        {
            var home = CliContext.ResolveHome(parse);
            var journal = new JournalFile(home, TimeProvider.System);
            var broken = parse.GetValue(anchor) ? journal.Anchor() : journal.Verify();
            var head = broken is null ? journal.ReadHead() : null;
            var etcd = VerifyEtcd(home, journal);
            var ok = broken is null && etcd is null or { Ok: true };
            if (parse.GetValue(json))
            {
                var reason = broken is null ? null : CommandHint.WithHome(broken.Reason, parse.GetValue(CommonOptions.Home));
                Console.WriteLine(Core.Json.Serialize(new JournalVerifyJson(ok, journal.Path, head?.Seq ?? 0, head?.Hash, broken?.Line, reason, etcd), Core.Json.Indented));
                return ok ? 0 : 1;
            }

            if (broken is null)
            {
                Console.WriteLine($"journal verify: ok ({head?.Seq ?? 0} entries, chain intact, head {head?.Hash ?? "none"}): {journal.Path}");
            }
            else
            {
                Console.Error.WriteLine($"journal verify: BROKEN at {broken.File ?? journal.Path}:{broken.Line}: {CommandHint.WithHome(broken.Reason, parse.GetValue(CommonOptions.Home))}");
            }

            if (etcd is not null)
            {
                if (etcd.BrokenAt is { } at)
                {
                    Console.Error.WriteLine($"journal verify: BROKEN in etcd ({etcd.Endpoints}) at seq {at}: {etcd.Reason}");
                }
                else if (etcd.Reason is not null)
                {
                    Console.Error.WriteLine($"journal verify: {etcd.Reason}");
                }
                else
                {
                    Console.WriteLine($"journal verify: ok in etcd ({etcd.Entries} entries, chain intact, ends at its head): {etcd.Endpoints}");
                }

                if (etcd.MirrorDiffersAt is { } seq)
                {
                    Console.Error.WriteLine($"journal verify: this host's mirror DIFFERS from etcd at seq {seq}: {etcd.MirrorDifference}");
                }
                else if (etcd.BrokenAt is null && etcd.Reason is null)
                {
                    Console.WriteLine($"journal verify: this host's mirror equals the journal in etcd ({journal.Path})");
                }
            }

            return ok ? 0 : 1;
        });
        return verify;
    }
}
