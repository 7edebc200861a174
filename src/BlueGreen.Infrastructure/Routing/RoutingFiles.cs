using BlueGreen.Infrastructure.Files;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Recovery;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;

namespace BlueGreen.Infrastructure.Routing;

/// <summary>
/// Reads the per-site routing files in ROUTES_DIR. Writing them is the operations' business alone
/// (see BlueGreen.Operations.Routing.RoutingFileWriter).
/// </summary>
public sealed class RoutingFiles(Home home, GlobalConfig global)
{
    public string Dir => home.RoutesDir(global);

    /// <summary>Temp files go here: below the level Traefik watches, and never named .yml.</summary>
    public string TempDir => Path.Combine(Dir, ".bluegreen-tmp");

    public string PathOf(string site) => Path.Combine(Dir, RoutingPlanner.FileName(site));

    public string? ReadText(string site)
    {
        var path = PathOf(site);
        // Most sites of a large home were never switched: a stat is cheap, an exception per such site is not.
        if (!Path.Exists(path))
        {
            return null;
        }

        try
        {
            return SmallFile.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The live slot the file on disk routes all traffic to (null during a split); Error is set when the file exists but does not parse.</summary>
    public (bool Exists, Slot? Live, string? Error) ReadLiveSlot(string site)
    {
        var text = ReadText(site);
        if (text is null)
        {
            return (false, null, null);
        }

        var (config, error) = RoutingFileFormat.Parse(text);
        return config is null ? (true, null, $"{PathOf(site)}: {error}") : (true, RoutingPlanner.LiveSlotIn(config, site), null);
    }

    /// <summary>What the file on disk makes users reach: the truth recovery starts from.</summary>
    public RoutingTruth ReadTruth(string site)
    {
        string? text;
        try
        {
            text = ReadText(site);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return RoutingTruth.Unknown($"{PathOf(site)}: {e.Message}");
        }

        if (text is null)
        {
            return RoutingTruth.NoFile;
        }

        var (config, error) = RoutingFileFormat.Parse(text);
        return config is null ? RoutingTruth.Unknown($"{PathOf(site)}: {error}") : RoutingTruth.Of(config, site);
    }

    /// <summary>Earlier versions of the site's routing file, newest first (kept by every switch).</summary>
    public IReadOnlyList<string> History(string site)
    {
        var dir = home.RoutingHistoryDir(site);
        return Directory.Exists(dir) ? Directory.GetFiles(dir, "*.yml").OrderDescending(StringComparer.Ordinal).ToList() : [];
    }
}
