using BlueGreen.Core.Journal;
using BlueGreen.Core.State;
using BlueGreen.Core.Validation;
using BlueGreen.Infrastructure.Status;

namespace BlueGreen.Cockpit.Data;

/// <summary>One site on the board: its status plus the background readings of its live slot's health and of the router.</summary>
/// <param name="Plans">What apply and rollback would do now; worked out only for an admin's pages.</param>
public sealed record SiteRow(SiteStatus Status, HealthReading? Health, RouterReading? Router = null, SwitchPlans? Plans = null)
{
    public string Site => Status.Site;

    /// <summary>Why an operator must look at it now: the same rule as `status` (Core's SiteAttention).</summary>
    public IReadOnlyList<string> Attention => Status.AttentionWith(Health?.Health, Router?.View);

    public bool NeedsAttention => Attention.Count > 0;
}

/// <summary>The two switches of a site as their plan pages would show them: the buttons follow the same decision.</summary>
public sealed record SwitchPlans(SwitchPreview Apply, SwitchPreview Rollback);

public sealed record Board(DateTimeOffset GeneratedAt, IReadOnlyList<SiteRow> Sites);

/// <summary>One earlier routing file kept by a switch.</summary>
public sealed record RoutingVersion(string File, string Text);

/// <summary>Everything the site page shows.</summary>
public sealed record SiteDetail(
    DateTimeOffset GeneratedAt,
    SiteRow Row,
    SiteState? State,
    ValidationReport? Report,
    string? ReportError,
    string RoutingPath,
    string? RoutingText,
    IReadOnlyList<RoutingVersion> RoutingHistory,
    IReadOnlyList<JournalEntry> Journal,
    IReadOnlyDictionary<string, string> SlotUrls);

/// <summary>The journal verify verdict (as `journal verify` would print it).</summary>
/// <summary>`journal verify` as the cockpit shows it, with the head (seq, hash) an operator can copy elsewhere.</summary>
public sealed record JournalVerdict(bool Ok, int Entries, long? BrokenLine, string? Reason, long? HeadSeq = null, string? HeadHash = null);

public sealed record JournalQuery(string? Site, string? Action, string? Outcome, int Page, int Size)
{
    public const int DefaultSize = 50;

    public static JournalQuery From(string? site, string? action, string? outcome, int? page, int? size) =>
        new(Blank(site), Blank(action), Blank(outcome), Math.Max(1, page ?? 1), Math.Clamp(size ?? DefaultSize, 1, 500));

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

public sealed record JournalPageData(
    DateTimeOffset GeneratedAt,
    JournalQuery Query,
    JournalVerdict Verdict,
    int Total,
    IReadOnlyList<JournalEntry> Entries,
    IReadOnlyList<string> Sites,
    IReadOnlyList<string> Actions,
    IReadOnlyList<string> Outcomes)
{
    public int Pages => Math.Max(1, (Total + Query.Size - 1) / Query.Size);
}
