using BlueGreen.Core.Slots;
using BlueGreen.Core.State;

namespace BlueGreen.Core.Draining;

/// <summary>DRAIN_POLICY: what `deploy` does when the slot is still busy after DRAIN_TIMEOUT.</summary>
public enum DrainPolicy
{
    /// <summary>Go on with a warning (the default: a deploy is never blocked for ever by one open connection).</summary>
    Wait,

    /// <summary>Refuse the deploy (exit 3), so the operator decides.</summary>
    Refuse,
}

/// <summary>What the router shows on a slot's servers: exchanges in flight, WebSockets and event streams open.</summary>
public readonly record struct SlotLoad(int Requests, int Streams)
{
    public bool Idle => Requests == 0 && Streams == 0;

    public override string ToString() =>
        $"{Requests} request{(Requests == 1 ? "" : "s")} in flight, {Streams} stream{(Streams == 1 ? "" : "s")} open";
}

/// <summary>The next move of a drain wait.</summary>
public enum DrainStep
{
    /// <summary>Nothing is in flight: go on.</summary>
    Idle,

    KeepWaiting,

    /// <summary>DRAIN_TIMEOUT passed with DRAIN_POLICY=wait: go on, with a warning.</summary>
    ProceedBusy,

    /// <summary>DRAIN_TIMEOUT passed with DRAIN_POLICY=refuse.</summary>
    Refuse,
}

/// <summary>When `deploy` waits for a slot to drain, and what it does at each look (docs/reference.md, "deploy").</summary>
public static class DrainRules
{
    /// <summary>
    /// A slot that users were on before the last switch may still hold their connections (the router keeps
    /// an open WebSocket or event stream on the slot it was opened on): it is the rollback target, or the
    /// slot the last switch left.
    /// </summary>
    public static bool MayHoldTraffic(SiteState state, Slot slot) =>
        state.RollbackTarget == slot || state.LastSwitch?.From?.Slot == slot.Name();

    public static DrainStep Next(SlotLoad load, bool timedOut, DrainPolicy policy) =>
        load.Idle ? DrainStep.Idle
        : !timedOut ? DrainStep.KeepWaiting
        : policy == DrainPolicy.Wait ? DrainStep.ProceedBusy
        : DrainStep.Refuse;
}
