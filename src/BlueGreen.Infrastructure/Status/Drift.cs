using BlueGreen.Core.State;
using BlueGreen.Core.Slots;
using BlueGreen.Infrastructure.Routing;

namespace BlueGreen.Infrastructure.Status;

/// <summary>A routing file that does not say what the state says (after a crash mid-switch, or a hand edit).</summary>
public static class Drift
{
    public static string? Detect(SiteState state, RoutingFiles routing)
    {
        var (exists, live, error) = routing.ReadLiveSlot(state.Site);
        if (error is not null)
        {
            return error;
        }

        if (!exists)
        {
            return state.Live is { } s ? $"the state says slot {s.Name()} is live but {routing.PathOf(state.Site)} is missing" : null;
        }

        if (live == state.Live)
        {
            return null;
        }

        static string Name(Slot? s) => s is { } x ? $"slot {x.Name()}" : "no slot";
        return $"the routing file sends users to {Name(live)} but the state says {Name(state.Live)} is live";
    }
}
