using System.Buffers;
using System.Runtime.InteropServices;

namespace Mlops.DataVersioning.Internal;

/// <summary>
/// Whole-file reads, creates and renames for the small-file paths (add, fetch, checkout of datasets of many files).
/// On Unix they go straight to open/pread/pwrite/rename: .NET's file APIs add an advisory lock and unlock (flock), a
/// seek, a stat or two and a file-system query per file, which is a third of the system calls of a 10,000-file pull.
/// Elsewhere they use those APIs. Errors are the exceptions .NET would throw.
/// </summary>
internal static unsafe partial class RawFile
{
    private const int ReadOnly = 0;
    private const int WriteOnly = 1;
    private const int Create = 0x40;
    private const int Exclusive = 0x80;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;
    private const int AtCurrentFolder = -100;
    private const int AtSymlinkFollow = 0x400;

    // errno values (the same on every Linux architecture .NET runs on).
    private const int NotPermitted = 1;
    private const int NoEntry = 2;
    private const int Interrupted = 4;
    private const int AlreadyExists = 17;
    private const int CrossDevice = 18;
    private const int IsADirectory = 21;
    private const int IllegalSeek = 29;
    private const int InvalidArgument = 22;
    private const int NotSupported = 95;

    private static readonly bool s_posix = OperatingSystem.IsLinux();

    // O_TMPFILE where the architecture's flag is known and /proc can name an open file; 0 once it proved unusable.
    private static volatile int s_tmpFile = !s_posix || !Directory.Exists("/proc/self/fd") ? 0 : RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 0x410000, // __O_TMPFILE | O_DIRECTORY
        Architecture.Arm64 => 0x404000,
        _ => 0,
    };

    /// <summary>Whether <see cref="WriteAtomically"/> writes unnamed files (Linux, until a file system refuses them).</summary>
    internal static bool WritesUnnamedFiles => s_tmpFile != 0;

    /// <summary>Files up to this size are read whole into one buffer (most of a dataset of many files).</summary>
    public const int SmallFileSize = 1 << 20;

    /// <summary>
    /// Reads a whole regular file of about (or at most) <paramref name="expectedSize"/> bytes into a pooled buffer. The
    /// result says whether it fit (a larger file does not, nor a pipe); dispose it to return the buffer.
    /// </summary>
    public static WholeFile ReadWhole(string path, long expectedSize)
    {
        // One byte more than expected, so that a file that grew is told from one that fills the buffer exactly.
        var buffer = ArrayPool<byte>.Shared.Rent((int)expectedSize + 1);
        try
        {
            return new WholeFile(buffer, ReadInto(path, buffer));
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    // The file's length, or -1 when it does not fit the buffer (or is a pipe, which cannot be read whole at an offset).
    private static int ReadInto(string path, byte[] buffer)
    {
        if (!s_posix)
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var length = 0;
            int read;
            while ((read = RandomAccess.Read(handle, buffer.AsSpan(length), length)) > 0)
            {
                length += read;
                if (length == buffer.Length)
                {
                    return -1;
                }
            }

            return length;
        }

        // Non-blocking, so that a pipe is told (it cannot be read at an offset) instead of waited on; files ignore the flag.
        var fd = Open(path, ReadOnly | NonBlocking | CloseOnExec, 0, creating: false);
        try
        {
            // On Linux a regular file reads short only at its end: no second read to find it.
            var count = Pread(fd, buffer, 0);
            if (count < 0)
            {
                return Marshal.GetLastPInvokeError() == IllegalSeek ? -1 : throw Error(path);
            }

            return count == buffer.Length ? -1 : count;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> as the file <paramref name="path"/> with <paramref name="mode"/> (less the umask),
    /// so that the name only ever shows the whole content. On Linux the bytes go into an unnamed file in the folder
    /// (O_TMPFILE) that is given its name when complete (linkat): a crash leaves nothing behind, and the folder gets one
    /// new entry instead of a temporary one plus a rename. Elsewhere, a temporary file beside it is renamed over it.
    /// When <paramref name="path"/> exists it is replaced, unless <paramref name="keepExisting"/> (content-addressed
    /// objects: what is there has the same bytes).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist, and <paramref name="createFolder"/> is false.</exception>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> bytes, UnixFileMode mode, bool flushToDisk, bool keepExisting, bool createFolder = false)
    {
        try
        {
            WriteOnce(path, bytes, mode, flushToDisk, keepExisting);
        }
        catch (DirectoryNotFoundException) when (createFolder)
        {
            // Created when first found missing: most writes go to folders that exist.
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            WriteOnce(path, bytes, mode, flushToDisk, keepExisting);
        }
    }

    private static void WriteOnce(string path, ReadOnlySpan<byte> bytes, UnixFileMode mode, bool flushToDisk, bool keepExisting)
    {
        if (s_tmpFile == 0 || !TryWriteUnnamed(path, bytes, mode, flushToDisk, keepExisting))
        {
            WriteViaTemporaryName(path, bytes, mode, flushToDisk);
        }
    }

    /// <summary>The portable way of <see cref="WriteAtomically"/>: a temporary file beside the final name, renamed over it.</summary>
    internal static void WriteViaTemporaryName(string path, ReadOnlySpan<byte> bytes, UnixFileMode mode, bool flushToDisk)
    {
        var temp = TemporaryNameFor(path);
        try
        {
            WriteNew(temp, bytes, mode, flushToDisk);
            if (OperatingSystem.IsWindows() && (mode & UnixFileMode.UserWrite) == 0)
            {
                File.SetAttributes(temp, FileAttributes.ReadOnly);
            }

            Replace(temp, path);
        }
        catch
        {
            FileLinker.TryDelete(temp);
            throw;
        }
    }

    /// <summary>A temporary name beside <paramref name="path"/>, recognized by <see cref="DataRepository.IsOurTemporaryFile"/>.</summary>
    public static string TemporaryNameFor(string path) =>
        Path.Join(Path.GetDirectoryName(path), $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");

    // False when this file system cannot make unnamed files or link them (nothing is left behind): the caller falls back.
    private static bool TryWriteUnnamed(string path, ReadOnlySpan<byte> bytes, UnixFileMode mode, bool flushToDisk, bool keepExisting)
    {
        var folder = Path.GetDirectoryName(path)!;
        int fd;
        while ((fd = OpenNative(folder, s_tmpFile | WriteOnly | CloseOnExec, (int)mode)) < 0)
        {
            switch (Marshal.GetLastPInvokeError())
            {
                case Interrupted:
                    continue;
                case NotSupported or IsADirectory or InvalidArgument:
                    s_tmpFile = 0;
                    return false;
                default:
                    throw Error(folder, creating: true);
            }
        }

        try
        {
            WriteAll(fd, bytes, path, flushToDisk);
            var self = $"/proc/self/fd/{fd}";
            if (LinkAt(AtCurrentFolder, self, AtCurrentFolder, path, AtSymlinkFollow) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == AlreadyExists)
            {
                if (keepExisting)
                {
                    return true;
                }

                // linkat never replaces: name it beside the old file, then rename over it.
                var temp = TemporaryNameFor(path);
                if (LinkAt(AtCurrentFolder, self, AtCurrentFolder, temp, AtSymlinkFollow) != 0)
                {
                    throw Error(temp);
                }

                try
                {
                    Replace(temp, path);
                }
                catch
                {
                    FileLinker.TryDelete(temp);
                    throw;
                }

                return true;
            }

            if (errno == NoEntry && !Directory.Exists(folder))
            {
                throw new DirectoryNotFoundException($"The folder of '{path}' was removed while the file was being written.");
            }

            if (errno is NotPermitted or NotSupported or CrossDevice or NoEntry)
            {
                // No hard links here, or no /proc to name the file by: don't try again.
                s_tmpFile = 0;
                return false;
            }

            throw Error(path);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    // Creates path (which must not exist) with mode (less the umask) and writes bytes.
    private static void WriteNew(string path, ReadOnlySpan<byte> bytes, UnixFileMode mode, bool flushToDisk)
    {
        if (!s_posix)
        {
            using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 });
            stream.Write(bytes);
            if (flushToDisk)
            {
                stream.Flush(flushToDisk: true);
            }

            return;
        }

        var fd = Open(path, WriteOnly | Create | Exclusive | CloseOnExec, (int)mode, creating: true);
        try
        {
            WriteAll(fd, bytes, path, flushToDisk);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static void WriteAll(int fd, ReadOnlySpan<byte> bytes, string path, bool flushToDisk)
    {
        long written = 0;
        while (written < bytes.Length)
        {
            written += Check(Pwrite(fd, bytes[(int)written..], written), path);
        }

        if (flushToDisk && Fsync(fd) != 0)
        {
            throw Error(path);
        }
    }

    /// <summary>Renames <paramref name="source"/> to <paramref name="destination"/>, replacing it atomically when it exists.</summary>
    public static void Replace(string source, string destination)
    {
        if (!s_posix)
        {
            File.Move(source, destination, overwrite: true);
            return;
        }

        if (Rename(source, destination) != 0)
        {
            throw Error(source);
        }
    }

    private static int Open(string path, int flags, int mode, bool creating)
    {
        while (true)
        {
            var fd = OpenNative(path, flags, mode);
            if (fd >= 0)
            {
                return fd;
            }

            if (Marshal.GetLastPInvokeError() != Interrupted)
            {
                throw Error(path, creating);
            }
        }
    }

    private static int Pread(int fd, Span<byte> span, long offset)
    {
        fixed (byte* pointer = span)
        {
            return (int)PreadNative(fd, pointer, (nuint)span.Length, offset);
        }
    }

    private static int Pwrite(int fd, ReadOnlySpan<byte> span, long offset)
    {
        fixed (byte* pointer = span)
        {
            return (int)PwriteNative(fd, pointer, (nuint)span.Length, offset);
        }
    }

    private static int Check(int result, string path) => result >= 0 ? result : throw Error(path);

    // The exceptions .NET's own file APIs throw for these errno values; a create's ENOENT is a missing folder.
    private static Exception Error(string path, bool creating = false)
    {
        var errno = Marshal.GetLastPInvokeError();
        var message = $"{Marshal.GetPInvokeErrorMessage(errno)} : '{path}'";
        return errno switch
        {
            NoEntry when creating => new DirectoryNotFoundException(message),
            NoEntry => new FileNotFoundException(message, path),
            13 or NotPermitted => new UnauthorizedAccessException(message),
            _ => new IOException(message, errno),
        };
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenNative(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static partial nint PreadNative(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    private static partial nint PwriteNative(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "linkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LinkAt(int fromFolder, string from, int toFolder, string to, int flags);

    [LibraryImport("libc", EntryPoint = "rename", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Rename(string source, string destination);
}

/// <summary>A whole file's bytes in a pooled buffer, from <see cref="RawFile.ReadWhole"/>; disposing returns the buffer.</summary>
internal readonly struct WholeFile : IDisposable
{
    private readonly byte[] _buffer;
    private readonly int _length;

    public WholeFile(byte[] buffer, int length) => (_buffer, _length) = (buffer, length);

    /// <summary>Whether the whole file fit in the buffer; when false, <see cref="Bytes"/> is not the file.</summary>
    public bool Fits => _length >= 0;

    public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, Math.Max(_length, 0));

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}
