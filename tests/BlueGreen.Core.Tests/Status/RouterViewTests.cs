using BlueGreen.Core.Slots;
using BlueGreen.Core.Status;

namespace BlueGreen.Core.Tests.Status;

/// <summary>What several routers' readings of one site mean together (ROUTER_API lists one per host).</summary>
public sealed class RouterViewTests
{
    private const string R1 = "http://10.0.0.1:8081/";
    private const string R2 = "http://10.0.0.2:8081/";
    private const string R3 = "http://10.0.0.3:8081/";

    private static RouterView Serves(Slot slot) => RouterView.Serving(slot, $"weights {slot.Name()} 1");

    private static RouterView Splits(int candidatePercent) => RouterView.Splitting(Core.Routing.SlotWeights.Split(Slot.A, candidatePercent), $"weights a {100 - candidatePercent}, b {candidatePercent}");

    private static readonly RouterView Down = RouterView.Unreachable("connection refused");

    private static readonly RouterView Missing = new(RouterFinding.NoRouter, null, "answered 404");

    public static TheoryData<string, (string, RouterView)[], RouterFinding, Slot?, string> Readings => new()
    {
        { "one router is itself", [(R1, Serves(Slot.A))], RouterFinding.Serving, Slot.A, "serves a" },
        { "one router down is itself", [(R1, Down)], RouterFinding.Unreachable, null, "UNREACHABLE" },
        { "two agree", [(R1, Serves(Slot.B)), (R2, Serves(Slot.B))], RouterFinding.Serving, Slot.B, "serves b (2/2)" },
        { "two unreachable agree", [(R1, Down), (R2, Down)], RouterFinding.Unreachable, null, "UNREACHABLE (2/2)" },
        { "one behind", [(R1, Serves(Slot.B)), (R2, Serves(Slot.A))], RouterFinding.NoLiveSlot, null, $"1/2 serves b; {R2}: serves a" },
        { "one down", [(R1, Serves(Slot.B)), (R2, Down), (R3, Serves(Slot.B))], RouterFinding.Unreachable, null, $"2/3 serves b; {R2}: UNREACHABLE" },
        { "two splits agree", [(R1, Splits(10)), (R2, Splits(10))], RouterFinding.Splitting, null, "splits a 90 % / b 10 % (2/2)" },
        { "two splits differ", [(R1, Splits(10)), (R2, Splits(50))], RouterFinding.NoLiveSlot, null, $"1/2 splits a 90 % / b 10 %; {R2}: splits a 50 % / b 50 %" },
        { "one splits, one serves", [(R1, Serves(Slot.A)), (R2, Splits(10))], RouterFinding.NoLiveSlot, null, $"1/2 serves a; {R2}: splits a 90 % / b 10 %" },
        { "the worst decides", [(R1, Missing), (R2, Down), (R3, Serves(Slot.A))], RouterFinding.Unreachable, null, $"1/3 no router; {R2}: UNREACHABLE; {R3}: serves a" },
    };

    [Theory]
    [MemberData(nameof(Readings))]
    public void Several_readings_say_how_many_agree_and_name_the_routers_that_differ(string variant, (string, RouterView)[] readings, RouterFinding finding, Slot? slot, string cell)
    {
        var view = RouterView.Across(readings);

        Assert.True(finding == view.Finding, variant);
        Assert.Equal(slot, view.Slot);
        Assert.Equal(cell, view.Short);
        Assert.True(view.Finding != RouterFinding.Splitting || view.Weights is not null, $"{variant}: a split without its weights"); // status reads them
        if (readings.Length > 1)
        {
            Assert.All(readings, r => Assert.Contains(r.Item1, view.Detail));
        }
    }
}
