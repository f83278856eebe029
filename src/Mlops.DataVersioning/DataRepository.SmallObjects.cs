using Mlops.Core.Hashing;
using Mlops.Core.Storage;
using Mlops.DataVersioning.Internal;

namespace Mlops.DataVersioning;

/// <summary>
/// The path for small files (most of a dataset of many files): read whole in one call, hashed in memory and written
/// once, in its own folder (a temporary name elsewhere would serialize threads on the kernel's cross-folder rename
/// lock). A file whose object is cached already is never written.
/// </summary>
public sealed partial class DataRepository
{
    /// <summary>
    /// Adds a small workspace file to the cache by copy, and says the md5 and size of the bytes read; null when it is
    /// larger than <see cref="RawFile.SmallFileSize"/> (it may have grown since <paramref name="status"/> was read), so
    /// that the caller streams it instead.
    /// </summary>
    private (string Md5, long Size)? TryIngestSmallFile(string full, FileStatus status, CacheFolders? foldersAtStart)
    {
        using var file = RawFile.ReadWhole(full, status.Size);
        if (!file.Fits)
        {
            return null;
        }

        var md5 = FileHasher.HashBytes(file.Bytes);
        WriteCacheObject(md5, file.Bytes, lookFirst: foldersAtStart?.MayHave(md5) ?? true);
        return (md5, file.Bytes.Length);
    }

    /// <summary>
    /// Fetches a small object from a local-folder remote without a stream: read, checked against its md5, written.
    /// False when it is not there, larger than <see cref="RawFile.SmallFileSize"/> or unreadable: the stream path then reports why.
    /// </summary>
    /// <exception cref="ContentHashMismatchException">Its bytes do not have its md5; nothing was written.</exception>
    private bool TryDownloadSmallObject(FileSystemBlobStore remote, string oid)
    {
        var key = ContentAddressedStore.GetKey(oid);
        var path = remote.GetPath(key);
        WholeFile file;
        try
        {
            // Read without a stat first: most objects are small, and a larger one is told by not fitting.
            file = RawFile.ReadWhole(path, RawFile.SmallFileSize);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        using (file)
        {
            if (!file.Fits)
            {
                return false;
            }

            var md5 = FileHasher.HashBytes(file.Bytes);
            var expected = oid.EndsWith(DirectoryManifest.DirSuffix, StringComparison.Ordinal) ? oid[..^DirectoryManifest.DirSuffix.Length] : oid;
            if (md5 != expected)
            {
                throw new ContentHashMismatchException(remote.Name, key, expected, md5);
            }

            try
            {
                WriteCacheObject(oid, file.Bytes, lookFirst: false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new DataVersioningException($"Cannot write the object {oid} into the cache '{CacheDirectory}': {ex.Message}", ex);
            }

            return true;
        }
    }

    /// <summary>
    /// Stores bytes as the cache object <paramref name="oid"/>, read-only, never visible half-written (see
    /// <see cref="RawFile.WriteAtomically"/>). An object already there is kept (it has these bytes: its name is their md5);
    /// when <paramref name="lookFirst"/>, it is looked for before anything is written.
    /// </summary>
    private void WriteCacheObject(string oid, ReadOnlySpan<byte> bytes, bool lookFirst)
    {
        var final = CachePath(oid);
        if (lookFirst && File.Exists(final))
        {
            return;
        }

        // Its two-hex-digit folder is created on first use, as DVC does.
        const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        RawFile.WriteAtomically(final, bytes, ReadOnly, _options.FlushToDisk, keepExisting: true, createFolder: true);
    }
}
