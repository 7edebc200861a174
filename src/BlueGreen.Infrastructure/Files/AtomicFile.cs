using System.Text;

namespace BlueGreen.Infrastructure.Files;

/// <summary>
/// Whole-file writes that a reader (or a crash) never sees half done: write a temp file, flush it
/// to disk, rename it over the target. A rename within one file system is atomic.
/// </summary>
public static class AtomicFile
{
    /// <param name="tempDir">Where the temp file goes; must be on the target's file system. Default: beside the target.</param>
    public static void Write(string path, string content, string? tempDir = null)
    {
        var dir = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(dir);
        tempDir ??= dir;
        Directory.CreateDirectory(tempDir);
        var temp = Path.Combine(tempDir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
            {
                var bytes = Encoding.UTF8.GetBytes(content);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a stray temp file is not loaded by anyone (its name ends in .tmp).
        }
    }
}
