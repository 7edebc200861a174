using System.Text;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Infrastructure.State;
using BlueGreen.Testing;

namespace BlueGreen.Infrastructure.Tests.State;

public sealed class StateStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private StateStore Store => new(Home.At(_home.Root));

    [Fact]
    public void A_site_without_a_state_file_has_the_empty_state()
    {
        Assert.Equal(SiteState.Empty("shop"), Store.Read("shop"));
        Assert.False(Directory.Exists(_home.Path_("var")));
    }

    [Fact]
    public void A_written_state_is_read_back_with_its_revision_grown_by_one()
    {
        var state = new SiteState
        {
            Site = "shop",
            Revision = 4,
            Live = Slot.B,
            SlotB = SlotLife.Deployed(new Deployment("d1", "v1", Now, "ops@host")),
        };

        var written = Store.Write(state, Now);
        var read = Store.Read("shop");

        Assert.Equal(5, written.Revision);
        Assert.Equal(Now, written.UpdatedAt);
        Assert.Equal(written, read);
        Assert.Equal(["shop.json"], Directory.GetFileSystemEntries(_home.Path_("var", "state")).Select(Path.GetFileName));
    }

    [Fact]
    public void A_written_state_names_its_format_and_a_file_from_before_formats_were_numbered_still_reads()
    {
        Store.Write(new SiteState { Site = "shop", Live = Slot.A }, Now);
        Assert.Contains($"\"format\": {SiteState.CurrentFormat}", File.ReadAllText(_home.Path_("var", "state", "shop.json")));

        // The first releases wrote no format: their files are format 1 and read as they are.
        File.WriteAllText(_home.Path_("var", "state", "shop.json"), "{\"site\":\"shop\",\"revision\":3,\"live\":\"b\"}");
        var old = Store.Read("shop");
        Assert.Equal((0, 3L, Slot.B), (old.Format, old.Revision, old.Live));
    }

    [Fact]
    public void A_format_2_file_reads_each_slots_deployment_as_deployed_and_no_deployment_as_empty()
    {
        var path = _home.StateFile("shop");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // As the release before slot lives wrote it (format 2): slot_a a deployment, slot_b none (null or absent).
        foreach (var slotB in (string[])["", ",\"slot_b\": null"])
        {
            File.WriteAllText(path, $$"""
                {
                  "format": 2,
                  "site": "shop",
                  "revision": 9,
                  "updated_at": "2025-06-01T12:00:00+00:00",
                  "live": "b",
                  "rollback_target": "a",
                  "slot_a": {
                    "id": "d1",
                    "version": "v1",
                    "deployed_at": "2025-06-01T11:00:00+00:00",
                    "actor": "ops@host",
                    "log": { "file": "/var/log/a.log", "offset": 12, "inode": 34, "at": "2025-06-01T11:00:00+00:00" }
                  },
                  "validation": { "deployment_id": "d1", "passed": true, "at": "2025-06-01T11:30:00+00:00", "report_file": "r.json" }{{slotB}}
                }
                """);

            var state = Store.Read("shop");

            var d1 = new Deployment("d1", "v1", Now.AddHours(-1), "ops@host", new LogMark("/var/log/a.log", 12, 34UL, Now.AddHours(-1)));
            Assert.Equal(SlotLife.Deployed(d1), state.SlotA);
            Assert.Equal(SlotLife.Empty, state.SlotB);
            Assert.Equal((2, 9L, Slot.B, Slot.A), (state.Format, state.Revision, state.Live, state.RollbackTarget));
            Assert.Equal(SlotCondition.Validated, state.ConditionOf(Slot.A));

            // Written again, it is format 3, and reads back the same.
            var written = Store.Write(state, Now);
            Assert.Contains($"\"format\": {SiteState.CurrentFormat}", File.ReadAllText(path));
            Assert.Equal(written, Store.Read("shop"));
        }
    }

    [Fact]
    public void Every_phase_of_a_slot_survives_a_format_3_round_trip()
    {
        var attempt = new DeployAttempt("d2", "v2", Now, "ops@host");
        var failed = SiteState.Empty("shop").WithDeployBegun(Slot.A, attempt).WithDeployFailed(Slot.A, "DEPLOY_CMD exited with code 1");
        foreach (var state in (SiteState[])[
            failed.WithDeployBegun(Slot.B, attempt with { DeploymentId = "d3" }),
            failed.WithDeployInterrupted(Slot.B, attempt with { DeploymentId = null }),
            failed.WithDeployBegun(Slot.B, attempt).WithDeploySucceeded(Slot.B, new Deployment("d2", "v2", Now, "ops@host"))])
        {
            var written = Store.Write(state, Now);

            Assert.Equal(written, Store.Read("shop"));
        }

        Assert.Contains("\"phase\": \"deployed\"", File.ReadAllText(_home.StateFile("shop")));
        Assert.Contains("\"phase\": \"failed\"", File.ReadAllText(_home.StateFile("shop")));
    }

    [Fact]
    public void A_state_file_from_a_newer_release_is_refused_and_left_as_it_is()
    {
        var path = _home.Path_("var", "state", "shop.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = $"{{\"format\":{SiteState.CurrentFormat + 1},\"site\":\"shop\",\"revision\":3,\"live\":\"b\"}}";
        File.WriteAllText(path, text);

        var error = Assert.Throws<CorruptStateException>(() => Store.Read("shop"));
        Assert.Contains($"written by a newer release (state format {SiteState.CurrentFormat + 1}", error.Message);
        Assert.Equal(text, File.ReadAllText(path));
    }

    [Fact]
    public void A_newer_release_s_file_holding_a_phase_this_one_does_not_know_is_refused_as_newer_not_as_invalid()
    {
        var path = _home.Path_("var", "state", "shop.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = $"{{\"format\":{SiteState.CurrentFormat + 1},\"site\":\"shop\",\"slot_a\":{{\"phase\":\"draining\"}}}}";
        File.WriteAllText(path, text);

        var error = Assert.Throws<CorruptStateException>(() => Store.Read("shop"));
        Assert.Contains($"written by a newer release (state format {SiteState.CurrentFormat + 1}", error.Message);
        Assert.Equal(text, File.ReadAllText(path));
    }

    public static TheoryData<string, string> CorruptFiles() => new()
    {
        { "", "empty file" },
        { "{", "invalid JSON" },
        { "{\"site\":\"shop\",\"revision\":3,\"live\":\"b\",\"slot_b\":{\"id\":\"d1\",\"vers", "invalid JSON" },
        { "not json at all", "invalid JSON" },
        { "null", "null document" },
        { "[]", "invalid JSON" },
        { "{\"revision\":1}", "invalid JSON" },
        { "{\"site\":\"shop\",\"live\":\"c\"}", "invalid JSON" },
        { "{\"site\":\"other\"}", "it describes site 'other'" },
        { "\0\0\0\0\0\0\0\0", "invalid JSON" },
        { "{\"site\":\"shop\",\"live\":\"a\",\"candidate_weight\":0}", "candidate_weight 0 is not a share of 1–99 %" },
        { "{\"site\":\"shop\",\"live\":\"a\",\"candidate_weight\":150}", "candidate_weight 150 is not a share of 1–99 %" },
        { "{\"site\":\"shop\",\"candidate_weight\":10}", "a split (candidate_weight 10) but no live slot" },
        { "{\"format\":3,\"site\":\"shop\",\"slot_a\":{\"phase\":\"deployed\"}}", "slot_a: a deployed slot names no deployment" },
        { "{\"format\":3,\"site\":\"shop\",\"slot_a\":{\"phase\":\"empty\"},\"slot_b\":{\"phase\":\"failed\",\"attempt\":{\"version\":\"v2\",\"at\":\"2025-06-01T12:00:00Z\",\"actor\":\"x\"}}}", "slot_b: a failed slot names no reason" },
        { "{\"format\":3,\"site\":\"shop\",\"slot_a\":null}", "slot_a: missing or null" },
        { "{\"format\":3,\"site\":\"shop\",\"slot_a\":{\"phase\":\"validated\"}}", "invalid JSON" },
        { "{\"format\":2,\"site\":\"shop\",\"slot_a\":5}", "invalid JSON" },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void A_corrupt_state_file_is_reported_with_its_path_and_left_unchanged(string content, string reason)
    {
        var path = _home.StateFile("shop");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(content));
        var before = _home.SnapshotVar();

        var e = Assert.Throws<CorruptStateException>(() => Store.Read("shop"));

        Assert.Equal(path, e.Path);
        Assert.StartsWith(path + ":", e.Message);
        Assert.Contains(reason, e.Message);
        Assert.Equal(before, _home.SnapshotVar());
    }

    [Fact]
    public void A_state_file_cut_anywhere_is_reported_as_corrupt()
    {
        var full = new SiteState { Site = "shop", Live = Slot.A, SlotA = SlotLife.Deployed(new Deployment("d1", "v1", Now, "ops@host")) };
        Store.Write(full, Now);
        var path = _home.StateFile("shop");
        var bytes = File.ReadAllBytes(path);
        var text = Encoding.UTF8.GetString(bytes).TrimEnd();

        for (var length = 0; length < text.Length - 1; length += 7)
        {
            File.WriteAllText(path, text[..length]);

            Assert.Throws<CorruptStateException>(() => Store.Read("shop"));
            Assert.Equal(text[..length], File.ReadAllText(path));
        }
    }
}
