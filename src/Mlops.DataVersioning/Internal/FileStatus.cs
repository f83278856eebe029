using System.Runtime.InteropServices;

namespace Mlops.DataVersioning.Internal;

/// <summary>What the state cache keys a file by: inode, modification time (ns since the epoch) and size; and whether it is a regular file (not a pipe or device).</summary>
internal readonly record struct FileStatus(long Inode, long MtimeNs, long Size, int LinkCount, bool IsRegular = true)
{
    private static bool s_statxMissing;

    /// <summary>Reads the status of a file (not following a symbolic link's target when <paramref name="followLinks"/> is false); null when it does not exist.</summary>
    public static FileStatus? Get(string path, bool followLinks = true) => Stat(path, followLinks, folder: false);

    /// <summary>Reads the status of a folder (its modification time changes when an entry is added or removed); null when there is no folder there.</summary>
    public static FileStatus? GetFolder(string path) => Stat(path, followLinks: true, folder: true);

    private static FileStatus? Stat(string path, bool followLinks, bool folder)
    {
        const int AtFdCwd = -100;
        const int AtSymlinkNoFollow = 0x100;
        if (OperatingSystem.IsLinux() && !s_statxMissing)
        {
            var status = Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, folder);
            if (!s_statxMissing)
            {
                return status;
            }
        }

        FileSystemInfo info = folder ? new DirectoryInfo(path) : new FileInfo(path);
        if (!info.Exists)
        {
            return null;
        }

        var mtime = (info.LastWriteTimeUtc - DateTime.UnixEpoch).Ticks * 100;
        return new FileStatus(0, mtime, info is FileInfo file ? file.Length : 0, 1);
    }

    // Null when there is nothing (of the kind asked for) there, or when statx is missing (s_statxMissing is then set).
    private static unsafe FileStatus? Statx(int dirfd, string path, int flags, bool folder)
    {
        try
        {
            var buffer = stackalloc byte[256];
            const uint StatxBasicStats = 0x7ff;
            if (Native.Statx(dirfd, path, flags, StatxBasicStats, buffer) != 0)
            {
                return null;
            }

            var mode = *(ushort*)(buffer + 28);
            if (((mode & 0xF000) == 0x4000) != folder)
            {
                return null;
            }

            var links = *(uint*)(buffer + 16);
            var inode = *(long*)(buffer + 32);
            var size = *(long*)(buffer + 40);
            var seconds = *(long*)(buffer + 112);
            var nanoseconds = *(uint*)(buffer + 120);
            return new FileStatus(inode, (seconds * 1_000_000_000) + nanoseconds, size, (int)links, (mode & 0xF000) == 0x8000);
        }
        catch (EntryPointNotFoundException)
        {
            s_statxMissing = true;
            return null;
        }
    }
}

/// <summary>The few system calls .NET does not expose: reflink (FICLONE), hard links and statx.</summary>
internal static unsafe partial class Native
{
    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Link(string existing, string newPath);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int Ioctl(int fd, nuint request, int sourceFd);
}
