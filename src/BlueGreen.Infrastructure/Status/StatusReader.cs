using BlueGreen.Core.Configuration;
using BlueGreen.Core.Recovery;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Core.Status;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.Health;
using BlueGreen.Infrastructure.Routing;
using BlueGreen.Infrastructure.State;

namespace BlueGreen.Infrastructure.Status;

/// <summary>One slot as status shows it. Url is empty when the site's configuration cannot be read.</summary>
public sealed record SlotStatus(string Slot, string Url, string? Version, string? DeploymentId, DateTimeOffset? DeployedAt, string? Health);

/// <summary>One site as `status` and the cockpit show it.</summary>
/// <param name="Error">The configuration's and the state's errors in one line (null when both read).</param>
/// <param name="Interrupted">A command that died half-way, not yet resolved (recovery would resolve it).</param>
/// <param name="InProgress">A command holding the site's lock right now.</param>
/// <param name="Router">What the router's API says it serves (not checked unless probed).</param>
public sealed record SiteStatus(
    string Site,
    SlotStatus? Live,
    SlotStatus Candidate,
    ValidationSummary? Validation,
    SwitchRecord? LastSwitch,
    string? RollbackTo,
    string? Drift,
    string? Error,
    string? Interrupted = null,
    string? InProgress = null,
    RouterView? Router = null,
    IReadOnlyList<string>? ConfigErrors = null,
    string? StateError = null)
{
    /// <summary>Why an operator must look at this site now (empty: nothing, as far as was looked at).</summary>
    public IReadOnlyList<string> Attention => AttentionWith(Live?.Health, Router);

    public bool NeedsAttention => Attention.Count > 0;

    /// <summary>The same rule with health and router readings taken elsewhere (the cockpit's background probes).</summary>
    public IReadOnlyList<string> AttentionWith(string? liveHealth, RouterView? router) => SiteAttention.Reasons(new SiteFacts(
        ConfigErrors ?? [],
        StateError,
        Live is { } l ? (l.Slot == "a" ? Core.Slots.Slot.A : Core.Slots.Slot.B) : null,
        Live is null ? null : liveHealth,
        router ?? RouterView.NotChecked("not probed"),
        Drift,
        Interrupted,
        Validation is { Passed: false }));
}

/// <summary>What <see cref="StatusReader"/> asks the network.</summary>
[Flags]
public enum StatusProbes
{
    None = 0,

    /// <summary>The live slot's health check.</summary>
    Health = 1,

    /// <summary>The router's API (ROUTER_API), when set.</summary>
    Router = 2,

    All = Health | Router,
}

/// <summary>
/// Reads the status of sites: configuration, state, routing file, journal and (optionally) the live slot's
/// health and the router's API. Changes nothing but the journal's derived index (kept in memory when
/// <paramref name="journal"/> says so). A site whose configuration has errors still shows its state, drift
/// and router: only what needs the configuration (the slots' URLs, the health probe) is missing.
/// </summary>
public sealed class StatusReader(Home home, GlobalConfig global, HttpClient http, JournalFile? journal = null)
{
    /// <summary>Neither a hung slot nor a hung router may hold status for long.</summary>
    private static readonly TimeSpan RouterTimeout = TimeSpan.FromSeconds(2);

    private readonly SlotProbe _probe = new(http);

    /// <summary>One journal for all the sites read: its index is brought up to date once, not per site.</summary>
    private readonly JournalFile _journal = journal ?? new JournalFile(home, global, TimeProvider.System);

    public async Task<IReadOnlyList<SiteStatus>> ReadAsync(IReadOnlyCollection<string> sites, StatusProbes probes, CancellationToken ct)
    {
        var tasks = sites.Select(site => ReadOneAsync(site, probes, ct));
        return await Task.WhenAll(tasks);
    }

    private async Task<SiteStatus> ReadOneAsync(string name, StatusProbes probes, CancellationToken ct)
    {
        var (site, problems) = ConfigLoader.LoadSite(home, name, global);
        var configErrors = problems.Where(e => !e.IsWarning).Select(e => e.ToString()).ToList();
        if (configErrors.Count > 0)
        {
            site = null;
        }

        var routerTask = probes.HasFlag(StatusProbes.Router) ? ReadRouterAsync(name, ct) : Task.FromResult(RouterView.NotChecked("not probed"));

        SiteState? state = null;
        string? stateError = null;
        try
        {
            state = new StateStore(home).Read(name);
        }
        catch (CorruptStateException e)
        {
            stateError = e.Message;
        }

        // What recovery would find (status itself changes nothing): an interrupted command, and drift.
        var routing = new RoutingFiles(home, global).ReadTruth(name);
        InterruptedCommand? interrupted = null;
        try
        {
            interrupted = _journal.FindInterrupted(name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stateError = Join(stateError, $"the journal cannot be read: {e.Message}");
        }

        // A command holding the site's lock right now is in progress, not interrupted.
        string? inProgress = null;
        if (interrupted is not null && new Locking.FileLock(home.LocksDir).HeldByLiveProcess(Locking.FileLock.SiteLock(name)) is { } holder)
        {
            interrupted = null;
            inProgress = holder.ToString();
        }

        string? drift = null;
        string? interruptedNote = null;
        if (state is not null)
        {
            var recovery = RecoveryPolicy.Decide(state, routing, interrupted);
            drift = recovery.Blocked;
            interruptedNote = recovery.Resolved is not null ? $"{recovery.ResolutionMessage} (the next command records it)"
                : interrupted is not null ? $"{interrupted.Title} was interrupted" : null;
        }
        else if (interrupted is not null)
        {
            interruptedNote = $"{interrupted.Title} was interrupted";
        }

        var router = await routerTask;
        var error = configErrors.Count > 0 || stateError is not null ? string.Join("; ", configErrors.Append(stateError).OfType<string>()) : null;
        if (state is null)
        {
            return new SiteStatus(name, null, new SlotStatus("a", "", null, null, null, null), null, null, null, null, error, interruptedNote, inProgress, router, configErrors, stateError);
        }

        SlotStatus? live = null;
        if (state.Live is { } liveSlot)
        {
            var health = probes.HasFlag(StatusProbes.Health) && site is not null ? await ProbeAsync(site, liveSlot, ct) : null;
            live = Slot(site, liveSlot, state.DeploymentOn(liveSlot), health);
        }

        var candidate = Slot(site, state.CandidateSlot, state.Candidate, null);
        var rollback = state.RollbackTarget is { } target ? SlotVersion.Of(target, state.DeploymentOn(target)).ToString() : null;
        return new SiteStatus(name, live, candidate, state.CandidateValidation, state.LastSwitch, rollback, drift, error, interruptedNote, inProgress, router, configErrors, stateError);
    }

    private static string Join(string? first, string second) => first is null ? second : $"{first}; {second}";

    private static SlotStatus Slot(SiteConfig? site, Slot slot, Deployment? deployment, string? health) =>
        new(slot.Name(), site?.UrlOf(slot).ToString() ?? "", deployment?.Version, deployment?.Id, deployment?.DeployedAt, health);

    private async Task<RouterView> ReadRouterAsync(string site, CancellationToken ct)
    {
        if (global.RouterApi is not { } api)
        {
            return RouterView.NotChecked("ROUTER_API is empty");
        }

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(RouterTimeout);
        try
        {
            return await new RouterApiClient(api, http, TimeProvider.System).ReadSiteAsync(site, attempt.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return RouterView.Unreachable($"{api} did not answer within {RouterTimeout.TotalSeconds:0} s");
        }
    }

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
