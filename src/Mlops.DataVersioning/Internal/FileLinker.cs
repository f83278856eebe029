using System.Runtime.InteropServices;

namespace Mlops.DataVersioning.Internal;

/// <summary>The ways a workspace file can share the bytes of a cache object.</summary>
internal enum LinkType
{
    Reflink,
    Hardlink,
    Symlink,
    Copy,
}

/// <summary>Creates files from other files by reflink, hard link, symbolic link or copy.</summary>
internal sealed class FileLinker
{
    // FICLONE = _IOW(0x94, 9, int).
    private const uint Ficlone = 0x40049409;

    // rw-r--r--, less the umask: what DVC gives a copied workspace file.
    private const UnixFileMode WorkspaceFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private volatile bool _reflinkUnsupported = !OperatingSystem.IsLinux();
    private volatile bool _hardlinkUnsupported = !(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS());

    public FileLinker(IReadOnlyList<string> types)
    {
        var parsed = new List<LinkType>();
        foreach (var type in types)
        {
            parsed.Add(type.Trim().ToLowerInvariant() switch
            {
                "reflink" => LinkType.Reflink,
                "hardlink" => LinkType.Hardlink,
                "symlink" => LinkType.Symlink,
                "copy" => LinkType.Copy,
                _ => throw new DataVersioningException($"The cache link type '{type}' in 'cache.type' is not known. Use a comma list of reflink, hardlink, symlink and copy."),
            });
        }

        Types = parsed.Count == 0 ? [LinkType.Reflink, LinkType.Copy] : parsed;
    }

    public IReadOnlyList<LinkType> Types { get; }

    /// <summary>Whether the first link type that can work here is a plain copy (first in line, or after a reflink this file system refused).</summary>
    public bool CopiesFirst
    {
        get
        {
            foreach (var type in Types)
            {
                if (type == LinkType.Reflink && _reflinkUnsupported)
                {
                    continue;
                }

                return type == LinkType.Copy;
            }

            return true;
        }
    }

    /// <summary>Whether workspace files become links that must stay read-only (hardlink or symlink first in line).</summary>
    public bool LinksWorkspace => Types[0] is LinkType.Hardlink or LinkType.Symlink;

    /// <summary>Tries a copy-on-write clone of <paramref name="source"/> at the new path <paramref name="destination"/>.</summary>
    public bool TryReflink(string source, string destination)
    {
        if (_reflinkUnsupported)
        {
            return false;
        }

        try
        {
            using var from = File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using (var to = File.OpenHandle(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                if (Native.Ioctl((int)to.DangerousGetHandle(), Ficlone, (int)from.DangerousGetHandle()) == 0)
                {
                    return true;
                }
            }

            // EOPNOTSUPP, EXDEV, EINVAL…: this file system cannot clone; don't ask again.
            _reflinkUnsupported = true;
            File.Delete(destination);
            return false;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            _reflinkUnsupported = true;
            TryDelete(destination);
            return false;
        }
    }

    /// <summary>Tries a hard link of <paramref name="source"/> at the new path <paramref name="destination"/>.</summary>
    public bool TryHardlink(string source, string destination)
    {
        if (_hardlinkUnsupported)
        {
            return false;
        }

        try
        {
            if (Native.Link(source, destination) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();

            // EXDEV (18) or EPERM (1): another file system, or one without hard links.
            if (errno is 18 or 1 or 95)
            {
                _hardlinkUnsupported = true;
            }

            return false;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            _hardlinkUnsupported = true;
            return false;
        }
    }

    /// <summary>
    /// Makes <paramref name="destination"/> a file with the bytes of the cache object <paramref name="cacheObject"/>,
    /// using the first link type that works. The file appears whole or not at all (temporary name, then rename).
    /// </summary>
    public LinkType Link(string cacheObject, string destination)
    {
        var directory = Path.GetDirectoryName(destination)!;
        if (CopiesFirst && TryCopySmall(cacheObject, destination))
        {
            return LinkType.Copy;
        }

        if (!CopiesFirst)
        {
            Directory.CreateDirectory(directory);
        }

        var temp = RawFile.TemporaryNameFor(destination);
        try
        {
            foreach (var type in Types)
            {
                if (TryCreateInFolder(type, cacheObject, temp, directory))
                {
                    if (type is LinkType.Reflink && !OperatingSystem.IsWindows())
                    {
                        File.SetUnixFileMode(temp, WorkspaceFileMode);
                    }

                    MakeReplaceable(destination);
                    RawFile.Replace(temp, destination);
                    return type;
                }
            }

            // Copy always works where the others don't.
            TryCreateInFolder(LinkType.Copy, cacheObject, temp, directory);
            MakeReplaceable(destination);
            RawFile.Replace(temp, destination);
            return LinkType.Copy;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    // A copy's folder is created when the copy finds it missing: most checkouts refill folders that exist.
    private bool TryCreateInFolder(LinkType type, string cacheObject, string temp, string directory)
    {
        try
        {
            return TryCreate(type, cacheObject, temp);
        }
        catch (DirectoryNotFoundException)
        {
            Directory.CreateDirectory(directory);
            return TryCreate(type, cacheObject, temp);
        }
    }

    private bool TryCreate(LinkType type, string cacheObject, string temp)
    {
        switch (type)
        {
            case LinkType.Reflink:
                return TryReflink(cacheObject, temp);
            case LinkType.Hardlink:
                return TryHardlink(cacheObject, temp);
            case LinkType.Symlink:
                File.CreateSymbolicLink(temp, cacheObject);
                return true;
            default:
                Copy(cacheObject, temp);
                return true;
        }
    }

    /// <summary>
    /// Copies a cache object to a new, writable workspace file. A small one is read and written in one call each into a
    /// file created with its final mode; a large one is left to <see cref="File.Copy(string, string)"/>, whose kernel copy
    /// is faster there (the cache object's read-only mode is then changed).
    /// </summary>
    private static void Copy(string cacheObject, string destination)
    {
        File.Copy(cacheObject, destination);
        if (OperatingSystem.IsWindows())
        {
            File.SetAttributes(destination, FileAttributes.Normal);
        }
        else
        {
            File.SetUnixFileMode(destination, WorkspaceFileMode);
        }
    }

    // Most of a dataset of many files: one read of the object and one atomic write, without .NET's per-file overhead.
    private static bool TryCopySmall(string cacheObject, string destination)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        // Read without a stat first: most objects are small, and a larger one is told by not fitting.
        using var file = RawFile.ReadWhole(cacheObject, RawFile.SmallFileSize);
        if (!file.Fits)
        {
            return false;
        }

        RawFile.WriteAtomically(destination, file.Bytes, WorkspaceFileMode, flushToDisk: false, keepExisting: false, createFolder: true);
        return true;
    }

    private static void MakeReplaceable(string path)
    {
        // Windows refuses to replace a read-only file; POSIX only looks at the folder's permissions.
        if (OperatingSystem.IsWindows() && File.Exists(path))
        {
            File.SetAttributes(path, FileAttributes.Normal);
        }
    }

    internal static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
            {
                File.Delete(path);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
