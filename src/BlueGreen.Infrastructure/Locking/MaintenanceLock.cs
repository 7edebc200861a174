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
    public MaintenanceHold? Read() => ReadWithRevision()?.Hold;

    /// <summary>
    /// The hold with the etcd revision that wrote it (0 with files), for a release that deletes that hold and no newer one.
    /// </summary>
    /// <exception cref="EtcdUnavailableException">etcd cannot be reached.</exception>
    public (MaintenanceHold Hold, long Revision)? ReadWithRevision()
    {
        string text;
        long revision = 0;
        try
        {
            if (etcd is null)
            {
                text = File.ReadAllText(Path);
            }
            else
            {
                var kv = etcd.Get(etcd.MaintenanceKey) ?? throw new FileNotFoundException(Where);
                (text, revision) = (kv.Value, kv.ModRevision);
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            return (Json.Deserialize<MaintenanceHold>(text) is { Holder: not null, Message: not null } hold ? hold : Unreadable("it is not a maintenance lock"), revision);
        }
        catch (JsonException e)
        {
            return (Unreadable(e.Message), revision);
        }
    }

    /// <summary>Written under every lock (see LockOperation), so no mutating command runs while it appears. Files only.</summary>
    public void Write(MaintenanceHold hold) => AtomicFile.Write(FileOnly(), Json.Serialize(hold, Json.Options));

    /// <summary>False when there was none. Files only: in etcd a release is <see cref="DeleteInEtcd"/> in the journal's transaction.</summary>
    public bool Remove()
    {
        var path = FileOnly();
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    /// <summary>etcd: the put of the hold, written in the transaction of the journal entry that records it (both, or neither).</summary>
    public Etcdserverpb.RequestOp PutInEtcd(MaintenanceHold hold) => EtcdStore.Put(EtcdOnly().MaintenanceKey, Json.Serialize(hold, Json.Options));

    /// <summary>
    /// etcd: the delete of the hold read at <paramref name="revision"/>, with the comparison that it is still that hold
    /// (a hold taken again since is not deleted), both for the transaction of the journal entry that records the release.
    /// </summary>
    public (Etcdserverpb.RequestOp Delete, Etcdserverpb.Compare StillThatHold) DeleteInEtcd(long revision)
    {
        var key = EtcdOnly().MaintenanceKey;
        return (EtcdStore.DeleteKey(key), EtcdStore.ModRevisionIs(key, revision));
    }

    private string FileOnly() => etcd is null ? Path : throw new InvalidOperationException("with etcd the hold is written in the journal's transaction");

    private EtcdStore EtcdOnly() => etcd ?? throw new InvalidOperationException("with files the hold is a file");

    private MaintenanceHold Unreadable(string why) =>
        new(new LockHolder(0, "?", "?", "?", DateTimeOffset.MinValue), $"{Where} cannot be read ({why}); ./run.sh lock release removes it");
}
