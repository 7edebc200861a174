using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Testing;

namespace BlueGreen.Infrastructure.Tests.Etcd;

/// <summary>How `demo --cluster` finds the etcd leader: from `etcdctl endpoint status -w json`, and live.</summary>
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
