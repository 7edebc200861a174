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

    public static bool TryParse(string? text, out Slot slot)
    {
        switch (text)
        {
            case "a": slot = Slot.A; return true;
            case "b": slot = Slot.B; return true;
            default: slot = default; return false;
        }
    }

    public static Slot Parse(string text) =>
        TryParse(text, out var slot) ? slot : throw new FormatException($"'{text}' is not a slot (a or b)");
}
