using System.Text.Json;
using BlueGreen.Core;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.Files;

namespace BlueGreen.Infrastructure.Locking;

/// <summary>Who took the maintenance lock and why (docs/reference.md, "Locks").</summary>
public sealed record MaintenanceHold(LockHolder Holder, string Message);

/// <summary>
/// The operator's lock (`./run.sh lock acquire --message TEXT`): not an flock, which would end with the
/// process that took it, but a file, var/locks/maintenance.json, that stays until `lock release`. With
/// ROUTING_STORE=etcd it is the key ETCD_STATE_PREFIX/maintenance (the same JSON, under no lease), so that a hold
/// taken on one host stops every host. Every mutating command reads it once it holds its own locks, and exits 4
/// while it is there.
/// </summary>
public sealed class MaintenanceLock(string locksDir, EtcdStore? etcd = null)
{
    public const string Name = "maintenance";

    public string Path => System.IO.Path.Combine(locksDir, Name + ".json");

    /// <summary>Where the hold is kept, as messages name it.</summary>
    public string Where => etcd is null ? Path : $"etcd key {etcd.MaintenanceKey}";

    /// <summary>The hold, or null when there is none. A file that cannot be read still holds: nothing is let through on a doubt.</summary>
    /// <exception cref="EtcdUnavailableException">etcd cannot be reached: not knowing is not "free" either.</exception>
    public MaintenanceHold? Read()
    {
        string text;
        try
        {
            text = etcd is null ? File.ReadAllText(Path) : etcd.Get(etcd.MaintenanceKey)?.Value ?? throw new FileNotFoundException(Where);
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

    /// <summary>
    /// Written under every lock (see LockOperation), so no mutating command runs while it appears. In etcd only while
    /// <paramref name="proofs"/> hold (those locks are still the writer's).
    /// </summary>
    public void Write(MaintenanceHold hold, IReadOnlyList<Etcdserverpb.Compare>? proofs = null)
    {
        var json = Json.Serialize(hold, Json.Options);
        if (etcd is null)
        {
            AtomicFile.Write(Path, json);
        }
        else if (!etcd.Transact(proofs ?? [], [EtcdStore.Put(etcd.MaintenanceKey, json)]))
        {
            throw new IOException($"{Where}: not written: this command's lock lease expired (etcd was unreachable for too long?)");
        }
    }

    /// <summary>False when there was none.</summary>
    public bool Remove()
    {
        if (etcd is not null)
        {
            var present = etcd.Get(etcd.MaintenanceKey) is not null;
            if (present)
            {
                etcd.Transact([], [EtcdStore.DeleteKey(etcd.MaintenanceKey)]);
            }

            return present;
        }

        if (!File.Exists(Path))
        {
            return false;
        }

        File.Delete(Path);
        return true;
    }

    private MaintenanceHold Unreadable(string why) =>
        new(new LockHolder(0, "?", "?", "?", DateTimeOffset.MinValue), $"{Where} cannot be read ({why}); ./run.sh lock release removes it");
}
