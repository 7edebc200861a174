using BlueGreen.Core.Configuration;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;

namespace BlueGreen.Gates;

/// <summary>
/// For `deploy`: records where the slot's LOG_FILE stands before DEPLOY_CMD runs, so the log gate later
/// counts only what the new deployment wrote. Store the result in <see cref="Deployment.Log"/>.
/// </summary>
public static class LogMarker
{
    /// <summary>Null when the site has no LOG_FILE. A missing file gives offset 0: all it will hold is new.</summary>
    public static LogMark? Capture(SiteConfig site, Slot slot, TimeProvider? time = null)
    {
        var path = site.LogFileOf(slot);
        return path is null ? null : Capture(path, (time ?? TimeProvider.System).GetUtcNow());
    }

    public static LogMark Capture(string path, DateTimeOffset at)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return new LogMark(path, RandomAccess.GetLength(handle), FileIdentity.InodeOf(handle), at);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new LogMark(path, 0, null, at);
        }
    }
}
