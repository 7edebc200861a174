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

/// <summary>
/// One slot as status shows it. Url is empty when the site's configuration cannot be read. Version and the deployment's
/// fields are set only when the slot holds a deployment; <paramref name="Phase"/> says where the slot is in its life (null when
/// the state cannot be read),
/// <paramref name="AttemptedVersion"/> what a deploying, failed or interrupted deploy put there, <paramref name="DeployFailure"/> why it failed.
/// </summary>
public sealed record SlotStatus(string Slot, string Url, string? Version, string? DeploymentId, DateTimeOffset? DeployedAt, string? Health,
    SlotCondition? Phase = null, string? AttemptedVersion = null, string? DeployFailure = null)
{
    /// <summary>The slot's content in a few words: its version, or "deploying 2.1", "deploy failed: REASON", "deploy of 2.1 interrupted", "empty".</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Shown => Phase switch
    {
        SlotCondition.Deploying => $"deploying {AttemptedVersion}",
        SlotCondition.DeployFailed => $"deploy failed: {DeployFailure}",
        SlotCondition.Interrupted => $"deploy of {AttemptedVersion} interrupted",
        SlotCondition.Empty => "empty",
        null => "?",
        _ => Version ?? "?",
    };

    /// <summary>A slot of a site's state; <paramref name="site"/> null: its URL is not known.</summary>
    public static SlotStatus Of(SiteConfig? site, SiteState state, Slot slot, string? health)
    {
        var deployment = state.DeploymentOn(slot);
        var life = state.LifeOf(slot);
        return new(slot.Name(), site?.UrlOf(slot).ToString() ?? "", deployment?.Version, deployment?.Id, deployment?.DeployedAt, health,
            state.ConditionOf(slot), life.Attempt?.Version, life.Reason);
    }
}

/// <summary>A split during a stepwise apply: the live slot's and the candidate's shares of new requests, in percent.</summary>
public sealed record SplitStatus(string Live, int LivePercent, string Candidate, int CandidatePercent)
{
    public override string ToString() => $"{Live} {LivePercent} % / {Candidate} {CandidatePercent} %";
}

/// <summary>One site as `status` and the cockpit show it.</summary>
/// <param name="Error">The configuration's and the state's errors in one line (null when both read).</param>
/// <param name="Interrupted">A command that died half-way, not yet resolved (recovery would resolve it).</param>
/// <param name="InProgress">A command holding the site's lock right now.</param>
/// <param name="Router">What the router's API says it serves (not checked unless probed).</param>
/// <param name="Split">During a stepwise apply (`apply --weight`), the shares of new requests (null: the live slot has all).</param>
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
    string? StateError = null,
    SplitStatus? Split = null)
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
        Validation is { Passed: false },
        Split?.CandidatePercent));
}

/// <summary>
/// A site's files as a status read found them: its configuration (null when it has errors), the state as the
/// next command's recovery will see it (an interrupted switch resolved), and the drift that blocks switches.
/// </summary>
public sealed record SiteReading(SiteConfig? Config, IReadOnlyList<string> ConfigErrors, string? StateError, SiteState? Recovered, string? Drift);

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
/// Reads the status of sites: configuration, state, routing (file, or etcd: <see cref="StatusSource"/>), journal and (optionally) the live slot's
/// health and the router's API. Changes nothing but the journal's derived index (kept in memory when
/// <paramref name="journal"/> says so). A site whose configuration has errors still shows its state, drift
/// and router: only what needs the configuration (the slots' URLs, the health probe) is missing.
/// The files are read first, for every site, on every core; then the network is asked, at most
/// STATUS_PARALLELISM requests at once, and whatever has not answered by STATUS_DEADLINE shows as timed out.
/// </summary>
/// <param name="reuseUnchanged">
/// Keep each site's reading and reuse it while the site's configuration, state and routing files and the journal
/// are unchanged (same size and modification time): a long-lived reader (the cockpit's board, status --watch)
/// then pays a few stat calls per site instead of reading and parsing its files on every refresh.
/// </param>
public sealed class StatusReader(Home home, GlobalConfig global, HttpClient http, JournalFile? journal = null, bool reuseUnchanged = false)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (FilesKey Key, SiteFiles Files)> _reused = new(StringComparer.Ordinal);

    /// <summary>Neither a hung slot nor a hung router may hold status for long.</summary>
    private static readonly TimeSpan RouterTimeout = TimeSpan.FromSeconds(2);

    private readonly SlotProbe _probe = new(http);

    /// <summary>One journal for all the sites read: its index is brought up to date once, not per site.</summary>
    private readonly JournalFile _journal = journal ?? new JournalFile(home, global, TimeProvider.System);

    public async Task<IReadOnlyList<SiteStatus>> ReadAsync(IReadOnlyCollection<string> sites, StatusProbes probes, CancellationToken ct)
    {
        var names = sites as IReadOnlyList<string> ?? sites.ToList();
        var loadSite = ConfigLoader.SiteLoader(home, global);
        // Files, or etcd read once for every site (EtcdUnavailableException: status cannot say anything true, and stops).
        var source = StatusSource.Read(home, global, _journal);
        var (findInterrupted, journalLookup) = JournalFinder();
        using var closesSegments = journalLookup;
        var journalStamp = reuseUnchanged ? JournalStamp() : "";
        var read = new SiteFiles[names.Count];
        // Local files only, so the cores are the limit (not the network, asked afterwards).
        Parallel.For(0, names.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct },
            i => read[i] = reuseUnchanged ? ReadOrReuse(names[i], journalStamp, source, () => ReadFiles(names[i], loadSite, source, findInterrupted))
                : ReadFiles(names[i], loadSite, source, findInterrupted));
        if (probes == StatusProbes.None || read.Length == 0)
        {
            return read.Select(f => f.Status(null, RouterView.NotChecked("not probed"))).ToList();
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(global.StatusDeadline);
        using var inFlight = new SemaphoreSlim(global.StatusParallelism);
        var probe = new Probing(inFlight, deadline.Token, ct, global.StatusDeadline);
        var statuses = await Task.WhenAll(read.Select(f => ProbeAsync(f, probes, probe)));
        ct.ThrowIfCancellationRequested();
        return statuses;
    }

    /// <summary>
    /// What the last read found for a site, for deciding its switches without reading its files again (the
    /// cockpit's Apply/Rollback buttons); null unless this reader reuses readings and has read the site.
    /// </summary>
    public SiteReading? LastReading(string site) => _reused.TryGetValue(site, out var kept) ? kept.Files.Reading : null;

    /// <summary>
    /// A file's stamp is its size and modification time: same stamp, same content (writes go through a rename). The
    /// journal's problem (etcd: the mirror cannot follow) changes no stamp here, so it is part of the key itself.
    /// </summary>
    private readonly record struct FilesKey(Stamp Conf, Stamp State, Stamp Routing, string Journal, string? JournalProblem);

    /// <summary>The journal's last segment and its size and time: any append changes it.</summary>
    private string JournalStamp()
    {
        var last = _journal.Segments.Last();
        var stamp = Stamp.OfFile(_journal.Segments.PathOf(last));
        return $"{last}:{stamp.A}:{stamp.B}";
    }

    private SiteFiles ReadOrReuse(string name, string journalStamp, StatusSource source, Func<SiteFiles> read)
    {
        // Stamps first: a file changed after them makes the next key differ, so nothing stale is kept.
        var (state, routing) = source.Stamps(name);
        var key = new FilesKey(Stamp.OfFile(home.SiteConf(name)), state, routing, journalStamp, source.JournalProblem);
        // An interrupted or running command is looked at again every time: its lock's holder changes no file here.
        if (_reused.TryGetValue(name, out var kept) && kept.Key == key && kept.Files is { InterruptedNote: null, InProgress: null })
        {
            return kept.Files;
        }

        var files = read();
        _reused[name] = (key, files);
        return files;
    }

    /// <summary>What one site's files say, before any probe.</summary>
    private sealed record SiteFiles(string Name, SiteConfig? Site, SiteState? State, string? Drift, string? Error,
        string? InterruptedNote, string? InProgress, IReadOnlyList<string> ConfigErrors, string? StateError, SiteState? Recovered)
    {
        public SiteReading Reading => new(Site, ConfigErrors, StateError, Recovered, Drift);

        public SiteStatus Status(string? health, RouterView router)
        {
            if (State is not { } state)
            {
                return new SiteStatus(Name, null, new SlotStatus("a", "", null, null, null, null), null, null, null, null, Error, InterruptedNote, InProgress, router, ConfigErrors, StateError);
            }

            var live = state.Live is { } liveSlot ? SlotStatus.Of(Site, state, liveSlot, health) : null;
            var candidate = SlotStatus.Of(Site, state, state.CandidateSlot, null);
            var rollback = state.RollbackTarget is { } target ? SlotVersion.Of(target, state.DeploymentOn(target)).ToString() : null;
            var split = state.Live is { } blue && state.CandidateWeight is { } p ? new SplitStatus(blue.Name(), 100 - p, blue.Other().Name(), p) : null;
            return new SiteStatus(Name, live, candidate, state.CandidateValidation, state.LastSwitch, rollback, Drift, Error, InterruptedNote, InProgress, router, ConfigErrors, StateError, split);
        }
    }

    /// <summary>
    /// The journal's look-up for every site of one read (its index checked once, its segments opened once, closed with
    /// <c>Lookup</c>), or, when the journal cannot be read, a look-up that says why for every site.
    /// </summary>
    private (Func<string, InterruptedCommand?> Find, IDisposable? Lookup) JournalFinder()
    {
        try
        {
            var lookup = _journal.InterruptedFinder();
            return (lookup.Find, lookup);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (_ => throw e, null);
        }
    }

    private SiteFiles ReadFiles(string name, Func<string, (SiteConfig? Site, IReadOnlyList<ConfigError> Errors)> loadSite, StatusSource source,
        Func<string, InterruptedCommand?> findInterrupted)
    {
        var (site, problems) = loadSite(name);
        var configErrors = problems.Where(e => !e.IsWarning).Select(e => e.ToString()).ToList();
        if (configErrors.Count > 0)
        {
            site = null;
        }

        SiteState? state = null;
        string? stateError = null;
        try
        {
            state = source.ReadState(name);
        }
        catch (CorruptStateException e)
        {
            stateError = e.Message;
        }

        // What recovery would find (status itself changes nothing): an interrupted command, and drift.
        var routing = source.ReadTruth(name);
        InterruptedCommand? interrupted = null;
        if (source.JournalProblem is { } journalProblem)
        {
            stateError = Join(stateError, journalProblem);
        }

        try
        {
            interrupted = findInterrupted(name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stateError = Join(stateError, $"the journal cannot be read: {e.Message}");
        }

        // A command holding the site's lock right now is in progress, not interrupted.
        string? inProgress = null;
        if (interrupted is not null && source.SiteLockHolder(name) is { } holder)
        {
            interrupted = null;
            inProgress = holder.ToString();
        }

        string? drift = null;
        string? interruptedNote = null;
        SiteState? recovered = null;
        if (state is not null)
        {
            var recovery = RecoveryPolicy.Decide(state, routing, interrupted);
            recovered = recovery.State;
            drift = recovery.Blocked;
            interruptedNote = recovery.Resolved is not null ? $"{recovery.ResolutionMessage} (the next command records it)"
                : interrupted is not null ? $"{interrupted.Title} was interrupted" : null;
        }
        else if (interrupted is not null)
        {
            interruptedNote = $"{interrupted.Title} was interrupted";
        }

        var error = configErrors.Count > 0 || stateError is not null ? string.Join("; ", configErrors.Append(stateError).OfType<string>()) : null;
        return new SiteFiles(name, site, state, drift, error, interruptedNote, inProgress, configErrors, stateError, recovered);
    }

    /// <summary>The network's share of one site: its router reading and its live slot's health, each within the bound and the deadline.</summary>
    private async Task<SiteStatus> ProbeAsync(SiteFiles files, StatusProbes probes, Probing probing)
    {
        var routerTask = probes.HasFlag(StatusProbes.Router)
            ? probing.RunAsync(token => ReadRouterAsync(files.Name, token), RouterView.Unreachable($"no answer within STATUS_DEADLINE ({Duration.Format(probing.Deadline)})"))
            : Task.FromResult(RouterView.NotChecked("not probed"));
        string? health = null;
        if (probes.HasFlag(StatusProbes.Health) && files.Site is { } site && files.State?.Live is { } liveSlot)
        {
            health = await probing.RunAsync(token => ProbeAsync(site, liveSlot, token), $"unknown (no answer within STATUS_DEADLINE, {Duration.Format(probing.Deadline)})");
        }

        return files.Status(health, await routerTask);
    }

    /// <summary>
    /// Runs probes at most <paramref name="InFlight"/> at a time; one not finished when <paramref name="DeadlineToken"/>
    /// fires gives its timed-out answer instead. Only the caller's own cancellation (Ctrl-C) ends the read.
    /// </summary>
    private sealed record Probing(SemaphoreSlim InFlight, CancellationToken DeadlineToken, CancellationToken Caller, TimeSpan Deadline)
    {
        public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> probe, T timedOut)
        {
            try
            {
                await InFlight.WaitAsync(DeadlineToken);
                try
                {
                    return await probe(DeadlineToken);
                }
                finally
                {
                    InFlight.Release();
                }
            }
            catch (OperationCanceledException) when (DeadlineToken.IsCancellationRequested && !Caller.IsCancellationRequested)
            {
                return timedOut;
            }
        }
    }

    private static string Join(string? first, string second) => first is null ? second : $"{first}; {second}";

    /// <summary>Every router ROUTER_API lists, read at once; what the readings mean together is <see cref="RouterView.Across"/>'s to say.</summary>
    private async Task<RouterView> ReadRouterAsync(string site, CancellationToken ct)
    {
        var apis = global.RouterApiList;
        if (apis.Count == 0)
        {
            return RouterView.NotChecked("ROUTER_API is empty");
        }

        var views = await Task.WhenAll(apis.Select(api => ReadOneRouterAsync(api, site, ct)));
        return RouterView.Across(apis.Zip(views, (api, view) => (api.ToString(), view)).ToList());
    }

    private async Task<RouterView> ReadOneRouterAsync(Uri api, string site, CancellationToken ct)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(RouterTimeout);
        try
        {
            return await new RouterApiClient(api, http, TimeProvider.System, RouterApiClient.ProviderOf(global)).ReadSiteAsync(site, attempt.Token);
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
