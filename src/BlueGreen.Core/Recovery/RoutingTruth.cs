using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;

namespace BlueGreen.Core.Recovery;

/// <summary>
/// What the site's routing file makes users reach: the truth recovery starts from. Known is false when
/// the file cannot tell (unreadable, or production weights that do not name exactly one slot).
/// </summary>
public sealed record RoutingTruth(bool Known, bool FileExists, Slot? Live, string? Problem)
{
    public static RoutingTruth NoFile { get; } = new(true, false, null, null);

    public static RoutingTruth Serving(Slot? live) => new(true, true, live, null);

    public static RoutingTruth Unknown(string problem) => new(false, true, null, problem);

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

        return RoutingPlanner.LiveSlotIn(config, site) is { } live
            ? Serving(live)
            : Unknown($"the weighted service '{site}' does not send all traffic to exactly one of {RoutingPlanner.SlotService(site, Slot.A)}, {RoutingPlanner.SlotService(site, Slot.B)}");
    }

    public string Describe() => !Known ? $"unknown ({Problem})" : Live is { } s ? $"slot {s.Name()}" : "no slot";
}
