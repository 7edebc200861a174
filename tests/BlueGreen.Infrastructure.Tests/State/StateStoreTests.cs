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
            SlotB = new Deployment("d1", "v1", Now, "ops@host"),
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
        var full = new SiteState { Site = "shop", Live = Slot.A, SlotA = new Deployment("d1", "v1", Now, "ops@host") };
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
