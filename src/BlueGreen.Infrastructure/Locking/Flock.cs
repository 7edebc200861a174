using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace BlueGreen.Infrastructure.Locking;

public enum FlockMode
{
    /// <summary>Many holders at once; excludes an exclusive one.</summary>
    Shared,

    /// <summary>One holder; excludes every other.</summary>
    Exclusive,
}

/// <summary>A lock still held by another process when its wait ran out (an IOException, like any other failure to lock).</summary>
public sealed class FlockTimeoutException(string path, TimeSpan waited)
    : IOException($"{path}: still locked by another process after {waited.TotalSeconds:0.###} s")
{
    public string LockPath { get; } = path;
}

/// <summary>
/// The kernel's flock(2) on a file: the one lock primitive of this host (the journal's append lock, the index's
/// lock, the named locks of <see cref="FileLock"/>). The lock belongs to the open file description, so two opens
/// exclude each other even in one process, and the kernel drops it when the last descriptor closes: a holder
/// killed with -9 releases it at once. Disposing releases it (by closing the descriptor).
/// <para>
/// The file is opened with open(2), not FileStream: .NET takes an flock of its own on every FileStream it opens
/// (exclusive for FileShare.None, shared otherwise, both non-blocking), which would turn a waiter's open into a
/// sharing violation and keep two waiters' shared locks from ever upgrading. O_CLOEXEC: a command this process
/// starts (DEPLOY_CMD) must not inherit the lock and keep it after this process died.
/// </para>
/// </summary>
public sealed partial class Flock : IDisposable
{
    // Linux values (x64 and arm64 alike): the product runs on Linux only.
    private const int ORdwr = 0x2;
    private const int OCreat = 0x40;
    private const int OCloexec = 0x80000;
    private const int LockSh = 1;
    private const int LockEx = 2;
    private const int LockNb = 4;
    private const int EIntr = 4;
    private const int EWouldBlock = 11;
    private const int ENoent = 2;
    private const int EPerm = 1;
    private const int EAcces = 13;

    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(8);

    private readonly SafeFileHandle _fd;

    private Flock(string path, SafeFileHandle fd)
    {
        Path = path;
        _fd = fd;
    }

    public string Path { get; }

    /// <summary>Takes the lock if it is free now; null when another open file holds it.</summary>
    /// <param name="create">Creates the lock file when missing; without, a missing file throws FileNotFoundException (a probe that must write nothing).</param>
    public static Flock? TryTake(string path, FlockMode mode, bool create = true)
    {
        var fd = Open(path, create);
        try
        {
            if (TryLock(fd, mode, path))
            {
                return new Flock(path, fd);
            }

            fd.Dispose();
            return null;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes the lock, waiting up to <paramref name="timeout"/> for its holder to let go; throws
    /// <see cref="FlockTimeoutException"/> when it did not (nothing is kept open then).
    /// </summary>
    /// <remarks>
    /// The wait polls flock(LOCK_NB) with short pauses (1 ms doubling to 8 ms) rather than blocking in flock(2):
    /// a blocked flock cannot be interrupted from .NET (closing the descriptor does not wake it), so a waiter
    /// that timed out would leave a thread behind that takes the lock later, in a long-lived process (the
    /// cockpit) one per timeout. The deadline is real monotonic time, not an injected clock: a test clock that
    /// stands still must not turn a held lock into an endless wait.
    /// </remarks>
    public static Flock Take(string path, FlockMode mode, TimeSpan timeout)
    {
        var fd = Open(path, create: true);
        try
        {
            var waited = Stopwatch.StartNew();
            var pause = TimeSpan.FromMilliseconds(1);
            while (!TryLock(fd, mode, path))
            {
                var left = timeout - waited.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    throw new FlockTimeoutException(path, timeout);
                }

                Thread.Sleep(pause < left ? pause : left);
                pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
            }

            return new Flock(path, fd);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Releases the lock: the descriptor is closed, and the kernel drops its flock with it.</summary>
    public void Dispose() => _fd.Dispose();

    private static SafeFileHandle Open(string path, bool create)
    {
        int fd;
        do
        {
            fd = OpenFile(path, ORdwr | OCloexec | (create ? OCreat : 0), 0b110_110_110); // 0666, less the umask: as FileStream creates
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == EIntr);

        if (fd < 0)
        {
            throw Failure(path, Marshal.GetLastPInvokeError());
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>True when taken; false when another open file holds it.</summary>
    private static bool TryLock(SafeFileHandle fd, FlockMode mode, string path)
    {
        var operation = (mode == FlockMode.Exclusive ? LockEx : LockSh) | LockNb;
        while (true)
        {
            if (FlockCall(fd, operation) == 0)
            {
                return true;
            }

            switch (Marshal.GetLastPInvokeError())
            {
                case EWouldBlock:
                    return false;
                case EIntr:
                    continue;
                case var errno:
                    throw Failure(path, errno);
            }
        }
    }

    /// <summary>The exception FileStream would throw for the same errno, so callers' catch clauses keep working.</summary>
    private static Exception Failure(string path, int errno) => errno switch
    {
        ENoent when !Directory.Exists(System.IO.Path.GetDirectoryName(path)) => new DirectoryNotFoundException($"{path}: no such directory"),
        ENoent => new FileNotFoundException($"{path}: no such file", path),
        EAcces or EPerm => new UnauthorizedAccessException($"{path}: {Marshal.GetPInvokeErrorMessage(errno)}"),
        _ => new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(errno)}"),
    };

    // open(2) is variadic in C; its mode goes as a plain int, which is where x64 and arm64 Linux pass it either way.
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenFile(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int FlockCall(SafeFileHandle fd, int operation);
}
