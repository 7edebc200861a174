using BlueGreen.Infrastructure.Etcd;

namespace BlueGreen.Testing;

/// <summary>
/// A real etcd cluster for one test: the product's <see cref="LocalEtcdCluster"/> (the one `demo --cluster` starts),
/// with its data where the demo puts it (/dev/shm when it is a tmpfs with room for every member: each preallocates
/// ~128 MB of WAL, and a disk's fsyncs slow a loaded CI machine's elections) and what the tests read with it.
/// </summary>
public sealed class EtcdCluster(int size = 3) : LocalEtcdCluster(NewDir(size), size)
{
    /// <summary>A fresh cluster, or a failed test naming the packages to install.</summary>
    public static EtcdCluster Start(int size = 3) => Installed ? new EtcdCluster(size) : throw new InvalidOperationException(MissingPackages);

    /// <summary>Every key under a prefix with its value, read with etcdctl (the tool an operator would use).</summary>
    public IReadOnlyDictionary<string, string> ReadPrefix(string prefix)
    {
        var lines = Ctl("get", prefix, "--prefix").Split('\n');
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        // etcdctl prints key and value on alternate lines (values here are one line each).
        for (var i = 0; i + 1 < lines.Length; i += 2)
        {
            result[lines[i]] = lines[i + 1];
        }

        return result;
    }

    private static string NewDir(int size) =>
        Path.Combine(ChooseDataRoot(size, Path.GetTempPath()).Path, "bg-etcd-" + Guid.NewGuid().ToString("N")[..10]);
}
