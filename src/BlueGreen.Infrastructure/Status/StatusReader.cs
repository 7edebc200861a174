using BlueGreen.Core.Configuration;
using BlueGreen.Core.Recovery;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.Health;
using BlueGreen.Infrastructure.Routing;
using BlueGreen.Infrastructure.State;

namespace BlueGreen.Infrastructure.Status;

/// <summary>One slot as status shows it.</summary>
public sealed record SlotStatus(string Slot, string Url, string? Version, string? DeploymentId, DateTimeOffset? DeployedAt, string? Health);

/// <summary>One site as `status` and the cockpit show it.</summary>
public sealed record SiteStatus(
    string Site,
    SlotStatus? Live,
    SlotStatus Candidate,
    ValidationSummary? Validation,
    SwitchRecord? LastSwitch,
    string? RollbackTo,
    string? Drift,
    string? Error,
    string? Interrupted = null);

/// <summary>
/// Reads the status of sites: configuration, state, routing file and (optionally) the live slot's health.
/// Changes nothing but the journal's derived index (kept in memory when <paramref name="journal"/> says so).
/// </summary>
public sealed class StatusReader(Home home, GlobalConfig global, HttpClient http, JournalFile? journal = null)
{
    private readonly SlotProbe _probe = new(http);

    /// <summary>One journal for all the sites read: its index is brought up to date once, not per site.</summary>
    private readonly JournalFile _journal = journal ?? new JournalFile(home, global, TimeProvider.System);

    public async Task<IReadOnlyList<SiteStatus>> ReadAsync(IReadOnlyCollection<string> sites, bool probeHealth, CancellationToken ct)
    {
        var tasks = sites.Select(site => ReadOneAsync(site, probeHealth, ct));
        return await Task.WhenAll(tasks);
    }

    private async Task<SiteStatus> ReadOneAsync(string name, bool probeHealth, CancellationToken ct)
    {
        var (site, errors) = ConfigLoader.LoadSite(home, name, global);
        if (site is null)
        {
            return Broken(name, string.Join("; ", errors.Where(e => !e.IsWarning)));
        }

        SiteState state;
        try
        {
            state = new StateStore(home).Read(name);
        }
        catch (CorruptStateException e)
        {
            return Broken(name, e.Message);
        }

        // What recovery would find (status itself changes nothing): an interrupted command, and drift.
        var routing = new RoutingFiles(home, global).ReadTruth(name);
        InterruptedCommand? interrupted;
        string? inProgress = null;
        try
        {
            interrupted = _journal.FindInterrupted(name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Broken(name, $"the journal cannot be read: {e.Message}");
        }

        // A command holding the site's lock right now is in progress, not interrupted.
        if (interrupted is not null && new Locking.FileLock(home.LocksDir).HeldByLiveProcess(Locking.FileLock.SiteLock(name)) is { } holder)
        {
            interrupted = null;
            inProgress = $"in progress: {holder}";
        }

        var recovery = RecoveryPolicy.Decide(state, routing, interrupted);
        var drift = recovery.Blocked;
        var interruptedNote = inProgress ?? (recovery.Resolved is not null ? $"{recovery.ResolutionMessage} (the next command records it)"
            : interrupted is not null ? $"{interrupted.Title} was interrupted" : null);
        SlotStatus? live = null;
        if (state.Live is { } liveSlot)
        {
            var health = probeHealth ? await ProbeAsync(site, liveSlot, ct) : null;
            live = Slot(site, liveSlot, state.DeploymentOn(liveSlot), health);
        }

        var candidate = Slot(site, state.CandidateSlot, state.Candidate, null);
        var rollback = state.RollbackTarget is { } target ? SlotVersion.Of(target, state.DeploymentOn(target)).ToString() : null;
        return new SiteStatus(name, live, candidate, state.CandidateValidation, state.LastSwitch, rollback, drift, null, interruptedNote);
    }

    private static SiteStatus Broken(string name, string error) =>
        new(name, null, new SlotStatus("a", "", null, null, null, null), null, null, null, null, error);

    private static SlotStatus Slot(SiteConfig site, Slot slot, Deployment? deployment, string? health) =>
        new(slot.Name(), site.UrlOf(slot).ToString(), deployment?.Version, deployment?.Id, deployment?.DeployedAt, health);

    /// <summary>"up" or why not. Short timeout: status must stay quick even when a slot hangs.</summary>
    private async Task<string> ProbeAsync(SiteConfig site, Slot slot, CancellationToken ct)
    {
        var timeout = TimeSpan.FromMilliseconds(Math.Min(site.HealthTimeout.TotalMilliseconds, 1500));
        var outcome = await _probe.ProbeAsync(site.UrlOf(slot), site, ct, timeout);
        var why = outcome switch
        {
            { Passed: true } => null,
            { TimedOut: true } => "no answer",
            { RequestError: HttpRequestError.ConnectionError } => "connection refused",
            { Status: { } s } when s != site.HealthStatus => $"HTTP {s}",
            _ => outcome.Problem,
        };
        return why is null ? "up" : $"down ({why})";
    }
}
