using System.Text.Json;
using BlueGreen.Core;
using BlueGreen.Infrastructure.Files;

namespace BlueGreen.Infrastructure.Locking;

/// <summary>Who holds a lock, as a refused command reports it (docs/reference.md, "Locks").</summary>
/// <paramref name="ChildGroup"/>: the process group of a command the holder is running (DEPLOY_CMD, TEST_CMD), so that
/// whoever takes over the lock after the holder died can end what it left running.
/// <paramref name="ChildIdentity"/>: that group leader's boot id and start time, so that a number reused after a reboot or
/// a wrap-around is never taken for it.
public sealed record LockHolder(int Pid, string User, string Host, string Command, DateTimeOffset Since, int? ChildGroup = null, string? ChildIdentity = null)
{
    public override string ToString() => $"pid {Pid} ({User}@{Host}, `{Command}`, since {Since:yyyy-MM-ddTHH:mm:ss.fffZ})";

    public static LockHolder Current(string command, DateTimeOffset now) =>
        new(Environment.ProcessId, Environment.UserName, Environment.MachineName, command, now);
}

/// <summary>A lock this process holds, in whichever store (<see cref="ILockStore"/>). Disposing releases it.</summary>
public abstract class HeldLock(string name, LockHolder holder, LockHolder? staleHolder) : IDisposable
{
    private bool _released;

    public string Name { get; } = name;

    /// <summary>The holder that died without releasing the lock, when this acquisition took it over.</summary>
    public LockHolder? StaleHolder { get; } = staleHolder;

    protected LockHolder Holder { get; private set; } = holder;

    /// <summary>Records (or clears, with null) the process group of the command this holder runs.</summary>
    public void RecordChildGroup(int? pgid)
    {
        Holder = Holder with { ChildGroup = pgid, ChildIdentity = pgid is { } g ? Processes.ProcessGroup.IdentityOf(g) : null };
        WriteHolder(Holder);
    }

    public void Dispose()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        Release();
        GC.SuppressFinalize(this);
    }

    protected abstract void WriteHolder(LockHolder holder);

    /// <summary>
    /// The stale holder's leftovers are settled (its process group is gone or was ended): its record may go. Files
    /// need nothing (the holder file was rewritten when the lock was taken); etcd keeps it in a key of its own.
    /// </summary>
    public virtual void ForgetStaleHolder()
    {
    }

    protected abstract void Release();
}

/// <summary>A flock held on var/locks/NAME.lock, named by NAME.holder.</summary>
internal sealed class FileHeldLock(string name, Flock flock, string holderFile, LockHolder holder, LockHolder? staleHolder) : HeldLock(name, holder, staleHolder)
{
    protected override void WriteHolder(LockHolder holder) => AtomicFile.Write(holderFile, Json.Serialize(holder, Json.Options));

    protected override void Release()
    {
        try
        {
            // The holder file goes first: a holder file left behind while the lock is free is what marks a stale lock.
            File.Delete(holderFile);
        }
        finally
        {
            // Even when the holder file could not go: a live process must never keep a lock it let go of.
            flock.Dispose();
        }
    }
}

/// <summary>
/// Where the named locks live: this host's files (<see cref="FileLock"/>) or, with ROUTING_STORE=etcd, leases in the
/// cluster every host shares (Etcd.EtcdLeaseLock). Taking a lock never waits: a busy one throws <see cref="LockBusyException"/>.
/// </summary>
public interface ILockStore
{
    HeldLock Acquire(string name, LockHolder me);

    /// <summary>Every lock the store knows of and whether it is held (for `lock status`).</summary>
    IReadOnlyList<LockStatus> Inspect();
}

/// <summary>Thrown when a lock is held by another live process, or by an operator (the maintenance lock, with its reason).</summary>
public sealed class LockBusyException(string name, LockHolder? holder, string? reason = null)
    : Exception($"the {name} lock is held by {holder?.ToString() ?? "another process (it did not say who)"}{(reason is null ? "" : $": \"{reason}\"")}")
{
    public string LockName { get; } = name;

    public LockHolder? Holder { get; } = holder;

    /// <summary>Why an operator holds it (the maintenance lock's message).</summary>
    public string? Reason { get; } = reason;
}

/// <summary>A lock as `lock status` shows it.</summary>
public enum LockState
{
    Free,
    Held,

    /// <summary>Its holder died without releasing it: the next command takes it over.</summary>
    Stale,
}

public sealed record LockStatus(string Name, LockState State, LockHolder? Holder);

/// <summary>
/// Named locks under var/locks. The mutual exclusion is the kernel's flock on NAME.lock (<see cref="Flock"/>),
/// so a holder killed with -9 releases it at once. NAME.holder says who
/// holds it; found while the lock is free, it means the last holder died: a stale lock, taken over.
/// </summary>
public sealed class FileLock(string locksDir) : ILockStore
{
    public const string SwitchLock = "switch";

    public static string SiteLock(string site) => $"site-{site}";

    /// <summary>
    /// How long a held lock whose holder has not named itself yet is waited for (it is being taken or released):
    /// a holder names itself right after its flock, but on a loaded machine that can take a while.
    /// </summary>
    private static readonly TimeSpan ChangingHands = TimeSpan.FromSeconds(5);

    /// <summary>One wait for the lock between two looks at the holder file.</summary>
    private static readonly TimeSpan ChangingHandsSlice = TimeSpan.FromMilliseconds(50);

    public HeldLock Acquire(string name, LockHolder me)
    {
        Directory.CreateDirectory(locksDir);
        var lockFile = Path.Combine(locksDir, name + ".lock");
        var holderFile = Path.Combine(locksDir, name + ".holder");
        var flock = TakeOrName(name, lockFile, holderFile);
        try
        {
            var stale = ReadHolder(holderFile);
            AtomicFile.Write(holderFile, Json.Serialize(me, Json.Options));
            return new FileHeldLock(name, flock, holderFile, me, stale);
        }
        catch
        {
            // Never keep a lock nobody can name (a full disk refused the holder file).
            flock.Dispose();
            throw;
        }
    }

    /// <summary>The holder when a live process holds the lock now (its flock is taken); null when free or stale.</summary>
    public LockHolder? HeldByLiveProcess(string name) => InspectOne(name) is { State: LockState.Held } held ? held.Holder : null;

    /// <summary>
    /// Every lock under var/locks and whether it is held. A lock with no holder file is free (a holder names
    /// itself right after taking it). With one, a non-blocking attempt at the flock tells held from stale; it
    /// is let go at once and never takes over (the holder file stays for the next command to report).
    /// </summary>
    public IReadOnlyList<LockStatus> Inspect()
    {
        if (!Directory.Exists(locksDir))
        {
            return [];
        }

        return Directory.EnumerateFiles(locksDir, "*.lock").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal).Select(InspectOne).ToList();
    }

    private LockStatus InspectOne(string name)
    {
        var holderFile = Path.Combine(locksDir, name + ".holder");
        if (ReadHolder(holderFile) is not { } holder)
        {
            return new LockStatus(name, LockState.Free, null);
        }

        try
        {
            using var probe = Flock.TryTake(Path.Combine(locksDir, name + ".lock"), FlockMode.Exclusive, create: false);
            if (probe is null)
            {
                return new LockStatus(name, LockState.Held, holder);
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new LockStatus(name, LockState.Free, null);
        }

        // Taken and let go again: was the holder releasing it just now, or is it gone?
        return ReadHolder(holderFile) is { } still ? new LockStatus(name, LockState.Stale, still) : new LockStatus(name, LockState.Free, null);
    }

    /// <summary>The holder of a lock as last recorded (null when free and clean).</summary>
    public LockHolder? Peek(string name) => ReadHolder(Path.Combine(locksDir, name + ".holder"));

    /// <summary>
    /// Takes the flock, or throws naming the holder. The holder writes its name just after taking the
    /// lock and deletes it just before releasing it: when no name is there, the lock is changing hands,
    /// so wait a moment for it rather than report an unknown holder.
    /// </summary>
    /// <summary>The lock, or a refusal naming its holder; never a refusal that cannot say who, while one may yet name itself.</summary>
    private static Flock TakeOrName(string name, string lockFile, string holderFile)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (Flock.TryTake(lockFile, FlockMode.Exclusive) is { } free)
            {
                return free;
            }

            var holder = ReadHolder(holderFile);
            if (holder is not null || waited.Elapsed >= ChangingHands)
            {
                throw new LockBusyException(name, holder);
            }

            try
            {
                return Flock.Take(lockFile, FlockMode.Exclusive, ChangingHandsSlice);
            }
            catch (FlockTimeoutException)
            {
                // Still held and maybe still unnamed: look at the holder file again.
            }
        }
    }

    private static LockHolder? ReadHolder(string holderFile)
    {
        try
        {
            return Json.Deserialize<LockHolder>(File.ReadAllText(holderFile));
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
