using System.Text.Json;
using BlueGreen.Core;
using BlueGreen.Infrastructure.Files;

namespace BlueGreen.Infrastructure.Locking;

/// <summary>Who took the maintenance lock and why (docs/reference.md, "Locks").</summary>
public sealed record MaintenanceHold(LockHolder Holder, string Message);

/// <summary>
/// The operator's lock (`./run.sh lock acquire --message TEXT`): not an flock, which would end with the
/// process that took it, but a file, var/locks/maintenance.json, that stays until `lock release`. Every
/// mutating command reads it once it holds its own locks, and exits 4 while it is there.
/// </summary>
public sealed class MaintenanceLock(string locksDir)
{
    public const string Name = "maintenance";

    public string Path => System.IO.Path.Combine(locksDir, Name + ".json");

    /// <summary>The hold, or null when there is none. A file that cannot be read still holds: nothing is let through on a doubt.</summary>
    public MaintenanceHold? Read()
    {
        string text;
        try
        {
            text = File.ReadAllText(Path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            return Json.Deserialize<MaintenanceHold>(text) is { Holder: not null, Message: not null } hold ? hold : Unreadable("it is not a maintenance lock");
        }
        catch (JsonException e)
        {
            return Unreadable(e.Message);
        }
    }

    /// <summary>Written under every lock (see LockOperation), so no mutating command runs while it appears.</summary>
    public void Write(MaintenanceHold hold) => AtomicFile.Write(Path, Json.Serialize(hold, Json.Options));

    /// <summary>False when there was none.</summary>
    public bool Remove()
    {
        if (!File.Exists(Path))
        {
            return false;
        }

        File.Delete(Path);
        return true;
    }

    private MaintenanceHold Unreadable(string why) =>
        new(new LockHolder(0, "?", "?", "?", DateTimeOffset.MinValue), $"{Path} cannot be read ({why}); ./run.sh lock release removes it");
}
