using BlueGreen.Infrastructure.Journal;
using BlueGreen.Core.Recovery;
using System.Text.Json;
using System.Text.RegularExpressions;
using BlueGreen.Core;
using BlueGreen.Core.Journal;
using BlueGreen.Core.State;
using BlueGreen.Core.Validation;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.State;
using BlueGreen.Infrastructure.Status;

namespace BlueGreen.Cockpit.Data;

/// <summary>Builds what the pages and the API show, from the stores (disk, or etcd) only (health comes from the monitor's cache).</summary>
internal sealed partial class CockpitReader(CockpitSources sources, HealthMonitor health, TimeProvider clock)
{
    private const int SiteJournalLimit = 50;
    private const int HistoryLimit = 20;

    /// <summary>A site that may be shown: a valid name with a configuration file.</summary>
    public bool Exists(string site) => Core.Input.OperatorInput.IsSiteName(site) && File.Exists(sources.Home.SiteConf(site));

    public IReadOnlyList<string> SiteNames() => ConfigLoader.SiteNames(sources.Home);

    /// <param name="withPlans">Work out each site's apply and rollback plans (for the admin's buttons).</param>
    public async Task<Board> BoardAsync(CancellationToken ct, bool withPlans = false)
    {
        var statuses = await sources.StatusReader.ReadAsync(SiteNames(), StatusProbes.None, ct);
        return new Board(clock.GetUtcNow(), statuses.Select(s => Row(s, withPlans)).ToList());
    }

    public async Task<SiteDetail> SiteAsync(string site, CancellationToken ct, bool withPlans = false)
    {
        var status = (await sources.StatusReader.ReadAsync([site], StatusProbes.None, ct))[0];
        var row = Row(status, withPlans);
        var state = ReadState(site);
        var (report, reportError) = ReadReport(state);
        var journal = sources.Journal.Index.Newest(site).Take(SiteJournalLimit).ToList();
        var history = sources.Routing.History(site).Take(HistoryLimit)
            .Select(f => new RoutingVersion(Path.GetFileName(f), ReadOrWhy(f))).ToList();
        return new SiteDetail(clock.GetUtcNow(), row, state, report, reportError, sources.RoutingWhere(site), sources.RoutingText(site), history, journal, SlotUrls(site));
    }

    /// <summary>A status read from the files, with the monitor's last network readings.</summary>
    private SiteRow Row(SiteStatus status, bool withPlans) =>
        new(status, health.For(status.Site, status.Live), health.RouterFor(status.Site), withPlans ? PlansFromLastRead(status.Site) : null);

    /// <summary>
    /// <see cref="Plans"/> from what the status read just found (no file read again): the same decision, since
    /// <see cref="SwitchPreview.Decide"/> without its diff needs only the configuration, the recovered state and the drift.
    /// </summary>
    private SwitchPlans PlansFromLastRead(string site)
    {
        if (sources.StatusReader.LastReading(site) is not { } reading)
        {
            return Plans(site);
        }

        var routingPath = sources.RoutingWhere(site);
        string[] actions = ["apply", "rollback"];
        var why = reading.ConfigErrors.Count > 0 ? string.Join("; ", reading.ConfigErrors) : reading.StateError;
        if (why is not null || reading.Config is not { } config || reading.Recovered is not { } state)
        {
            var unavailable = actions.Select(a => SwitchPreview.Unavailable(site, a, routingPath, why ?? "the site cannot be read")).ToArray();
            return new SwitchPlans(unavailable[0], unavailable[1]);
        }

        var now = clock.GetUtcNow();
        var plans = actions.Select(action => SwitchPreview.Decide(action, config, state, null, routingPath, reading.Drift, now, sources.Global.ValidationMaxAge, withDiff: false)).ToArray();
        return new SwitchPlans(plans[0], plans[1]);
    }

    /// <summary>The plan of a switch, from the files alone (see <see cref="SwitchPreview"/>).</summary>
    public SwitchPreview Preview(string site, string action) => Decide(site, [action], withDiff: true)[0];

    /// <summary>
    /// Both decisions of a site from one reading of its files: what enables or disables its Apply and Rollback
    /// buttons. Without the routing file each would write and its diff (the plan page shows those): rendering
    /// them for every row made the admin's board cost several times the visitor's.
    /// </summary>
    public SwitchPlans Plans(string site)
    {
        var plans = Decide(site, ["apply", "rollback"], withDiff: false);
        return new SwitchPlans(plans[0], plans[1]);
    }

    private SwitchPreview[] Decide(string site, string[] actions, bool withDiff)
    {
        var routingPath = sources.RoutingWhere(site);
        var (config, errors) = ConfigLoader.LoadSite(sources.Home, site, sources.Global);
        if (config is null || errors.Any(e => !e.IsWarning))
        {
            var why = string.Join("; ", errors.Where(e => !e.IsWarning).Select(e => e.ToString()));
            return [.. actions.Select(action => SwitchPreview.Unavailable(site, action, routingPath, why))];
        }

        SiteState state;
        try
        {
            state = sources.States.Read(site);
        }
        catch (CorruptStateException e)
        {
            return [.. actions.Select(action => SwitchPreview.Unavailable(site, action, routingPath, e.Message))];
        }

        // The state as the command's recovery will see it: an interrupted switch resolved, drift blocking.
        var recovery = RecoveryPolicy.Decide(state, sources.RoutingTruth(site), sources.Journal.FindInterrupted(site));
        var routing = sources.RoutingText(site);
        var now = clock.GetUtcNow();
        return [.. actions.Select(action => SwitchPreview.Decide(
            action, config, recovery.State, routing, routingPath, recovery.Blocked, now, sources.Global.ValidationMaxAge, withDiff))];
    }

    /// <summary>
    /// One page, newest first, read backwards from the journal's end (a site's through its index): a page
    /// costs its depth, not the journal's size. The total is exact without a filter or with a site alone;
    /// with an action or outcome filter it is what was found up to this page, plus one when more follow.
    /// </summary>
    public JournalPageData Journal(JournalQuery query)
    {
        var verdict = Verify();
        var newest = query.Site is { } site ? sources.Journal.Index.Newest(site) : sources.Journal.Newest();
        var skip = (query.Page - 1) * query.Size;
        var matching = newest.Where(e => Matches(e, query)).Skip(skip).Take(query.Size + 1).ToList();
        var entries = matching.Take(query.Size).ToList();
        long total = (query.Site, query.Action, query.Outcome) switch
        {
            (null, null, null) => verdict.Entries,
            ({ } only, null, null) => sources.Journal.Index.Count(only) ?? skip + matching.Count,
            _ => skip + matching.Count,
        };
        return new JournalPageData(
            clock.GetUtcNow(), query, verdict, (int)Math.Min(total, int.MaxValue), entries,
            sources.Journal.Index.Sites(), KnownActions, KnownOutcomes);
    }

    /// <summary>The chain's verdict, checking only what was appended since this process last verified it.</summary>
    public JournalVerdict Verify()
    {
        var verification = sources.Journal.VerifyIncrementally();
        JournalHead? head = null;
        try
        {
            head = sources.Journal.ReadHead();
        }
        catch (JournalWriteException)
        {
            // An unreadable head is what Verify reported.
        }

        var count = (int)Math.Min(verification.Entries, int.MaxValue);
        return verification.Break is not { } broken
            ? new JournalVerdict(true, count, null, null, head?.Seq, head?.Hash)
            : new JournalVerdict(false, count, broken.Line, broken.File is null ? broken.Reason : $"{Path.GetFileName(broken.File)}: {broken.Reason}", head?.Seq, head?.Hash);
    }

    /// <summary>What the filters offer: the actions and outcomes the product writes (docs/journal.md).</summary>
    private static readonly IReadOnlyList<string> KnownActions =
        [.. new[] { JournalAction.Deploy, JournalAction.Validate, JournalAction.Apply, JournalAction.Rollback, JournalAction.Recover, JournalAction.PostSwitchHook, "lock-takeover", "login" }.Order(StringComparer.Ordinal)];

    private static readonly IReadOnlyList<string> KnownOutcomes =
        [.. new[] { JournalOutcome.Started, JournalOutcome.Succeeded, JournalOutcome.Failed, JournalOutcome.Refused, JournalOutcome.DryRun, JournalOutcome.Interrupted }.Order(StringComparer.Ordinal)];

    private IReadOnlyDictionary<string, string> SlotUrls(string site)
    {
        var (config, _) = ConfigLoader.LoadSite(sources.Home, site, sources.Global);
        return config is null
            ? new Dictionary<string, string>()
            : new Dictionary<string, string> { ["a"] = config.UrlOf(Core.Slots.Slot.A).ToString(), ["b"] = config.UrlOf(Core.Slots.Slot.B).ToString() };
    }

    private static bool Matches(JournalEntry e, JournalQuery q) =>
        (q.Site is null || e.Site == q.Site) && (q.Action is null || e.Action == q.Action) && (q.Outcome is null || e.Outcome == q.Outcome);

    private SiteState? ReadState(string site)
    {
        try
        {
            return sources.States.Read(site);
        }
        catch (CorruptStateException)
        {
            return null; // the status row already carries the reason
        }
    }

    /// <summary>The report of the candidate's validation (the one that counts for a switch).</summary>
    private (ValidationReport? Report, string? Error) ReadReport(SiteState? state)
    {
        if (state?.CandidateValidation is not { } validation)
        {
            return (null, null);
        }

        var path = sources.Home.Resolve(validation.ReportFile);
        try
        {
            return (Json.Deserialize<ValidationReport>(File.ReadAllText(path)), null);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return (null, $"{path}: {e.Message}");
        }
    }

    private static string ReadOrWhy(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"(unreadable: {e.Message})";
        }
    }
}
