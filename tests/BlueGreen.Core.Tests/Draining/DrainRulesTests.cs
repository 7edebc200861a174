using BlueGreen.Core.Configuration;
using BlueGreen.Core.Draining;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;

namespace BlueGreen.Core.Tests.Draining;

public sealed class DrainRulesTests
{
    private static readonly DateTimeOffset At = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static SwitchRecord SwitchFrom(string? from, string to) =>
        new("apply", At, "me@host", "cli", from is null ? null : new SlotVersion(from, "v1"), new SlotVersion(to, "v2"));

    public static TheoryData<string, SiteState, string, bool> Slots() => new()
    {
        { "never switched", new SiteState { Site = "shop" }, "a", false },
        { "first apply: nobody was on a slot before", new SiteState { Site = "shop", Live = Slot.A, LastSwitch = SwitchFrom(null, "a") }, "b", false },
        { "apply a→b: a is the rollback target", new SiteState { Site = "shop", Live = Slot.B, RollbackTarget = Slot.A, LastSwitch = SwitchFrom("a", "b") }, "a", true },
        { "after a deploy cleared the rollback target, a is still the slot the switch left", new SiteState { Site = "shop", Live = Slot.B, LastSwitch = SwitchFrom("a", "b") }, "a", true },
        { "rollback b→a: b is the slot the switch left", new SiteState { Site = "shop", Live = Slot.A, LastSwitch = SwitchFrom("b", "a") with { Action = "rollback" } }, "b", true },
        { "rollback target without a recorded switch (adopted)", new SiteState { Site = "shop", Live = Slot.A, RollbackTarget = Slot.B }, "b", true },
    };

    [Theory]
    [MemberData(nameof(Slots))]
    public void A_slot_may_hold_traffic_when_users_were_on_it_before_the_last_switch(string why, SiteState state, string slot, bool expected) =>
        Assert.True(expected == DrainRules.MayHoldTraffic(state, slot == "a" ? Slot.A : Slot.B), why);

    [Theory]
    [InlineData(0, 0, false, DrainPolicy.Refuse, DrainStep.Idle)]
    [InlineData(0, 0, true, DrainPolicy.Refuse, DrainStep.Idle)]
    [InlineData(1, 0, false, DrainPolicy.Wait, DrainStep.KeepWaiting)]
    [InlineData(0, 1, false, DrainPolicy.Refuse, DrainStep.KeepWaiting)]
    [InlineData(0, 1, true, DrainPolicy.Wait, DrainStep.ProceedBusy)]
    [InlineData(3, 0, true, DrainPolicy.Refuse, DrainStep.Refuse)]
    public void Each_look_at_the_slot_decides_the_next_step(int requests, int streams, bool timedOut, DrainPolicy policy, DrainStep expected) =>
        Assert.Equal(expected, DrainRules.Next(new SlotLoad(requests, streams), timedOut, policy));

    [Fact]
    public void The_keys_default_to_30_seconds_and_wait_and_refuse_bad_values_on_their_line()
    {
        const string minimal = "RULE=Host(`shop.example.com`)\nSLOT_A_URL=http://127.0.0.1:7001\nSLOT_B_URL=http://127.0.0.1:7002\n";
        var (config, errors) = SiteConfig.Parse("/c/shop.conf", "shop", minimal);
        Assert.Empty(errors);
        Assert.Equal((TimeSpan.FromSeconds(30), DrainPolicy.Wait), (config!.DrainTimeout, config.DrainPolicy));

        (config, errors) = SiteConfig.Parse("/c/shop.conf", "shop", minimal + "DRAIN_TIMEOUT=250ms\nDRAIN_POLICY=refuse\n");
        Assert.Empty(errors);
        Assert.Equal((TimeSpan.FromMilliseconds(250), DrainPolicy.Refuse), (config!.DrainTimeout, config.DrainPolicy));

        (config, errors) = SiteConfig.Parse("/c/shop.conf", "shop", minimal + "DRAIN_POLICY=later\n");
        Assert.Null(config);
        var error = Assert.Single(errors);
        Assert.Equal(4, error.Line);
        Assert.Contains("DRAIN_POLICY: 'later' is not one of wait, refuse", error.Message);
    }
}
