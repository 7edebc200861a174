using System.Diagnostics;
using BlueGreen.Infrastructure.Locking;
using BlueGreen.Infrastructure.Tests.Processes;

namespace BlueGreen.Infrastructure.Tests.Locking;

public sealed class FileLockTests : IDisposable
{
    private static readonly DateTimeOffset Since = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private FileLock Locks => new(_dir.File("locks"));

    private static LockHolder Me(string command = "run.sh apply shop") => LockHolder.Current(command, Since);

    [Fact]
    public void A_free_lock_is_acquired_and_records_its_holder_until_released()
    {
        var held = Locks.Acquire(FileLock.SwitchLock, Me());

        Assert.Equal("switch", held.Name);
        Assert.Null(held.StaleHolder);
        Assert.Equal(Me(), Locks.Peek(FileLock.SwitchLock));

        held.Dispose();

        Assert.Null(Locks.Peek(FileLock.SwitchLock));
        using var again = Locks.Acquire(FileLock.SwitchLock, Me());
        Assert.Null(again.StaleHolder);
    }

    [Fact]
    public void Releasing_twice_is_harmless()
    {
        var held = Locks.Acquire("site-shop", Me());

        held.Dispose();
        held.Dispose();

        using var next = Locks.Acquire("site-shop", Me());
        Assert.Null(next.StaleHolder);
    }

    [Fact]
    public void A_held_lock_is_busy_for_another_holder_which_learns_who_holds_it()
    {
        using var held = Locks.Acquire(FileLock.SiteLock("shop"), Me("run.sh deploy shop --version v2"));

        var e = Assert.Throws<LockBusyException>(() => Locks.Acquire(FileLock.SiteLock("shop"), Me("run.sh validate shop")));

        Assert.Equal("site-shop", e.LockName);
        Assert.Equal(Environment.ProcessId, e.Holder?.Pid);
        Assert.Equal("run.sh deploy shop --version v2", e.Holder?.Command);
        Assert.Contains($"pid {Environment.ProcessId}", e.Message);
        Assert.Contains("`run.sh deploy shop --version v2`", e.Message);
    }

    [Fact]
    public void Different_locks_do_not_exclude_each_other()
    {
        using var site = Locks.Acquire(FileLock.SiteLock("shop"), Me());
        using var other = Locks.Acquire(FileLock.SiteLock("blog"), Me());
        using var @switch = Locks.Acquire(FileLock.SwitchLock, Me());

        Assert.Equal(["site-shop", "site-blog", "switch"], new[] { site.Name, other.Name, @switch.Name });
    }

    [Fact]
    public void A_holder_killed_with_sigkill_leaves_a_stale_lock_that_the_next_acquire_takes_over()
    {
        var locksDir = _dir.File("locks");
        using var child = HelperProgram.Start("lock", locksDir, "switch");
        try
        {
            // Blocking reads on purpose: nothing here may depend on the test framework's scheduler.
            var said = Task.Run(() => child.StandardOutput.ReadLine());
            Assert.True(said.Wait(TimeSpan.FromSeconds(60)), "the helper did not take the lock within 60 s");
            Assert.True(said.Result == "locked", $"the helper said '{said.Result}'");

            var busy = Assert.Throws<LockBusyException>(() => Locks.Acquire(FileLock.SwitchLock, Me()));
            Assert.Equal(child.Id, busy.Holder?.Pid);

            child.Kill(); // SIGKILL on Unix: the child cannot clean up.
            Assert.True(child.WaitForExit(TimeSpan.FromSeconds(30)));

            using var taken = Locks.Acquire(FileLock.SwitchLock, Me());
            Assert.Equal(child.Id, taken.StaleHolder?.Pid);
            Assert.Equal("helper lock", taken.StaleHolder?.Command);
            Assert.Equal(Environment.ProcessId, Locks.Peek(FileLock.SwitchLock)?.Pid);
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
        }
    }

    [Fact]
    public void A_holder_file_that_cannot_be_written_leaves_the_lock_free()
    {
        var locksDir = _dir.File("locks");
        Directory.CreateDirectory(Path.Combine(locksDir, "switch.holder", "in-the-way")); // the holder file cannot replace a directory

        Assert.ThrowsAny<Exception>(() => Locks.Acquire(FileLock.SwitchLock, Me()));

        using var flock = Flock.TryTake(Path.Combine(locksDir, "switch.lock"), FlockMode.Exclusive);
        Assert.NotNull(flock); // nothing kept the lock
    }

    [Fact]
    public void A_holder_file_that_cannot_be_deleted_does_not_keep_the_lock()
    {
        var locksDir = _dir.File("locks");
        var held = Locks.Acquire(FileLock.SwitchLock, Me());
        var holderFile = Path.Combine(locksDir, "switch.holder");
        File.Delete(holderFile);
        Directory.CreateDirectory(Path.Combine(holderFile, "in-the-way"));

        Assert.ThrowsAny<Exception>(held.Dispose);

        using var flock = Flock.TryTake(Path.Combine(locksDir, "switch.lock"), FlockMode.Exclusive);
        Assert.NotNull(flock);
    }

    [Fact]
    public void A_lock_held_by_a_process_that_never_names_itself_is_busy_with_no_holder_named()
    {
        var locksDir = _dir.File("locks");
        Directory.CreateDirectory(locksDir);
        using var anonymous = Flock.TryTake(Path.Combine(locksDir, "switch.lock"), FlockMode.Exclusive);

        var e = Assert.Throws<LockBusyException>(() => Locks.Acquire(FileLock.SwitchLock, Me()));

        Assert.Null(e.Holder);
        Assert.Contains("it did not say who", e.Message);
    }

    [Fact]
    public void Status_tells_a_held_lock_from_a_stale_one_and_creates_no_lock_file()
    {
        using (Locks.Acquire(FileLock.SiteLock("shop"), Me()))
        {
            Assert.Equal(LockState.Held, Assert.Single(Locks.Inspect()).State);
        }

        // A holder file over a free flock: its holder died.
        var locksDir = _dir.File("locks");
        File.WriteAllText(Path.Combine(locksDir, "site-shop.holder"), Core.Json.Serialize(Me(), Core.Json.Options));
        var stale = Assert.Single(Locks.Inspect());
        Assert.Equal(LockState.Stale, stale.State);
        Assert.Equal(Me(), stale.Holder);

        Assert.Null(Locks.HeldByLiveProcess("site-never"));
        Assert.False(File.Exists(Path.Combine(locksDir, "site-never.lock"))); // a probe writes nothing
    }

    [Fact]
    public void The_holder_text_names_pid_user_host_command_and_since()
    {
        var holder = new LockHolder(42, "ops", "web1", "run.sh apply shop", Since);

        Assert.Equal("pid 42 (ops@web1, `run.sh apply shop`, since 2025-06-01T12:00:00.000Z)", holder.ToString());
    }
}
