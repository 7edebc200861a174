using BlueGreen.Core.Routing;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Router.Configuration;

/// <summary>
/// Reads the top-level *.yml and *.yaml files of the routes folder and publishes a new snapshot when any changed.
/// Keeps the last good version of every file: an invalid or empty file is logged and ignored.
/// Not thread-safe: one reload loop calls it.
/// </summary>
internal sealed class RoutesLoader(string directory, SnapshotHolder holder, ILogger<RoutesLoader> logger)
{
    private sealed record FileState(long Length, DateTime WriteTimeUtc, string Text, DynamicConfig? Good);

    private readonly Dictionary<string, FileState> _files = new(StringComparer.Ordinal);
    private long _revision;

    public string Directory => directory;

    /// <summary>Rescans the folder. With <paramref name="reread"/> every file is read again even when its size and mtime look unchanged.</summary>
    /// <returns>True when a new snapshot was published.</returns>
    public bool Scan(bool reread)
    {
        var present = ListFiles();
        var changed = false;
        var names = present.Select(p => Path.GetFileName(p)).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _files.Keys.Where(k => !names.Contains(k)).ToList())
        {
            changed |= _files[gone].Good is not null;
            _files.Remove(gone);
        }

        foreach (var path in present)
        {
            changed |= Refresh(path, reread);
        }

        if (changed || _revision == 0)
        {
            Publish(_revision == 0 ? "start" : reread ? "file event" : "periodic rescan");
            return true;
        }

        return false;
    }

    private List<string> ListFiles()
    {
        try
        {
            // Top level only: the product writes its temp files in a sub-folder (.bluegreen-tmp/).
            return System.IO.Directory.EnumerateFiles(directory, "*", SearchOption.TopDirectoryOnly)
                .Where(IsRoutingFile)
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RouterLog.CannotList(logger, directory, e.Message);
            return _files.Keys.Select(f => Path.Combine(directory, f)).ToList();
        }
    }

    /// <summary>Traefik's file provider reads .yml and .yaml alike, in any letter case (isFileSupported).</summary>
    public static bool IsRoutingFile(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".yml" or ".yaml";

    /// <returns>True when the file's last good configuration changed.</returns>
    private bool Refresh(string path, bool reread)
    {
        var name = Path.GetFileName(path);
        var known = _files.GetValueOrDefault(name);
        string text;
        FileInfo info;
        try
        {
            info = new FileInfo(path);
            if (!reread && known is not null && known.Length == info.Length && known.WriteTimeUtc == info.LastWriteTimeUtc)
            {
                return false;
            }

            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Vanished or locked between listing and reading: the next scan sees the settled state.
            return false;
        }

        if (known is not null && known.Text == text)
        {
            _files[name] = known with { Length = info.Length, WriteTimeUtc = info.LastWriteTimeUtc };
            return false;
        }

        var (config, errors) = Load(text);
        if (config is null)
        {
            var keeping = known?.Good is not null ? "the last good version keeps serving" : "nothing of it is served";
            RouterLog.FileRejected(logger, name, string.Join("; ", errors), keeping);
        }

        _files[name] = new FileState(info.Length, info.LastWriteTimeUtc, text, config ?? known?.Good);
        return config is not null;
    }

    private static (DynamicConfig? Config, IReadOnlyList<string> Errors) Load(string text)
    {
        var (config, error) = RoutingFileFormat.Parse(text);
        if (config is null)
        {
            return (null, [error ?? "unreadable"]);
        }

        // Only a file that declares nothing is refused whole; a bad router or service disables itself alone (SnapshotBuilder).
        return config.Http?.Routers is { Count: > 0 } || config.Http?.Services is { Count: > 0 }
            ? (config, [])
            : (null, ["the file declares no HTTP router or service"]);
    }

    private void Publish(string trigger)
    {
        var good = _files.Where(f => f.Value.Good is not null)
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => new GoodFile(f.Key, f.Value.Good!))
            .ToList();
        var snapshot = SnapshotBuilder.Build(++_revision, good);
        holder.Publish(snapshot);
        Report(snapshot, $"{good.Count} file(s)", trigger, logger);
    }

    /// <summary>The reload's log: one line for the snapshot, one per disabled router or service and per warning.</summary>
    internal static void Report(RoutingSnapshot snapshot, string source, string trigger, ILogger logger)
    {
        foreach (var r in snapshot.Routers.Values.Where(r => !r.Enabled))
        {
            RouterLog.RouterDisabled(logger, r.File, r.Name, string.Join("; ", r.Errors));
        }

        foreach (var s in snapshot.Services.Values.Where(s => !s.Enabled && s.UsedBy.Count == 0))
        {
            // A service that a router uses is already named in that router's error.
            RouterLog.ServiceDisabled(logger, s.File, s.Name, string.Join("; ", s.Errors));
        }

        foreach (var warning in snapshot.Routers.Values.SelectMany(r => r.Warnings).Concat(snapshot.Services.Values.SelectMany(s => s.Warnings)))
        {
            RouterLog.ConfigWarning(logger, warning);
        }

        // The revision's summary comes last: whoever sees it (an operator tailing the log, a test) has every line
        // about that revision already.
        var broken = snapshot.Routers.Values.Count(r => !r.Enabled) + snapshot.Services.Values.Count(s => !s.Enabled);
        if (broken > 0)
        {
            RouterLog.RevisionWithErrors(logger, snapshot.Revision, source, snapshot.Routes.Length, snapshot.Services.Count, broken, trigger);
        }
        else
        {
            RouterLog.Revision(logger, snapshot.Revision, source, snapshot.Routes.Length, snapshot.Services.Count, trigger);
        }
    }
}
