using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.Net;
using BlueGreen.Testing;

namespace BlueGreen.Infrastructure.Tests.Etcd;

/// <summary>How `demo --cluster` finds the etcd leader (from `etcdctl endpoint status -w json`, and live) and where its data goes.</summary>
public sealed class LocalEtcdClusterTests
{
    // The shape etcdctl 3.4 prints (Debian's etcd-client), member ids as large as uint64 goes.
    private static string Status(params (string Url, ulong Id, ulong Leader)[] members) =>
        "[" + string.Join(',', members.Select(m =>
            $$$"""{"Endpoint":"{{{m.Url}}}","Status":{"header":{"cluster_id":1,"member_id":{{{m.Id}}},"revision":5,"raft_term":2},"version":"3.4.23","dbSize":20480,"leader":{{{m.Leader}}},"raftIndex":9,"raftTerm":2}}""")) + "]";

    public static TheoryData<string, string?> Answers => new()
    {
        { Status(("http://a", 17237436991929493444, 2), ("http://b", 2, 2), ("http://c", 3, 2)), "http://b" },
        { Status(("http://a", 1, 17237436991929493444), ("http://b", 17237436991929493444, 17237436991929493444)), "http://b" },
        // An election in progress: the members disagree, or know no leader, or name one that did not answer.
        { Status(("http://a", 1, 1), ("http://b", 2, 2)), null },
        { Status(("http://a", 1, 0), ("http://b", 2, 0)), null },
        { Status(("http://a", 1, 3), ("http://b", 2, 3)), null },
        { "[]", null },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void The_leader_is_the_member_every_answer_names(string json, string? leader) => Assert.Equal(leader, LocalEtcdCluster.LeaderIn(json));

    // Three members may fill 3 × (256 MiB quota + 128 MB of WAL) = 1,134.2 MiB.
    private const long Needed = 3 * LocalEtcdCluster.BytesPerMember;

    public static TheoryData<string?, long, string, string> DataRoots => new()
    {
        { "tmpfs", 8L << 30, "/dev/shm", "tmpfs /dev/shm, 8,192 MiB free" },
        { "tmpfs", Needed, "/dev/shm", "tmpfs /dev/shm, 1,134 MiB free" },
        // Docker's default: a 64 MiB tmpfs.
        { "tmpfs", 64L << 20, "/tmp/demo", "a temporary directory: /dev/shm has 64 MiB free, less than the 1,135 MiB 3 members may fill" },
        { "tmpfs", Needed - 1, "/tmp/demo", "a temporary directory: /dev/shm has 1,134 MiB free, less than the 1,135 MiB 3 members may fill" },
        // A plain folder of the root file system (a container without the mount), or no /dev/shm at all.
        { "overlay", 100L << 30, "/tmp/demo", "a temporary directory: /dev/shm is overlay, not a tmpfs" },
        { null, 0, "/tmp/demo", "a temporary directory: no /dev/shm" },
    };

    [Theory]
    [MemberData(nameof(DataRoots))]
    public void The_data_goes_on_dev_shm_only_when_it_is_a_tmpfs_with_room_for_every_member(string? format, long free, string path, string why) =>
        Assert.Equal(new LocalEtcdCluster.DataRoot(path, why), LocalEtcdCluster.ChooseDataRoot(format, free, 3, "/tmp/demo"));

    [Fact]
    public void A_member_whose_port_is_taken_is_started_once_more_then_named_with_the_reason()
    {
        Assert.True(LocalEtcdCluster.Installed, LocalEtcdCluster.MissingPackages);
        using var taken = new TcpListener(IPAddress.Loopback, 0); // held for the whole test: both starts of m0 meet it
        taken.Start();
        var (real, offered) = (new PortAllocator(), 0);
        // m0's client port, the first one asked for, is the taken one.
        var ports = new PortAllocator(() => offered++ == 0 ? ((IPEndPoint)taken.LocalEndpoint).Port : real.Next());
        var dir = Path.Combine(Path.GetTempPath(), "bg-etcd-" + Guid.NewGuid().ToString("N")[..10]);

        var failed = Assert.Throws<InvalidOperationException>(() => new LocalEtcdCluster(dir, 3, ports));

        Assert.StartsWith("etcd member m0 exited", failed.Message);
        // etcd says it once per start: two starts.
        Assert.Equal(2, Regex.Matches(failed.Message, "bind: address already in use").Count);
        Assert.False(Directory.Exists(dir)); // the others were killed and the directory deleted
    }

    [Fact]
    public void A_killed_leader_is_followed_by_another_and_rejoins_on_restart()
    {
        using var etcd = EtcdCluster.Start();
        var first = etcd.Leader(TimeSpan.FromSeconds(10));
        // The leader etcdctl names through every endpoint is the member whose own status says it leads.
        Assert.Contains("true", etcd.Ctl("endpoint", "status", "-w", "table").Split('\n').Single(l => l.Contains(etcd.ClientUrls[first], StringComparison.Ordinal)));

        etcd.Kill(first);
        var next = etcd.Leader(TimeSpan.FromSeconds(10));

        Assert.NotEqual(first, next);
        etcd.Restart(first);
        etcd.WaitHealthy(TimeSpan.FromSeconds(30));
        Assert.Equal("OK\n", etcd.Ctl("put", "after", "ok"));
        Assert.Equal("ok\n", etcd.Ctl("get", "after", "--print-value-only", "--consistency=s"));
    }
}
