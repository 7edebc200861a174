using BlueGreen.Core;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Operations.Locking;
using BlueGreen.Operations.Tests.Support;
using BlueGreen.Testing;

namespace BlueGreen.Operations.Tests;

/// <summary>
/// With ROUTING_STORE=etcd, `lock acquire` and `lock release` write the hold and its journal entry in one transaction
/// against a real etcd member: a failure leaves neither, and a release never deletes a hold taken again since it read it.
/// </summary>
public sealed class EtcdMaintenanceLockTests : OperationTest, IDisposable
{
    private readonly EtcdCluster _etcd = EtcdCluster.Start(1);

    public void Dispose() => _etcd.Dispose();

    private EtcdStore Store()
    {
        WriteGlobal($"ROUTING_STORE=etcd\nETCD_ENDPOINTS={_etcd.Endpoints}\n");
        var (global, _) = ConfigLoader.LoadGlobal(HomeDir);
        return EtcdStore.For(global)!;
    }

    private static bool Touches(Etcdserverpb.TxnRequest request, string key, bool delete) =>
        request.Success.Any(op => delete ? op.RequestDeleteRange?.Key.ToStringUtf8() == key : op.RequestPut?.Key.ToStringUtf8().StartsWith(key, StringComparison.Ordinal) == true);

    private string Held() => _etcd.Ctl("get", "bluegreen/maintenance", "--print-value-only").Trim();

    private IReadOnlyCollection<string> JournalInEtcd() => _etcd.ReadPrefix("bluegreen/journal/entries/").Values.ToList();

    [Fact]
    public async Task An_acquire_whose_journal_entry_is_not_written_leaves_no_hold_even_when_etcd_is_lost_meanwhile()
    {
        var store = Store();
        // The journal's transaction is lost, and so would be any delete of the hold (an undo after the fact).
        store.TransactionFault = request => Touches(request, "bluegreen/journal/entries/", delete: false) || Touches(request, "bluegreen/maintenance", delete: true)
            ? AnswerFault.RequestLost : AnswerFault.None;
        try
        {
            var result = await new LockOperation(Context()).AcquireAsync("database migration", CancellationToken.None);

            AssertCode(ExitCode.Failed, result);
            Assert.EndsWith("the maintenance lock was not taken", result.Message);
        }
        finally
        {
            store.TransactionFault = null;
        }

        Assert.Equal("", Held());
        Assert.DoesNotContain(JournalInEtcd(), line => line.Contains("lock-acquire", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_release_does_not_delete_a_hold_taken_again_after_it_read_the_hold_and_journals_nothing()
    {
        var store = Store();
        AssertCode(ExitCode.Done, await new LockOperation(Context()).AcquireAsync("first", CancellationToken.None));
        var newer = Held().Replace("\"first\"", "\"second\"", StringComparison.Ordinal);
        Assert.Contains("\"second\"", newer);
        var entries = JournalInEtcd().Count;
        // Just before the release's delete reaches etcd, another host takes the lock again.
        store.TransactionFault = request =>
        {
            if (Touches(request, "bluegreen/maintenance", delete: true) && Held() != newer)
            {
                _etcd.Ctl("put", "bluegreen/maintenance", newer);
            }

            return AnswerFault.None;
        };
        try
        {
            var result = new LockOperation(Context()).Release();

            AssertCode(ExitCode.Failed, result);
            Assert.Contains("the maintenance lock was taken again since it was read", result.Message);
        }
        finally
        {
            store.TransactionFault = null;
        }

        Assert.Equal(newer, Held());
        Assert.Equal(entries, JournalInEtcd().Count);

        var released = new LockOperation(Context()).Release();
        AssertCode(ExitCode.Done, released);
        Assert.Contains("\"second\"", released.Message);
        Assert.Equal("", Held());
        Assert.Contains("lock-release", JournalInEtcd().Last());
    }
}
