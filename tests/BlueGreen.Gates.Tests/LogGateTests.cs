using BlueGreen.Core.State;

namespace BlueGreen.Gates.Tests;

public sealed class LogGateTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly LogGate _gate = new();

    public void Dispose() => _dir.Dispose();

    private string LogOfSlotB => _dir.File("app-b.log");

    private Core.Configuration.SiteConfig Site(int maxErrors = 0) =>
        Candidates.Site() with { LogFile = _dir.File("app-{slot}.log"), LogMaxErrors = maxErrors };

    /// <summary>What `deploy` does: marks the log, then the new version starts writing.</summary>
    private Deployment Deploy() => Candidates.Deployment(DateTimeOffset.UtcNow, LogMarker.Capture(LogOfSlotB, DateTimeOffset.UtcNow));

    [Fact]
    public async Task An_error_line_written_after_the_deploy_fails_the_gate()
    {
        File.WriteAllText(LogOfSlotB, "INFO old version running\n");
        var deployment = Deploy();
        File.AppendAllText(LogOfSlotB, "INFO starting\nERROR cannot reach database\n");

        var result = await _gate.RunAsync(Candidates.On(Site(), _dir.Path, deployment), default);

        Assert.False(result.Passed);
        Assert.StartsWith("1 line(s)", result.Reason);
        Assert.Equal(["ERROR cannot reach database"], result.Details);
    }

    [Fact]
    public async Task An_error_line_written_before_the_deploy_does_not_count()
    {
        File.WriteAllText(LogOfSlotB, "ERROR the old version failed\nFATAL and died\n");
        var deployment = Deploy();
        File.AppendAllText(LogOfSlotB, "INFO new version up\n");

        var result = await _gate.RunAsync(Candidates.On(Site(), _dir.Path, deployment), default);

        Assert.True(result.Passed, result.Reason);
        Assert.StartsWith("0 line(s)", result.Reason);
    }

    [Fact]
    public async Task Errors_up_to_the_maximum_pass_and_one_more_fails()
    {
        var deployment = Deploy();
        File.WriteAllText(LogOfSlotB, "ERROR a\nERROR b\n");

        var two = await _gate.RunAsync(Candidates.On(Site(maxErrors: 2), _dir.Path, deployment), default);
        File.AppendAllText(LogOfSlotB, "FATAL c\n");
        var three = await _gate.RunAsync(Candidates.On(Site(maxErrors: 2), _dir.Path, deployment), default);

        Assert.True(two.Passed, two.Reason);
        Assert.False(three.Passed);
    }

    [Fact]
    public async Task A_rotated_log_is_read_from_its_start()
    {
        File.WriteAllText(LogOfSlotB, new string('.', 1000) + "\n");
        var deployment = Deploy();
        // logrotate: the old file moves away (here out of the folder, so it cannot be found), a new file takes its name.
        File.Move(LogOfSlotB, _dir.File("archived"));
        File.WriteAllText(LogOfSlotB, "ERROR after rotation\n");

        var result = await _gate.RunAsync(Candidates.On(Site(), _dir.Path, deployment), default);

        Assert.False(result.Passed);
        Assert.Contains("rotated", result.Reason);
        Assert.Equal(["ERROR after rotation"], result.Details);
    }

    [Fact]
    public async Task Errors_written_before_a_rotation_are_found_in_the_rotated_file()
    {
        File.WriteAllText(LogOfSlotB, "ERROR old version, before the deploy\n");
        var deployment = Deploy();
        File.AppendAllText(LogOfSlotB, "ERROR new version, before the rotation\n");
        File.Move(LogOfSlotB, LogOfSlotB + ".1");
        File.WriteAllText(LogOfSlotB, "ERROR new version, after the rotation\n");

        var result = await _gate.RunAsync(Candidates.On(Site(), _dir.Path, deployment), default);

        Assert.Equal(["ERROR new version, before the rotation", "ERROR new version, after the rotation"], result.Details);
        Assert.Contains("app-b.log.1", result.Reason);
    }

    [Fact]
    public async Task A_rotated_log_longer_than_the_mark_is_still_read_from_its_start()
    {
        File.WriteAllText(LogOfSlotB, "short\n");
        var deployment = Deploy();
        File.Move(LogOfSlotB, LogOfSlotB + ".1");
        File.WriteAllText(LogOfSlotB, "ERROR first line of the new file\n" + new string('.', 1000) + "\n");

        var result = await _gate.RunAsync(Candidates.On(Site(), _dir.Path, deployment), default);

        Assert.False(result.Passed);
        Assert.Equal(["ERROR first line of the new file"], result.Details);
    }

    [Fact]
    public async Task A_truncated_log_is_read_from_its_start()
    {
        File.WriteAllText(LogOfSlotB, new string('.', 1000) + "\n");
        var deployment = Deploy();
        // copytruncate: same file, emptied in place.
        using (var stream = new FileStream(LogOfSlotB, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(0);
        }

        File.AppendAllText(LogOfSlotB, "ERROR after truncation\n");

        var result = await _gate.RunAsync(Candidates.On(Site(), _dir.Path, deployment), default);

        Assert.False(result.Passed);
        Assert.Contains("truncated", result.Reason);
    }

    [Fact]
    public async Task A_missing_log_file_fails_with_a_clear_reason()
    {
        var result = await _gate.RunAsync(Candidates.On(Site(), _dir.Path, Candidates.Deployment()), default);

        Assert.False(result.Passed);
        Assert.Equal($"log file {LogOfSlotB} does not exist", result.Reason);
    }

    [Fact]
    public async Task A_log_created_after_the_deploy_counts_from_its_first_line()
    {
        var deployment = Deploy();
        Assert.Equal(0, deployment.Log!.Offset);
        File.WriteAllText(LogOfSlotB, "ERROR boot failed\n");

        var result = await _gate.RunAsync(Candidates.On(Site(), _dir.Path, deployment), default);

        Assert.False(result.Passed);
    }

    [Fact]
    public async Task Without_a_recorded_position_dated_lines_before_the_deploy_are_skipped()
    {
        var deployedAt = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
        File.WriteAllText(LogOfSlotB, string.Join('\n',
            "2025-06-01T11:59:59.999Z ERROR old version",
            "[2025-06-01 13:59:00,000 +0200] ERROR also old (11:59 UTC)",
            "2025-06-01T12:00:01Z INFO new version",
            "2025-06-01T12:00:02Z ERROR new version broke",
            "ERROR undated, so counted") + "\n");

        var result = await _gate.RunAsync(Candidates.On(Site(maxErrors: 5), _dir.Path, Candidates.Deployment(deployedAt)), default);

        Assert.Equal(["2025-06-01T12:00:02Z ERROR new version broke", "ERROR undated, so counted"], result.Details);
        Assert.Contains("no log position recorded", result.Reason);
    }

    [Fact]
    public async Task At_most_five_matching_lines_are_shown_but_all_are_counted()
    {
        var deployment = Deploy();
        File.WriteAllLines(LogOfSlotB, Enumerable.Range(1, 12).Select(i => $"ERROR number {i}"));

        var result = await _gate.RunAsync(Candidates.On(Site(), _dir.Path, deployment), default);

        Assert.StartsWith("12 line(s)", result.Reason);
        Assert.Equal(5, result.Details!.Count);
        Assert.Equal("ERROR number 1", result.Details[0]);
    }

    [Fact]
    public async Task A_large_log_is_streamed_and_only_the_part_after_the_deploy_is_read()
    {
        using (var writer = new StreamWriter(LogOfSlotB))
        {
            for (var i = 0; i < 200_000; i++)
            {
                writer.WriteLine($"2025-01-01T00:00:00Z ERROR old noise line {i} ........................................");
            }
        }

        var deployment = Deploy();
        File.AppendAllText(LogOfSlotB, "INFO fine\nFATAL new\n");

        var result = await _gate.RunAsync(Candidates.On(Site(), _dir.Path, deployment), default);

        Assert.StartsWith("1 line(s)", result.Reason);
        Assert.Equal(["FATAL new"], result.Details);
    }

    [Fact]
    public void The_mark_records_size_and_inode_of_the_slots_log()
    {
        File.WriteAllText(LogOfSlotB, "12345\n");

        var mark = LogMarker.Capture(Site(), Core.Slots.Slot.B)!;

        Assert.Equal(LogOfSlotB, mark.File);
        Assert.Equal(6, mark.Offset);
        Assert.NotNull(mark.Inode);
        Assert.Null(LogMarker.Capture(Candidates.Site(), Core.Slots.Slot.B));
    }

    [Theory]
    [InlineData("2025-06-01T12:00:00Z x", true)]
    [InlineData("2025-06-01 12:00:00.123+02:00 x", true)]
    [InlineData("[2025-06-01 12:00:00,123] x", true)]
    [InlineData("Jun  1 12:00:00 host app: x", false)]
    [InlineData("ERROR x", false)]
    public void Leading_timestamps_are_recognised(string line, bool dated) =>
        Assert.Equal(dated, LogGate.TryParseLeadingTimestamp(line, out _));
}
