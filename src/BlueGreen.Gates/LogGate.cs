using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.State;
using BlueGreen.Core.Validation;

namespace BlueGreen.Gates;

/// <summary>
/// LOG_FILE: counts LOG_ERROR_PATTERN matches in what the slot logged since its deployment; more than
/// LOG_MAX_ERRORS fails. "Since" is decided, in order:
/// 1. the deployment's <see cref="LogMark"/> on the same file (same inode, not shorter): bytes after its offset;
/// 2. rotated (new inode): the renamed old file (found by its inode next to LOG_FILE) after the offset, then
///    the new file from its start;
/// 3. otherwise (no mark, truncated, rotated file gone) the whole file, skipping lines whose leading timestamp
///    is before DeployedAt; lines without a timestamp count (when in doubt, an error is not ignored).
/// </summary>
public sealed class LogGate(TimeProvider? timeProvider = null) : IGate
{
    private const int MaxShownLines = 5;
    private const int MaxShownChars = 300;

    // A leading timestamp: "2025-01-31T12:00:00Z", "[2025-01-31 12:00:00,123 +0100]", ...
    private static readonly Regex LeadingTimestamp = new(
        @"^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?)\s?(Z|[+-]\d{2}:?\d{2})?",
        RegexOptions.CultureInvariant | RegexOptions.Compiled);

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public string Name => "log";

    public bool AppliesTo(SiteConfig site) => site.LogFile.Length > 0;

    public async Task<GateResult> RunAsync(CandidateView candidate, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var path = candidate.Site.LogFileOf(candidate.Slot)!;
        var scan = await Task.Run(() => Scan(path, candidate.Site, candidate.Deployment, cancellationToken), cancellationToken).ConfigureAwait(false);
        var elapsed = _time.GetElapsedTime(started);
        if (scan.Missing)
        {
            return new GateResult(Name, false, elapsed, $"log file {path} does not exist");
        }

        var max = candidate.Site.LogMaxErrors;
        var passed = scan.Matches <= max;
        var reason = $"{scan.Matches} line(s) matching /{candidate.Site.LogErrorPattern}/ in {path} since the deployment ({scan.From}); at most {max} allowed";
        var details = scan.FirstLines.Select(l => l.Length > MaxShownChars ? l[..MaxShownChars] + "…" : l).ToList();
        return new GateResult(Name, passed, elapsed, reason, details.Count > 0 ? details : null);
    }

    internal sealed record ScanResult(bool Missing, int Matches, IReadOnlyList<string> FirstLines, string From);

    /// <summary>Streams the file line by line from the decided start: large files are never loaded whole.</summary>
    internal static ScanResult Scan(string path, SiteConfig site, Deployment deployment, CancellationToken cancellationToken)
    {
        var current = TryOpen(path);
        if (current is null)
        {
            return new ScanResult(true, 0, [], "");
        }

        var (segments, from) = SegmentsOf(current, path, deployment);
        try
        {
            var pattern = new Regex(site.LogErrorPattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            var matches = 0;
            var shown = new List<string>();
            foreach (var segment in segments)
            {
                segment.Stream.Seek(segment.Offset, SeekOrigin.Begin);
                using var reader = new StreamReader(segment.Stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
                while (reader.ReadLine() is { } line)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if ((segment.SkipDatedBefore && WrittenBefore(line, deployment.DeployedAt)) || !IsMatch(pattern, line))
                    {
                        continue;
                    }

                    if (++matches <= MaxShownLines)
                    {
                        shown.Add(line);
                    }
                }
            }

            return new ScanResult(false, matches, shown, from);
        }
        finally
        {
            foreach (var segment in segments)
            {
                segment.Stream.Dispose();
            }
        }
    }

    /// <summary>A part of a file to read, from an offset; dated lines before the deploy skipped when no mark applies.</summary>
    private sealed record Segment(FileStream Stream, long Offset, bool SkipDatedBefore);

    /// <summary>What to read, in order, and why (shown in the reason).</summary>
    private static (List<Segment> Segments, string Why) SegmentsOf(FileStream current, string path, Deployment deployment)
    {
        if (deployment.Log is not { } mark)
        {
            return ([new Segment(current, 0, true)], "no log position recorded at deploy: whole file, lines dated before the deploy skipped");
        }

        var inode = FileIdentity.InodeOf(current.SafeFileHandle);
        if (mark.Inode is { } was && inode is { } now && was != now)
        {
            // logrotate "create": what was written between the deploy and the rotation is in the renamed file.
            var rotated = FindRotated(path, was);
            if (rotated is not null && rotated.Length >= mark.Offset)
            {
                return ([new Segment(rotated, mark.Offset, false), new Segment(current, 0, true)],
                    $"file rotated since the deploy: {rotated.Name} from byte {mark.Offset}, then the new file from its start");
            }

            rotated?.Dispose();
            return ([new Segment(current, 0, true)], "file replaced (rotated) since the deploy: read from its start");
        }

        if (current.Length < mark.Offset)
        {
            return ([new Segment(current, 0, true)], "file truncated since the deploy: read from its start");
        }

        return ([new Segment(current, mark.Offset, false)], $"from byte {mark.Offset}");
    }

    /// <summary>The file next to <paramref name="path"/> (app.log.1, app.log-20250601...) that still has the marked inode.</summary>
    private static FileStream? FindRotated(string path, ulong inode)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        foreach (var candidate in Directory.EnumerateFiles(dir, Path.GetFileName(path) + "?*"))
        {
            var stream = TryOpen(candidate);
            if (stream is not null && FileIdentity.InodeOf(stream.SafeFileHandle) == inode)
            {
                return stream;
            }

            stream?.Dispose();
        }

        return null;
    }

    private static FileStream? TryOpen(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static bool IsMatch(Regex pattern, string line)
    {
        try
        {
            return pattern.IsMatch(line);
        }
        catch (RegexMatchTimeoutException)
        {
            // A pathological line cannot stall validation; it is not counted as a match.
            return false;
        }
    }

    /// <summary>True when the line starts with a timestamp earlier than <paramref name="deployedAt"/>.</summary>
    internal static bool WrittenBefore(string line, DateTimeOffset deployedAt) =>
        TryParseLeadingTimestamp(line, out var at) && at < deployedAt;

    /// <summary>Reads a leading ISO-8601-like timestamp; one without a zone is taken as the machine's local time.</summary>
    internal static bool TryParseLeadingTimestamp(string line, out DateTimeOffset at)
    {
        at = default;
        var m = LeadingTimestamp.Match(line);
        if (!m.Success)
        {
            return false;
        }

        var text = m.Groups[1].Value.Replace(' ', 'T').Replace(',', '.');
        var zone = m.Groups[2].Value;
        if (zone.Length == 5)
        {
            zone = zone.Insert(3, ":");
        }

        var style = zone.Length == 0 ? DateTimeStyles.AssumeLocal : DateTimeStyles.None;
        return DateTimeOffset.TryParse(text + zone, CultureInfo.InvariantCulture, style, out at);
    }
}
