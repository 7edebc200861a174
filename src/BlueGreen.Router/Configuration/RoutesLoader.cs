using BlueGreen.Core.Routing;
using BlueGreen.Core.Routing.Rules;

namespace BlueGreen.Router.Configuration;

/// <summary>
/// Reads the top-level *.yml files of the routes folder and publishes a new snapshot when any changed.
/// Keeps the last good version of every file: an invalid or empty file is logged and ignored.
/// Not thread-safe: one reload loop calls it.
/// </summary>
internal sealed class RoutesLoader(string directory, SnapshotHolder holder, TextWriter log)
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
            Publish();
            return true;
        }

        return false;
    }

    private List<string> ListFiles()
    {
        try
        {
            // Top level only: the product writes its temp files in a sub-folder (.bluegreen-tmp/).
            return System.IO.Directory.EnumerateFiles(directory, "*.yml", SearchOption.TopDirectoryOnly)
                .Where(p => Path.GetExtension(p) == ".yml")
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.WriteLine($"router: error: cannot list {directory}: {e.Message}");
            return _files.Keys.Select(f => Path.Combine(directory, f)).ToList();
        }
    }

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
            log.WriteLine($"router: error: {name}: {string.Join("; ", errors)} ({keeping})");
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

        var errors = DynamicConfigValidator.Validate(config, RuleParser.EmbeddedMatchers);
        return errors.Count > 0 ? (null, errors) : (config, []);
    }

    private void Publish()
    {
        var good = _files.Where(f => f.Value.Good is not null)
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => new GoodFile(f.Key, f.Value.Good!))
            .ToList();
        var snapshot = SnapshotBuilder.Build(++_revision, good);
        holder.Publish(snapshot);
        var broken = snapshot.Routers.Values.Count(r => !r.Enabled) + snapshot.Services.Values.Count(s => !s.Enabled);
        log.WriteLine($"router: revision {snapshot.Revision}: {good.Count} file(s), {snapshot.Routes.Length} router(s) serving, {snapshot.Services.Count} service(s){(broken > 0 ? $", {broken} in error" : "")}");
        foreach (var r in snapshot.Routers.Values.Where(r => !r.Enabled))
        {
            log.WriteLine($"router: error: router {r.Name}: {string.Join("; ", r.Errors)}");
        }
    }
}
