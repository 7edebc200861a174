using BlueGreen.Core.Slots;

namespace BlueGreen.Core.Routing;

/// <summary>
/// What a site's weighted service gives each slot (Traefik weights): one slot with all traffic, or a split during a
/// stepwise apply (`apply --weight P`: the candidate P, the live slot 100 − P). Read from a routing file, from etcd
/// or from the router's API alike.
/// </summary>
public readonly record struct SlotWeights(int A, int B)
{
    public int Of(Slot slot) => slot == Slot.A ? A : B;

    /// <summary>The one slot with weight above 0; null for a split.</summary>
    public Slot? Only => (A > 0, B > 0) switch { (true, false) => Slot.A, (false, true) => Slot.B, _ => null };

    public bool IsSplit => A > 0 && B > 0;

    /// <summary>The slot's share of new requests, in percent (rounded down).</summary>
    public int PercentOf(Slot slot) => A + B == 0 ? 0 : Of(slot) * 100 / (A + B);

    /// <summary>Weight 1 on the live slot, 0 on the other: the routing outside a split.</summary>
    public static SlotWeights AllTo(Slot live) => live == Slot.A ? new(1, 0) : new(0, 1);

    /// <summary>A step: the candidate (the other slot) <paramref name="candidatePercent"/>, the live slot the rest of 100.</summary>
    public static SlotWeights Split(Slot live, int candidatePercent) =>
        live == Slot.A ? new(100 - candidatePercent, candidatePercent) : new(candidatePercent, 100 - candidatePercent);

    public static SlotWeights Of(Slot live, int? candidatePercent) => candidatePercent is { } p ? Split(live, p) : AllTo(live);

    /// <summary>
    /// True when these weights send users where <paramref name="other"/> does: outside a split only the slot counts
    /// (a hand-written weight 5 still sends everything there); a split must be the same weights exactly.
    /// </summary>
    public bool SendsLike(SlotWeights other) => IsSplit || other.IsSplit ? this == other : Only == other.Only;

    public string Describe() => Only is { } s ? $"slot {s.Name()}" : IsSplit ? $"a split: slot a {PercentOf(Slot.A)} %, slot b {PercentOf(Slot.B)} %" : "no slot";
}
