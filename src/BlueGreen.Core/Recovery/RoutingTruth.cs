using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;

namespace BlueGreen.Core.Recovery;

/// <summary>
/// What the site's routing file makes users reach: the truth recovery starts from. Known is false when
/// the file cannot tell (unreadable, or production weights on anything but the site's slots).
/// <see cref="Weights"/> is null when there is no production route; during a split <see cref="Live"/> is null
/// (the file alone cannot tell which slot was live before the first step: the state says it).
/// </summary>
public sealed record RoutingTruth(bool Known, bool FileExists, SlotWeights? Weights, string? Problem)
{
    public static RoutingTruth NoFile { get; } = new(true, false, null, null);

    public static RoutingTruth Serving(Slot? live) => new(true, true, live is { } s ? SlotWeights.AllTo(s) : null, null);

    public static RoutingTruth Serving(SlotWeights weights) => new(true, true, weights, null);

    public static RoutingTruth Unknown(string problem) => new(false, true, null, problem);

    /// <summary>How messages name where this truth was read (recovery's drift and adoption lines): the file, by default.</summary>
    public string Named { get; private init; } = "the routing file";

    /// <summary>How messages say there is none: "there is no routing file".</summary>
    public string NoneNamed { get; private init; } = "no routing file";

    /// <summary>The same truth, read from Traefik's KV tree in etcd (ROUTING_STORE=etcd): messages name the store it was read from.</summary>
    public RoutingTruth InEtcd() => this with { Named = "the routing in etcd", NoneNamed = "no routing in etcd" };

    /// <summary>The one slot with all production traffic; null with no production route, or during a split.</summary>
    public Slot? Live => Weights?.Only;

    public bool IsSplit => Weights?.IsSplit == true;

    /// <summary>Reads the truth from a parsed routing file.</summary>
    public static RoutingTruth Of(DynamicConfig config, string site)
    {
        var hasRouter = config.Http?.Routers?.ContainsKey(site) == true;
        var weighted = config.Http?.Services?.GetValueOrDefault(site)?.Weighted;
        if (!hasRouter && weighted is null)
        {
            return Serving(null);
        }

        if (!hasRouter || weighted is null)
        {
            return Unknown($"the production router '{site}' and its weighted service '{site}' do not come together");
        }

        // A production router that points elsewhere than its weighted service sends users where the weights do not say.
        var service = config.Http!.Routers![site].Service;
        if (service != site && service != $"{site}@file")
        {
            return Unknown($"the production router '{site}' points to service '{service}', not to its weighted service '{site}'");
        }

        return RoutingPlanner.WeightsIn(config, site) is { } weights
            ? Serving(weights)
            : Unknown($"the weighted service '{site}' does not send its traffic to {RoutingPlanner.SlotService(site, Slot.A)} and {RoutingPlanner.SlotService(site, Slot.B)} only");
    }

    /// <summary>True when the routing sends users where the state says: its live slot, or its split exactly.</summary>
    public bool Matches(SiteState state) =>
        state.Live is { } live ? Weights is { } w && w.SendsLike(SlotWeights.Of(live, state.CandidateWeight)) : Weights is null;

    public string Describe() => !Known ? $"unknown ({Problem})" : Weights is { } w ? w.Describe() : "no slot";
}
