namespace BlueGreen.Core.Slots;

/// <summary>One of a site's two physical slots. Blue/green are roles; a and b are places.</summary>
public enum Slot
{
    A,
    B,
}

public static class SlotExtensions
{
    public static Slot Other(this Slot slot) => slot == Slot.A ? Slot.B : Slot.A;

    public static string Name(this Slot slot) => slot == Slot.A ? "a" : "b";
}
