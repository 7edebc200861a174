using System.Text.Json;
using System.Text.Json.Nodes;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;

namespace BlueGreen.Core.Tests.State;

public sealed class SiteStateTests
{
    private static readonly DateTimeOffset At = new(2025, 6, 1, 12, 30, 15, 123, TimeSpan.Zero);

    private static SiteState Full() => new()
    {
        Site = "shop",
        Revision = 7,
        UpdatedAt = At,
        Live = Slot.B,
        RollbackTarget = Slot.A,
        SlotA = SlotLife.Deployed(new Deployment("d1", "v1", At.AddHours(-3), "ops@host")),
        SlotB = SlotLife.Deployed(new Deployment("d2", "v2", At.AddHours(-1), "ops@host", new LogMark("/var/log/b.log", 1234, 98765UL, At.AddHours(-1)))),
        Validation = new ValidationSummary("d1", false, At, "logs", "3 errors", "var/log/validation/shop.json"),
        LastSwitch = new SwitchRecord("apply", At, "ops@host", "cockpit", new SlotVersion("a", "v1"), new SlotVersion("b", "v2")),
    };

    [Fact]
    public void A_state_survives_a_json_round_trip()
    {
        var state = Full();

        var json = JsonSerializer.Serialize(state, Json.Options);
        var back = JsonSerializer.Deserialize<SiteState>(json, Json.Options);

        Assert.Equal(state, back);
    }

    [Fact]
    public void An_empty_state_survives_a_json_round_trip_without_null_members()
    {
        var json = JsonSerializer.Serialize(SiteState.Empty("shop"), Json.Options);

        Assert.DoesNotContain("null", json);
        Assert.Equal(SiteState.Empty("shop"), JsonSerializer.Deserialize<SiteState>(json, Json.Options));
    }

    [Fact]
    public void The_json_uses_snake_case_and_slot_names_and_leaves_out_the_computed_properties()
    {
        var node = JsonNode.Parse(JsonSerializer.Serialize(Full(), Json.Options))!.AsObject();

        Assert.Equal(
            ["format", "last_switch", "live", "revision", "rollback_target", "site", "slot_a", "slot_b", "updated_at", "validation"],
            node.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("b", node["live"]!.GetValue<string>());
        Assert.Equal("a", node["rollback_target"]!.GetValue<string>());
        Assert.Equal("deployed", node["slot_b"]!["phase"]!.GetValue<string>());
        Assert.Equal(1234, node["slot_b"]!["deployment"]!["log"]!["offset"]!.GetValue<long>());
    }

    [Theory]
    [InlineData(null, Slot.A)]
    [InlineData(Slot.A, Slot.B)]
    [InlineData(Slot.B, Slot.A)]
    public void The_candidate_is_the_slot_that_is_not_live(Slot? live, Slot candidate)
    {
        var state = new SiteState { Site = "s", Live = live };

        Assert.Equal(candidate, state.CandidateSlot);
    }

    [Fact]
    public void The_candidate_validation_is_only_the_one_of_the_candidate_deployment()
    {
        var state = Full();

        Assert.Equal("v1", state.Candidate!.Version);
        Assert.Equal("v2", state.LiveDeployment!.Version);
        Assert.NotNull(state.CandidateValidation);
        Assert.Null((state with { Validation = state.Validation! with { DeploymentId = "d2" } }).CandidateValidation);
    }
}
