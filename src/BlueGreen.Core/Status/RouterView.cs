using System.Text.Json.Serialization;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;

namespace BlueGreen.Core.Status;

/// <summary>What the router's API says about a site's production router and its weighted service.</summary>
[JsonConverter(typeof(Json.SnakeCaseEnumConverter<RouterFinding>))]
public enum RouterFinding
{
    /// <summary>Not asked: ROUTER_API is empty, or this view did not probe (yet).</summary>
    NotChecked,

    /// <summary>The API did not answer (connection refused, no answer in time, an HTTP error).</summary>
    Unreachable,

    /// <summary>The API answers but has no router named after the site.</summary>
    NoRouter,

    /// <summary>The site's router is there but disabled (Traefik found an error in it): it serves nobody.</summary>
    Disabled,

    /// <summary>The router is there, but its service does not send all traffic to exactly one slot.</summary>
    NoLiveSlot,

    /// <summary>The router is enabled and its weighted service gives all the weight to <see cref="RouterView.Slot"/>.</summary>
    Serving,

    /// <summary>The router is enabled and its weighted service splits new requests between the slots (<see cref="RouterView.Weights"/>).</summary>
    Splitting,
}

/// <summary>One reading of the router's API for one site. Detail says what was seen (weights, the API's error).</summary>
public sealed record RouterView(RouterFinding Finding, Slot? Slot, string Detail)
{
    public static RouterView NotChecked(string why) => new(RouterFinding.NotChecked, null, why);

    public static RouterView Unreachable(string detail) => new(RouterFinding.Unreachable, null, detail);

    public static RouterView Serving(Slot slot, string detail) => new(RouterFinding.Serving, slot, detail) { Weights = SlotWeights.AllTo(slot) };

    public static RouterView Splitting(SlotWeights weights, string detail) => new(RouterFinding.Splitting, null, detail) { Weights = weights };

    /// <summary>The weights the router gives the slots, when it serves them (one slot, or a split).</summary>
    public SlotWeights? Weights { get; init; }

    /// <summary>
    /// Several routers (ROUTER_API lists them): set when they were read together (<see cref="Across"/>), the few words
    /// for a table cell that say how many agree and what the others show.
    /// </summary>
    [JsonIgnore]
    public string? Summary { get; init; }

    /// <summary>A few words for a table cell; <see cref="Detail"/> has the rest.</summary>
    [JsonIgnore]
    public string Short => Summary ?? One;

    private string One => Finding switch
    {
        RouterFinding.NotChecked => "not checked",
        RouterFinding.Unreachable => "UNREACHABLE",
        RouterFinding.NoRouter => "no router",
        RouterFinding.Disabled => "DISABLED",
        RouterFinding.NoLiveSlot => "no single slot",
        RouterFinding.Splitting => $"splits a {Weights!.Value.PercentOf(Slots.Slot.A)} % / b {Weights.Value.PercentOf(Slots.Slot.B)} %",
        _ => $"serves {Slot!.Value.Name()}",
    };

    /// <summary>
    /// What several routers' readings of one site mean together (ROUTER_API lists one per host). One reading is
    /// itself. When all agree, the common reading, counted ("serves a (2/2)"). When they differ, the site is not
    /// served one way: the worst finding among them (an unreachable router before a disabled one, before a missing
    /// one; routers serving different slots are <see cref="RouterFinding.NoLiveSlot"/>), with the routers that differ
    /// from the most common reading named ("1/2 serves b; http://10.0.0.2:8081/: serves a").
    /// </summary>
    public static RouterView Across(IReadOnlyList<(string Api, RouterView View)> readings)
    {
        if (readings.Count == 1)
        {
            return readings[0].View;
        }

        // Two routers agree when they find the same, on the same slot, with the same weights (two splits may differ).
        var groups = readings.GroupBy(r => Reading(r.View)).OrderByDescending(g => g.Count()).ToList();
        var common = groups[0].First().View;
        if (groups.Count == 1)
        {
            return common with { Detail = string.Join("; ", readings.Select(r => $"{r.Api}: {r.View.Detail}")), Summary = $"{common.One} ({readings.Count}/{readings.Count})" };
        }

        var others = readings.Where(r => Reading(r.View) != Reading(common)).ToList();
        // The enum lists the findings worst first (after NotChecked): the first one that is not Serving decides.
        // Splitting is not a fault of its own (it has weights, which a view of several routers cannot carry):
        // routers that serve and split differently are NoLiveSlot, like routers serving different slots.
        var worst = readings.Select(r => r.View.Finding).Where(f => f is not RouterFinding.Serving and not RouterFinding.Splitting and not RouterFinding.NotChecked).DefaultIfEmpty(RouterFinding.NoLiveSlot).Min();
        return new RouterView(worst, null, "the routers differ: " + string.Join("; ", readings.Select(r => $"{r.Api}: {r.View.Detail}")))
        {
            Summary = $"{groups[0].Count()}/{readings.Count} {common.One}; {string.Join("; ", others.Select(o => $"{o.Api}: {o.View.One}"))}",
        };
    }

    private static (RouterFinding Finding, Slot? Slot, SlotWeights? Weights) Reading(RouterView view) => (view.Finding, view.Slot, view.Weights);
}
