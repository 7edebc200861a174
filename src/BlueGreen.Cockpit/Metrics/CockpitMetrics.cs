using BlueGreen.Cockpit.Data;
using BlueGreen.Core.Recovery;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Infrastructure.Status;
using Prometheus;

namespace BlueGreen.Cockpit.Metrics;

/// <summary>What the metrics say of one site: its status as `status` reads it, and the weights of its stored routing (file or etcd).</summary>
/// <param name="Weights">Slot name → Traefik weight of the production weighted service; empty when there is none.</param>
internal sealed record SiteMetricFacts(SiteStatus Status, IReadOnlyDictionary<string, int> Weights);

/// <summary>
/// The product's own Prometheus metrics, computed at scrape time from what the cockpit reads (state, routing
/// files, journal head). Each scrape fills a fresh registry, so a site or a version that is gone leaves no
/// stale series behind. <see cref="ExportAsync"/> decides alone; <see cref="ReadFactsAsync"/> does the reading.
/// </summary>
internal static class CockpitMetrics
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Writes the metrics of these facts in the Prometheus text format.</summary>
    public static async Task ExportAsync(Stream destination, IReadOnlyList<SiteMetricFacts> sites, JournalVerdict journal, DateTimeOffset now, CancellationToken ct)
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        var live = factory.CreateGauge("bluegreen_site_live_info", "The slot users reach and the version deployed on it (always 1).", "site", "slot", "version");
        var candidate = factory.CreateGauge("bluegreen_site_candidate_info", "The candidate slot and the version deployed on it, empty when none (always 1).", "site", "slot", "version");
        var lastSwitch = factory.CreateGauge("bluegreen_site_last_switch_timestamp_seconds", "When the last apply or rollback of the site succeeded (Unix time).", "site");
        var validationAge = factory.CreateGauge("bluegreen_site_validation_age_seconds", "Seconds since the candidate's current deployment was validated.", "site", "passed");
        var weight = factory.CreateGauge("bluegreen_site_weight", "The Traefik weight of each slot in the site's production weighted service, as the stored routing (file or etcd keys) says.", "site", "slot");
        var entries = factory.CreateGauge("bluegreen_journal_entries", "Entries in the journal's hash chain.");
        var verified = factory.CreateGauge("bluegreen_journal_verified", "1 when the journal's hash chain verifies, 0 when it is broken.");
        var head = factory.CreateGauge("bluegreen_journal_head_info", "The hash of the journal's last entry, as `journal verify` prints it (always 1).", "hash");

        foreach (var (status, weights) in sites)
        {
            if (status.Live is { } l)
            {
                live.WithLabels(status.Site, l.Slot, l.Version ?? "").Set(1);
            }

            // Without a readable state there is no candidate to speak of (the status row has the error).
            if (status.StateError is null)
            {
                candidate.WithLabels(status.Site, status.Candidate.Slot, status.Candidate.Version ?? "").Set(1);
            }

            if (status.LastSwitch is { } s)
            {
                lastSwitch.WithLabels(status.Site).Set(s.At.ToUnixTimeMilliseconds() / 1000.0);
            }

            if (status.Validation is { } v)
            {
                validationAge.WithLabels(status.Site, v.Passed ? "true" : "false").Set(Math.Max(0, (now - v.At).TotalSeconds));
            }

            foreach (var (slot, w) in weights)
            {
                weight.WithLabels(status.Site, slot).Set(w);
            }
        }

        entries.Set(journal.Entries);
        verified.Set(journal.Ok ? 1 : 0);
        if (journal.HeadHash is { Length: > 0 } hash)
        {
            head.WithLabels(hash).Set(1);
        }

        await registry.CollectAndExportAsTextAsync(destination, ct);
    }

    /// <summary>
    /// The weights of a site's production weighted service (slot name → weight) as the routing reader of its store sees
    /// them, the file's or etcd's keys alike: empty when it has no production router or its routing cannot be read.
    /// </summary>
    public static IReadOnlyDictionary<string, int> WeightsOf(RoutingTruth truth) =>
        truth.Weights is { } w ? new SortedDictionary<string, int>(StringComparer.Ordinal) { [Slot.A.Name()] = w.A, [Slot.B.Name()] = w.B } : new Dictionary<string, int>();

    /// <summary>Reads every site's facts with the cockpit's own readers (no network probe).</summary>
    public static async Task<IReadOnlyList<SiteMetricFacts>> ReadFactsAsync(CockpitSources sources, IReadOnlyList<string> siteNames, CancellationToken ct)
    {
        var statuses = await sources.StatusReader.ReadAsync(siteNames, StatusProbes.None, ct);
        var truthOf = sources.RoutingTruths();
        return statuses.Select(s => new SiteMetricFacts(s, WeightsOf(truthOf(s.Site)))).ToList();
    }
}
