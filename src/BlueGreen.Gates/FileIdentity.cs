using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace BlueGreen.Gates;

/// <summary>Inode of an open file, via Linux statx (its struct layout is the same on every architecture).</summary>
internal static class FileIdentity
{
    private const int AtEmptyPath = 0x1000;
    private const uint StatxIno = 0x100;
    private const uint StatxSize = 0x200;
    private const int StructSize = 256;
    private const int InoOffset = 32;

    /// <summary>The inode of the open file, or null where statx is not available (the size check still applies).</summary>
    public static ulong? InodeOf(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var buffer = new byte[StructSize];
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Statx(handle.DangerousGetHandle().ToInt32(), "", AtEmptyPath, StatxIno | StatxSize, buffer) != 0)
            {
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        // The kernel fills the struct in native byte order.
        return MemoryMarshal.Read<ulong>(buffer.AsSpan(InoOffset));
    }

    /// <summary>The inode of the file at a path, or null when it does not exist or cannot be read.</summary>
    public static ulong? InodeOf(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return InodeOf(handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
