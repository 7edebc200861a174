using System.Text.Json;
using BlueGreen.Core;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Infrastructure;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Infrastructure.Net;
using BlueGreen.Infrastructure.State;
using BlueGreen.Operations.Common;
using BlueGreen.Operations.Deploying;
using BlueGreen.Operations.Recovering;
using BlueGreen.Operations.Switching;
using BlueGreen.Operations.Validating;
using BlueGreen.Testing;
using Microsoft.Extensions.Time.Testing;

namespace BlueGreen.Operations.Tests.Support;

/// <summary>One line of var/journal/journal.jsonl, read straight from the file (not through the product's reader).</summary>
public sealed record JournalLine(long Seq, string? Site, string Action, string Outcome, string Message, long? Ref, string? FromSlot, string? ToSlot, string? ToVersion)
{
    public override string ToString() => $"#{Seq} {Action} {Outcome}{(Ref is { } r ? $" ref={r}" : "")} to={ToSlot}/{ToVersion}: {Message}";
}

/// <summary>
/// The operations run in-process on a throw-away home, with two real slot servers (a, b), a Traefik-shaped API
/// that reads the routing files, a recording reporter and a fake clock that moves only when a test says so.
/// A test that needs real time (the switch's verification deadline, a command's kill grace) passes
/// <see cref="TimeProvider.System"/> for that one call.
/// </summary>
public abstract class OperationTest : IAsyncLifetime
{
    protected const string SiteName = "shop";

    protected TempHome Home { get; } = new(globalConf: null);

    protected SlotServer A { get; private set; } = null!;

    protected SlotServer B { get; private set; } = null!;

    protected FakeTraefikApi Api { get; private set; } = null!;

    /// <summary>Starts at the real time: a state written with the system clock is then never "in the future".</summary>
    protected FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected RecordingReporter Reporter { get; } = new();

    protected HttpClient Http { get; } = HttpClients.Create(timeout: TimeSpan.FromSeconds(10));

    protected Home HomeDir => Infrastructure.Home.At(Home.Root);

    public async Task InitializeAsync()
    {
        A = await SlotServer.StartAsync("a");
        B = await SlotServer.StartAsync("b");
        Api = await FakeTraefikApi.StartAsync(Home.Path_("var", "routes"));
        WriteGlobal();
        WriteSite();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Api.DisposeAsync();
        await A.DisposeAsync();
        await B.DisposeAsync();
        Home.Dispose();
    }

    /// <summary>conf/global.conf: the fake API verifies every switch, within 300 ms unless a test says otherwise.</summary>
    protected void WriteGlobal(string extra = "", string verifyTimeout = "300ms") =>
        Home.WriteGlobal($"ROUTER_API={Api.Url}\nSWITCH_VERIFY_TIMEOUT={verifyTimeout}\n{extra}");

    /// <summary>conf/sites/shop.conf: one health probe per check (no backoff), plus <paramref name="extra"/>.</summary>
    protected void WriteSite(string extra = "") => Home.AddSite(SiteName, A.Url, B.Url, $"HEALTH_RETRIES=1\n{extra}");

    protected OperationContext Context(TimeProvider? clock = null, bool dryRun = false)
    {
        var (global, errors) = ConfigLoader.LoadGlobal(HomeDir);
        Assert.Empty(errors);
        return new OperationContext(HomeDir, global, "tester@test-host", "cli", dryRun, "run.sh test-command", clock ?? Clock, Reporter);
    }

    protected Task<OperationResult> Apply(CancellationToken ct = default, TimeProvider? clock = null, bool dryRun = false, string site = SiteName, int? weight = null) =>
        new SwitchOperation(Context(clock, dryRun), Http).RunAsync(SwitchKind.Apply, site, force: false, ct, weight: weight);

    protected Task<OperationResult> Rollback(bool force = false, CancellationToken ct = default, TimeProvider? clock = null) =>
        new SwitchOperation(Context(clock), Http).RunAsync(SwitchKind.Rollback, SiteName, force, ct);

    protected Task<OperationResult> Deploy(string version, CancellationToken ct = default, TimeProvider? clock = null, bool dryRun = false, string site = SiteName) =>
        new DeployOperation(Context(clock, dryRun), Http).RunAsync(site, version, ct);

    protected Task<OperationResult> Validate(CancellationToken ct = default, TimeProvider? clock = null) =>
        new ValidateOperation(Context(clock), Http).RunAsync(SiteName, ct);

    protected Task<OperationResult> Recover(CancellationToken ct = default, TimeProvider? clock = null, bool dryRun = false) =>
        new RecoverOperation(Context(clock, dryRun)).RunAsync(SiteName, ct);

    protected static void AssertCode(ExitCode expected, OperationResult result) =>
        Assert.True(result.Code == expected, $"expected {expected}, got {result.Code}: {result.Message} (hint: {result.Hint})");

    protected static async Task Done(Task<OperationResult> operation) => AssertCode(ExitCode.Done, await operation);

    /// <summary>Deploys and validates <paramref name="version"/> on the candidate slot.</summary>
    protected async Task ReadyCandidate(string version)
    {
        await Done(Deploy(version));
        await Done(Validate());
    }

    /// <summary>Slot a serves v1, slot b holds v2 validated (the candidate); nothing to roll back to.</summary>
    protected async Task LiveOnAWithCandidateOnB()
    {
        await ReadyCandidate("v1");
        await Done(Apply());
        await ReadyCandidate("v2");
    }

    /// <summary>Slot b serves v2, slot a (v1) is the rollback target.</summary>
    protected async Task LiveOnBWithRollbackToA()
    {
        await LiveOnAWithCandidateOnB();
        await Done(Apply());
    }

    protected SiteState State() => new StateStore(HomeDir, Clock).Read(SiteName);

    protected SiteConfig SiteConfig()
    {
        var (global, _) = ConfigLoader.LoadGlobal(HomeDir);
        var (site, errors) = ConfigLoader.LoadSite(HomeDir, SiteName, global);
        return site ?? throw new InvalidOperationException(string.Join("; ", errors));
    }

    protected string RoutingFile => Home.RoutingFile(SiteName);

    protected string? RoutingText() => File.Exists(RoutingFile) ? File.ReadAllText(RoutingFile) : null;

    /// <summary>The slot the routing file on disk sends production traffic to.</summary>
    protected Slot? RoutedSlot()
    {
        var (config, error) = RoutingFileFormat.Parse(File.ReadAllText(RoutingFile));
        Assert.True(config is not null, error);
        return RoutingPlanner.LiveSlotIn(config!, SiteName);
    }

    /// <summary>Writes the routing file by hand (as an operator or a crashed switch would have left it).</summary>
    protected void WriteRouting(Slot live) =>
        File.WriteAllText(RoutingFile, RoutingPlanner.Render(SiteConfig(), live, live.Other(), "written by the test"));

    /// <summary>Appends a `started` line with no outcome: what a command killed with -9 leaves behind.</summary>
    protected long JournalStartedWithoutOutcome(string action, SlotVersion? from, SlotVersion? to) =>
        new JournalFile(HomeDir, Clock).Append(new JournalEntry
        {
            Site = SiteName,
            Action = action,
            Outcome = JournalOutcome.Started,
            Actor = "ghost@test-host",
            Via = "cli",
            From = from,
            To = to,
            Message = "the process died after this line",
        }).Seq;

    /// <summary>Every journal line, across its segments.</summary>
    protected IReadOnlyList<JournalLine> Journal()
    {
        return new JournalFile(HomeDir, Clock).ReadLines().Select(line =>
        {
            var e = JsonDocument.Parse(line).RootElement;
            string? Str(JsonElement parent, string name) => parent.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            string? Nested(string outer, string inner) => e.TryGetProperty(outer, out var o) && o.ValueKind == JsonValueKind.Object ? Str(o, inner) : null;
            return new JournalLine(
                e.GetProperty("seq").GetInt64(),
                Str(e, "site"),
                Str(e, "action")!,
                Str(e, "outcome")!,
                Str(e, "message") ?? "",
                e.TryGetProperty("ref", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetInt64() : null,
                Nested("from", "slot"),
                Nested("to", "slot"),
                Nested("to", "version"));
        }).ToList();
    }

    /// <summary>The lines appended since <paramref name="before"/> lines were there.</summary>
    protected IReadOnlyList<JournalLine> JournalSince(int before) => Journal().Skip(before).ToList();

    /// <summary>A started line and the one outcome that closes it (by ref), as the last two lines of the journal.</summary>
    protected (JournalLine Started, JournalLine Outcome) LastCommand(string action)
    {
        var journal = Journal();
        Assert.True(journal.Count >= 2, string.Join("\n", journal));
        var (started, outcome) = (journal[^2], journal[^1]);
        Assert.True(started.Action == action && started.Outcome == JournalOutcome.Started, $"expected a started {action} line, got {started}");
        Assert.Equal(action, outcome.Action);
        Assert.Equal(started.Seq, outcome.Ref);
        return (started, outcome);
    }

    /// <summary>Puts a folder where var/state/shop.json is: reading it or renaming a file over it fails (root or not).</summary>
    protected void ReplaceStateFileWithFolder()
    {
        File.Delete(Home.StateFile(SiteName));
        Directory.CreateDirectory(Home.StateFile(SiteName));
    }
}
