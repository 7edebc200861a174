using BlueGreen.Infrastructure.Files;
using BlueGreen.Infrastructure.Routing;

namespace BlueGreen.Operations.Routing;

/// <summary>
/// THE writer of routing files. Internal to the operations assembly, and only the switch (and
/// deploy's preview route) call it: no gate, module or cockpit can reach it.
/// </summary>
internal sealed class RoutingFileWriter(RoutingFiles files, Infrastructure.Home home, TimeProvider clock)
{
    /// <summary>Writes the site's file atomically and returns what was there before (null: no file).</summary>
    public string? Write(string site, string content, string reason)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            throw new InvalidOperationException("refusing to write an empty routing file: Traefik would drop every router of the site");
        }

        var previous = files.ReadText(site);
        if (previous is not null)
        {
            KeepInHistory(site, previous, reason);
        }

        AtomicFile.Write(files.PathOf(site), content, files.TempDir);
        return previous;
    }

    /// <summary>Puts back what <see cref="Write"/> returned.</summary>
    public void Restore(string site, string? previous)
    {
        if (previous is null)
        {
            File.Delete(files.PathOf(site));
        }
        else
        {
            AtomicFile.Write(files.PathOf(site), previous, files.TempDir);
        }
    }

    private void KeepInHistory(string site, string previous, string reason)
    {
        var dir = home.RoutingHistoryDir(site);
        var stamp = clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss.fff'Z'");
        AtomicFile.Write(Path.Combine(dir, $"{stamp}-before-{reason}.yml"), previous);
    }
}
