using System.Diagnostics;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Infrastructure.Locking;
using BlueGreen.Testing;

namespace BlueGreen.Infrastructure.Tests.Etcd;

/// <summary>
/// The etcd side of ROUTING_STORE=etcd against a real 3-node cluster: the journal's head condition (no fork when two
/// hosts append at once), the mirror, and the lease locks (exclusion, keep-alive past the TTL, a lost lease refusing
/// the write that relied on it).
/// </summary>
public sealed class EtcdStoreTests : IDisposable
{
    private readonly EtcdCluster _etcd = EtcdCluster.Start();
    private readonly List<TempHome> _homes = [];
    private readonly List<EtcdStore> _stores = [];

    public void Dispose()
    {
        _stores.ForEach(s => s.Dispose());
        _etcd.Dispose();
        _homes.ForEach(h => h.Dispose());
    }

    /// <summary>One "host": its own home (journal mirror) and its own client of the shared cluster.</summary>
    private (EtcdStore Store, EtcdJournal Journal) Host()
    {
        var home = new TempHome();
        _homes.Add(home);
        var store = new EtcdStore(new GlobalConfig { RoutingStore = RoutingStoreKind.Etcd, EtcdEndpoints = _etcd.Endpoints });
        _stores.Add(store);
        return (store, new EtcdJournal(store, new JournalFile(Home.At(home.Root), TimeProvider.System), TimeProvider.System));
    }

    private static JournalEntry Entry(string tag, int i) => new() { Site = "shop", Action = "deploy", Outcome = JournalOutcome.Succeeded, Message = $"{tag} #{i}" };

    [Fact]
    public async Task Two_hosts_appending_at_once_extend_one_chain_and_each_mirror_equals_it()
    {
        var (_, one) = Host();
        var (_, two) = Host();

        await Task.WhenAll(
            Task.Run(() => Enumerable.Range(0, 15).ToList().ForEach(i => one.Append(Entry("one", i)))),
            Task.Run(() => Enumerable.Range(0, 15).ToList().ForEach(i => two.Append(Entry("two", i)))));

        var lines = _etcd.ReadPrefix("bluegreen/journal/entries/").Values.ToList();
        Assert.Equal(30, lines.Count);
        Assert.Null(JournalChain.Verify(lines));
        Assert.Equal(15, lines.Count(l => l.Contains("\"message\":\"one #", StringComparison.Ordinal)));
        foreach (var journal in new[] { one, two })
        {
            journal.EnsureMirrorFollows();
            var (broken, difference, entries) = journal.Verify();
            Assert.Null(broken);
            Assert.Null(difference);
            Assert.Equal(30, entries);
            Assert.Equal(lines, journal.Mirror.ReadLines());
        }
    }

    [Fact]
    public void A_line_changed_in_etcd_breaks_the_chain_after_it_and_the_mirror_comparison_names_its_seq()
    {
        var (_, one) = Host();
        for (var i = 0; i < 3; i++)
        {
            one.Append(Entry("one", i));
        }

        // Entry 2 rewritten in etcd behind the product's back (a valid line, sealed again, but not the one the mirror holds).
        var (line, _) = JournalChain.Seal(Entry("forged", 1), 2, HashIn(_etcd.Ctl("get", "bluegreen/journal/entries/000000000001", "--print-value-only").Trim()));
        _etcd.Ctl("put", "bluegreen/journal/entries/000000000002", line);

        var (broken, difference, _) = one.Verify();
        Assert.Equal(3, broken!.Line);
        Assert.Contains("prev_hash does not match", broken.Reason);
        Assert.Equal(2, difference!.Seq);
        Assert.Contains("is not the line in etcd", difference.Reason);
    }

    private static string HashIn(string line) => Core.Json.Deserialize<JournalEntry>(line)!.Hash!;

    [Fact]
    public void A_lock_held_on_one_host_refuses_the_other_naming_the_holder_and_is_free_once_released()
    {
        var (storeOne, _) = Host();
        var (storeTwo, _) = Host();
        var me = LockHolder.Current("run.sh apply shop", DateTimeOffset.UtcNow);

        using (new EtcdLeaseLock(storeOne).Acquire("switch", me))
        {
            var busy = Assert.Throws<LockBusyException>(() => new EtcdLeaseLock(storeTwo).Acquire("switch", me with { Command = "other" }));
            Assert.Equal(me, busy.Holder);
            Assert.StartsWith($"the switch lock is held by pid {me.Pid} ({me.User}@{me.Host}, `run.sh apply shop`", busy.Message);
            Assert.Equal([("switch", LockState.Held)], new EtcdLeaseLock(storeTwo).Inspect().Select(l => (l.Name, l.State)));
        }

        Assert.Empty(_etcd.ReadPrefix("bluegreen/locks/"));
        using var again = new EtcdLeaseLock(storeTwo).Acquire("switch", me);
    }

    [Fact]
    public async Task A_held_lock_outlives_its_lease_ttl_because_it_is_kept_alive()
    {
        var (store, _) = Host();
        using var held = new EtcdLeaseLock(store).Acquire("site-shop", LockHolder.Current("deploy", DateTimeOffset.UtcNow));

        // Watched for twice the TTL: without renewals etcd would have deleted the key after one.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < EtcdLeaseLock.LeaseTtl * 2)
        {
            Assert.NotEmpty(_etcd.Ctl("get", "bluegreen/locks/site-shop", "--print-value-only").Trim());
            await Task.Delay(250);
        }
    }

    [Fact]
    public void A_write_conditioned_on_a_lock_whose_lease_was_lost_writes_nothing()
    {
        var (store, journal) = Host();
        var held = (LeaseHeldLock)new EtcdLeaseLock(store).Acquire("switch", LockHolder.Current("apply", DateTimeOffset.UtcNow));
        var lease = store.Get("bluegreen/locks/switch")!.Lease;
        journal.Append(Entry("before", 0));

        // The lease ends under the holder (as when its host lost etcd for longer than the TTL), and another command takes the lock.
        _etcd.Ctl("lease", "revoke", lease.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        using var successor = new EtcdLeaseLock(store).Acquire("switch", LockHolder.Current("someone else", DateTimeOffset.UtcNow));

        var error = Assert.Throws<JournalWriteException>(() => journal.Append(Entry("after", 1), [EtcdStore.Put("traefik/http/routers/shop/rule", "Host(`x`)")], [held.Proof]));

        Assert.Contains("lock lease expired", error.Message);
        Assert.Single(_etcd.ReadPrefix("bluegreen/journal/entries/"));
        Assert.Empty(_etcd.ReadPrefix("traefik/"));
        held.Dispose();
    }

    [Fact]
    public void An_append_whose_answer_was_lost_after_etcd_applied_it_is_known_as_applied_and_written_once()
    {
        var (store, journal) = Host();
        journal.Append(Entry("before", 0));
        var lost = 0;
        store.TransactionFault = _ => Interlocked.Increment(ref lost) == 1 ? AnswerFault.AnswerLost : AnswerFault.None;

        var entry = journal.Append(Entry("committed", 1));

        Assert.Equal(2, entry.Seq);
        var lines = _etcd.ReadPrefix("bluegreen/journal/entries/").Values.ToList();
        Assert.Equal(2, lines.Count);
        Assert.Contains("committed #1", lines[1]);
        Assert.Null(journal.Verify().Break);
        Assert.Equal(lines, journal.Mirror.ReadLines());
    }

    [Fact]
    public void An_append_whose_request_was_lost_is_fenced_and_reported_as_nothing_written()
    {
        var (store, journal) = Host();
        journal.Append(Entry("before", 0));
        store.TransactionFault = request => request.Success.Count > 1 ? AnswerFault.RequestLost : AnswerFault.None; // the append, not the fence

        var error = Assert.Throws<JournalWriteException>(() => journal.Append(Entry("lost", 1)));

        Assert.Contains("etcd had not applied it, and never will: nothing was written", error.Message);
        Assert.Single(_etcd.ReadPrefix("bluegreen/journal/entries/"));
        store.TransactionFault = null;
        Assert.Equal(2, journal.Append(Entry("after", 2)).Seq);
        Assert.Null(journal.Verify().Break);
    }

    [Fact]
    public void An_append_whose_answer_was_lost_with_etcd_gone_since_is_reported_as_unknown()
    {
        var (store, journal) = Host();
        journal.Append(Entry("before", 0));
        store.TransactionFault = _ =>
        {
            _etcd.KillAll();
            return AnswerFault.RequestLost;
        };

        var error = Assert.Throws<EtcdOutcomeUnknownException>(() => journal.Append(Entry("unknown", 1)));

        Assert.StartsWith("etcd did not say whether it applied journal entry 2 (", error.Message);
        Assert.EndsWith("and could not be asked since: it may have", error.Message);
    }

    [Fact]
    public async Task A_keep_alive_stream_that_breaks_is_started_again_and_the_lock_outlives_its_ttl()
    {
        var (store, _) = Host();
        var broken = 0;
        // The first three streams break as they start (a member going away): without restarts the lease would expire.
        store.KeepAliveFault = _ => Interlocked.Increment(ref broken) <= 3 ? StreamFault.Breaks : StreamFault.None;
        using var held = (LeaseHeldLock)new EtcdLeaseLock(store).Acquire("site-shop", LockHolder.Current("deploy", DateTimeOffset.UtcNow));

        await AssertHeldForTwiceTheTtlAsync(held);

        Assert.True(Volatile.Read(ref broken) > 3, "the stream was started again after it broke");
    }

    [Fact]
    public async Task A_keep_alive_stream_that_hangs_without_renewing_is_replaced_and_the_lock_outlives_its_ttl()
    {
        var (store, _) = Host();
        var started = 0;
        // The first stream neither renews nor fails (a starved or half-dead connection): it must not be waited for.
        store.KeepAliveFault = _ => Interlocked.Increment(ref started) == 1 ? StreamFault.Hangs : StreamFault.None;
        using var held = (LeaseHeldLock)new EtcdLeaseLock(store).Acquire("site-shop", LockHolder.Current("deploy", DateTimeOffset.UtcNow));

        await AssertHeldForTwiceTheTtlAsync(held);

        Assert.True(Volatile.Read(ref started) > 1, "a second stream was started while the first hung");
    }

    /// <summary>Watched for twice the TTL: without renewals etcd would have deleted the key after one.</summary>
    private async Task AssertHeldForTwiceTheTtlAsync(LeaseHeldLock held)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < EtcdLeaseLock.LeaseTtl * 2)
        {
            Assert.NotEmpty(_etcd.Ctl("get", "bluegreen/locks/site-shop", "--print-value-only").Trim());
            Assert.False(held.Lost.IsCancellationRequested, held.LostReason);
            await Task.Delay(250); // sampling the key during a real lease's TTL, not waiting for something to happen
        }
    }

    [Theory]
    [InlineData(-1, "Gone")]
    [InlineData(0, "Overdue")] // etcd truncates: under a second left, or expired and not yet revoked
    [InlineData(2, "Overdue")]
    [InlineData(3, "Due")]
    [InlineData(4, "Renewed")]
    [InlineData(5, "Renewed")]
    public void A_remaining_ttl_is_read_against_the_renewal_schedule(long secondsLeft, string reading) =>
        Assert.Equal(reading, LeaseHeldLock.Read(secondsLeft, TimeSpan.FromSeconds(5)).ToString());

    [Fact]
    public async Task A_lease_that_etcd_no_longer_renews_or_confirms_is_lost_once_its_ttl_ran_out_and_the_holder_refuses_to_write()
    {
        var (store, _) = Host();
        // etcd freezes for this holder once it has the lock: its keep-alive streams neither renew nor fail, and its
        // questions about the lease go unanswered until their deadline (the grant and the lock's key still go through).
        store.KeepAliveFault = _ => StreamFault.Hangs;
        store.LeaseTtlFault = _ => StreamFault.Hangs;
        using var held = (LeaseHeldLock)new EtcdLeaseLock(store).Acquire("site-shop", LockHolder.Current("deploy", DateTimeOffset.UtcNow));
        var lost = new TaskCompletionSource();
        using var registration = held.Lost.Register(lost.SetResult);

        // Each unanswered question ends at its 5 s deadline; the first to end after the TTL ran out decides.
        await lost.Task.WaitAsync(EtcdLeaseLock.LeaseTtl + EtcdStore.CallTimeout * 3);
        Assert.StartsWith("etcd could not renew or confirm its lease before its TTL ran out: ", held.LostReason);
        Assert.Throws<LockLostException>(held.ThrowIfLost);
    }

    [Fact]
    public async Task A_revoked_lease_is_noticed_by_its_holder_which_then_refuses_to_write()
    {
        var (store, _) = Host();
        using var held = (LeaseHeldLock)new EtcdLeaseLock(store).Acquire("site-shop", LockHolder.Current("deploy", DateTimeOffset.UtcNow));
        var lease = store.Get("bluegreen/locks/site-shop")!.Lease;

        _etcd.Ctl("lease", "revoke", lease.ToString("x", System.Globalization.CultureInfo.InvariantCulture));

        // Noticed within a check (a fifth of the TTL), waited for with a deadline.
        var noticed = new TaskCompletionSource();
        using var registration = held.Lost.Register(noticed.SetResult);
        await noticed.Task.WaitAsync(EtcdLeaseLock.LeaseTtl * 2);
        Assert.Contains("revoked", held.LostReason);
        var error = Assert.Throws<LockLostException>(held.ThrowIfLost);
        Assert.Equal("the site-shop lock was lost while this command held it (etcd says its lease was revoked or has expired): another command may hold it now", error.Message);
        Assert.Throws<LockLostException>(() => held.RecordChildGroup(null));
    }
}
