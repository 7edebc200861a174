using System.Diagnostics;
using BlueGreen.Infrastructure.Locking;
using BlueGreen.Infrastructure.Tests.Processes;

namespace BlueGreen.Infrastructure.Tests.Locking;

/// <summary>
/// The flock primitive against the real kernel: two opens (in one process or two) exclude each other, a waiter
/// gets the lock when its holder lets go, a wait runs out, and a holder's death or exec never keeps a lock.
/// </summary>
public sealed class FlockTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempDir _dir = new();

    private readonly List<Process> _children = [];

    private string LockPath => _dir.File("x.lock");

    public void Dispose()
    {
        foreach (var child in _children)
        {
            if (!child.HasExited)
            {
                child.Kill();
                child.WaitForExit();
            }

            child.Dispose();
        }

        _dir.Dispose();
    }

    [Fact]
    public void Two_opens_in_one_process_exclude_each_other_until_the_first_is_released()
    {
        var first = Flock.TryTake(LockPath, FlockMode.Exclusive);
        Assert.NotNull(first);

        Assert.Null(Flock.TryTake(LockPath, FlockMode.Exclusive));
        Assert.Null(Flock.TryTake(LockPath, FlockMode.Shared));

        first.Dispose();
        using var second = Flock.TryTake(LockPath, FlockMode.Exclusive);
        Assert.NotNull(second);
    }

    [Fact]
    public void Shared_holders_coexist_and_keep_an_exclusive_one_out()
    {
        using var reader1 = Flock.TryTake(LockPath, FlockMode.Shared);
        var reader2 = Flock.TryTake(LockPath, FlockMode.Shared);
        Assert.NotNull(reader1);
        Assert.NotNull(reader2);

        Assert.Null(Flock.TryTake(LockPath, FlockMode.Exclusive));
        reader2.Dispose();
        Assert.Null(Flock.TryTake(LockPath, FlockMode.Exclusive)); // one reader is still there
    }

    [Fact]
    public void A_waiter_in_this_process_gets_the_lock_once_its_holder_releases_it()
    {
        var holder = Flock.TryTake(LockPath, FlockMode.Exclusive)!;
        using var started = new ManualResetEventSlim();
        var waiter = Task.Run(() =>
        {
            started.Set();
            return Flock.Take(LockPath, FlockMode.Exclusive, Patience);
        });
        Assert.True(started.Wait(Patience), "the waiter did not start");
        Assert.False(waiter.IsCompleted, "the waiter took a lock that is held");

        holder.Dispose();

        Assert.True(waiter.Wait(Patience), "the waiter did not get the released lock");
        using var taken = waiter.Result;
        Assert.Null(Flock.TryTake(LockPath, FlockMode.Exclusive)); // the waiter holds it now
    }

    [Fact]
    public void Another_process_waits_out_its_timeout_while_the_lock_is_held_and_gets_it_once_released()
    {
        var holder = Flock.TryTake(LockPath, FlockMode.Exclusive)!;

        var impatient = Start("flock", LockPath, "exclusive", "200");
        Assert.Equal("waiting", NextLine(impatient));
        Assert.Equal("timeout", NextLine(impatient)); // held here, so the other process could not take it
        Assert.True(impatient.WaitForExit(Patience));
        Assert.Equal(3, impatient.ExitCode);

        var patient = Start("flock", LockPath, "exclusive", "60000");
        Assert.Equal("waiting", NextLine(patient));
        holder.Dispose();
        Assert.Equal("locked", NextLine(patient));

        Assert.Null(Flock.TryTake(LockPath, FlockMode.Exclusive)); // the other process holds it now
    }

    [Fact]
    public void A_timed_out_wait_throws_the_documented_failure_and_keeps_nothing_open()
    {
        using var holder = Flock.TryTake(LockPath, FlockMode.Exclusive)!;
        var timeout = TimeSpan.FromMilliseconds(150);
        var waited = Stopwatch.StartNew();

        var e = Assert.Throws<FlockTimeoutException>(() => Flock.Take(LockPath, FlockMode.Exclusive, timeout));

        Assert.True(waited.Elapsed >= timeout, $"gave up after {waited.Elapsed}, before its timeout");
        Assert.IsAssignableFrom<IOException>(e); // what the journal's callers catch
        Assert.Equal(LockPath, e.LockPath);
        Assert.Contains(LockPath, e.Message);
        Assert.Equal(1, OpenDescriptorsOf(LockPath)); // only the holder's
    }

    [Fact]
    public void A_holder_killed_with_sigkill_releases_the_lock()
    {
        var child = Start("flock", LockPath, "exclusive", "60000");
        Assert.Equal("waiting", NextLine(child));
        Assert.Equal("locked", NextLine(child));
        Assert.Null(Flock.TryTake(LockPath, FlockMode.Exclusive));

        child.Kill(); // SIGKILL: the child cannot clean up; the kernel closes its descriptors
        Assert.True(child.WaitForExit(Patience));

        using var taken = Flock.TryTake(LockPath, FlockMode.Exclusive);
        Assert.NotNull(taken);
    }

    [Fact]
    public void A_process_started_while_the_lock_is_held_does_not_inherit_it()
    {
        var holder = Flock.TryTake(LockPath, FlockMode.Exclusive)!;
        var sleeper = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        _children.Add(sleeper);

        holder.Dispose();

        Assert.False(sleeper.HasExited);
        using var taken = Flock.TryTake(LockPath, FlockMode.Exclusive);
        Assert.NotNull(taken); // the child still runs, and holds no copy of the lock
    }

    [Fact]
    public void A_probe_that_must_not_create_the_lock_file_says_it_is_missing()
    {
        Assert.Throws<FileNotFoundException>(() => Flock.TryTake(LockPath, FlockMode.Exclusive, create: false));
        Assert.False(File.Exists(LockPath));

        Assert.Throws<DirectoryNotFoundException>(() => Flock.Take(_dir.File("no/such/dir.lock"), FlockMode.Exclusive, TimeSpan.FromSeconds(1)));
    }

    private Process Start(params string[] args)
    {
        var child = HelperProgram.Start(args);
        _children.Add(child);
        return child;
    }

    /// <summary>The child's next line; a blocking read, bounded, so nothing depends on the test framework's scheduler.</summary>
    private static string? NextLine(Process child)
    {
        var line = Task.Run(() => child.StandardOutput.ReadLine());
        Assert.True(line.Wait(Patience), $"the helper said nothing within {Patience.TotalSeconds} s");
        return line.Result;
    }

    private static int OpenDescriptorsOf(string path) =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Count(fd =>
        {
            try
            {
                return fd.LinkTarget == path;
            }
            catch (IOException)
            {
                return false; // closed while listed
            }
        });
}
