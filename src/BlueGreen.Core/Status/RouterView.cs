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

    /// <summary>A few words for a table cell; <see cref="Detail"/> has the rest.</summary>
    [JsonIgnore]
    public string Short => Finding switch
    {
        RouterFinding.NotChecked => "not checked",
        RouterFinding.Unreachable => "UNREACHABLE",
        RouterFinding.NoRouter => "no router",
        RouterFinding.Disabled => "DISABLED",
        RouterFinding.NoLiveSlot => "no single slot",
        RouterFinding.Splitting => $"splits a {Weights!.Value.PercentOf(Slots.Slot.A)} % / b {Weights.Value.PercentOf(Slots.Slot.B)} %",
        _ => $"serves {Slot!.Value.Name()}",
    };
}
