using System.Collections.Concurrent;
using System.Text;

namespace Mlops.DataVersioning.Internal;

/// <summary>
/// Remembers the md5 of workspace files by path, inode, modification time and size, in
/// <c>.dvc/tmp/mlops-state.bin</c>, so that an unchanged file is never hashed twice. The file is
/// rewritten atomically: a crash leaves the old state or the new.
/// </summary>
/// <remarks>
/// A file whose modification time is too close to the moment it was hashed could have changed again
/// within the file system's timestamp granularity; such an entry is not trusted (Git's "racy" rule).
/// </remarks>
internal sealed class StateCache
{
    private const string Magic = "MLOPSST1";

    private const int MaxCompleteDirectories = 64;

    private readonly string _path;
    private readonly Dictionary<string, FolderStamp[]> _completeDirectories = new(StringComparer.Ordinal);
    private readonly object _loadLock = new();
    private ConcurrentDictionary<string, Entry>? _entries;
    private int _dirty;

    public StateCache(string path) => _path = path;

    public string? Lookup(string relativePath, FileStatus status)
    {
        var entries = Load();
        if (!entries.TryGetValue(relativePath, out var entry))
        {
            return null;
        }

        if (entry.Inode != status.Inode || entry.MtimeNs != status.MtimeNs || entry.Size != status.Size)
        {
            return null;
        }

        return IsRacy(entry.MtimeNs, entry.HashedAtNs) ? null : entry.Md5;
    }

    public void Record(string relativePath, FileStatus status, string md5, long hashedAtNs)
    {
        Load()[relativePath] = new Entry(status.Inode, status.MtimeNs, status.Size, md5, hashedAtNs);
        Interlocked.Exchange(ref _dirty, 1);
    }

    /// <summary>
    /// The cache folders holding the objects of the directory <paramref name="oid"/> as they were when every object was
    /// last known to be there; null when not known. A folder whose stamp still holds has lost no object since.
    /// </summary>
    public FolderStamp[]? CompleteFolders(string oid)
    {
        Load();
        lock (_completeDirectories)
        {
            return _completeDirectories.TryGetValue(oid, out var stamps) ? stamps : null;
        }
    }

    /// <summary>Remembers that every object of the directory <paramref name="oid"/> was in these folders (stamped before it was known).</summary>
    public void RecordComplete(string oid, FolderStamp[] stamps)
    {
        Load();
        lock (_completeDirectories)
        {
            _completeDirectories[oid] = stamps;
            if (_completeDirectories.Count > MaxCompleteDirectories)
            {
                // The directory seen longest ago goes.
                _completeDirectories.Remove(_completeDirectories.MinBy(d => d.Value.Length == 0 ? 0 : d.Value[0].StampedAtNs).Key);
            }
        }

        Interlocked.Exchange(ref _dirty, 1);
    }

    public void Save()
    {
        if (Interlocked.Exchange(ref _dirty, 0) == 0 || _entries is null)
        {
            return;
        }

        using var buffer = new MemoryStream(_entries.Count * 96);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Encoding.ASCII.GetBytes(Magic));

            // Enumerated without a snapshot (ToArray takes every lock): the count is written when known.
            var countAt = buffer.Position;
            writer.Write(0);
            var count = 0;
            foreach (var (path, entry) in _entries)
            {
                count++;
                writer.Write(path);
                writer.Write(entry.Inode);
                writer.Write(entry.MtimeNs);
                writer.Write(entry.Size);
                writer.Write(entry.HashedAtNs);
                writer.Write(entry.Md5);
            }

            writer.Flush();
            var end = buffer.Position;
            buffer.Position = countAt;
            writer.Write(count);
            writer.Flush();
            buffer.Position = end;

            // After the entries, where a reader that knows only them stops.
            lock (_completeDirectories)
            {
                writer.Write(_completeDirectories.Count);
                foreach (var (oid, stamps) in _completeDirectories)
                {
                    writer.Write(oid);
                    writer.Write(stamps.Length);
                    foreach (var stamp in stamps)
                    {
                        writer.Write(stamp.Folder);
                        writer.Write(stamp.Inode);
                        writer.Write(stamp.MtimeNs);
                        writer.Write(stamp.StampedAtNs);
                    }
                }
            }
        }

        // Not flushed to the disk: every entry is a fact about one version of a file, so a state torn by a power loss
        // is either dropped whole (see Read) or still true.
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        const UnixFileMode ReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        try
        {
            RawFile.WriteAtomically(_path, bytes, ReadWrite, flushToDisk: false, keepExisting: false, createFolder: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The state is only a cache: losing it costs time, never correctness.
        }
    }

    public static long NowNs() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    /// <summary>
    /// Whether something seen at <paramref name="seenAtNs"/> with modification time <paramref name="mtimeNs"/> could
    /// change again without its modification time changing. File systems with whole-second timestamps get a two-second
    /// window; others a coarse-clock tick or so.
    /// </summary>
    public static bool IsRacy(long mtimeNs, long seenAtNs)
    {
        var window = mtimeNs % 1_000_000_000 == 0 ? 2_000_000_000L : 20_000_000L;
        return seenAtNs - mtimeNs < window;
    }

    private ConcurrentDictionary<string, Entry> Load()
    {
        if (_entries is { } loaded)
        {
            return loaded;
        }

        lock (_loadLock)
        {
            return _entries ??= Read();
        }
    }

    private ConcurrentDictionary<string, Entry> Read()
    {
        var entries = new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal);
        if (!File.Exists(_path))
        {
            return entries;
        }

        try
        {
            using var reader = new BinaryReader(File.OpenRead(_path), Encoding.UTF8);
            if (Encoding.ASCII.GetString(reader.ReadBytes(Magic.Length)) != Magic)
            {
                return entries;
            }

            var count = reader.ReadInt32();
            entries = new ConcurrentDictionary<string, Entry>(Environment.ProcessorCount, Math.Clamp(count, 31, 1 << 20), StringComparer.Ordinal); // clamped: the count may be damaged
            for (var i = 0; i < count; i++)
            {
                var path = reader.ReadString();
                entries[path] = new Entry(reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), HashedAtNs: reader.ReadInt64(), Md5: reader.ReadString());
            }

            ReadCompleteDirectories(reader);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or EndOfStreamException or FormatException)
        {
            // A damaged state file is dropped: everything is hashed again.
            entries.Clear();
            _completeDirectories.Clear();
        }

        return entries;
    }

    // Absent from a state written before they were kept: then nothing is known complete.
    private void ReadCompleteDirectories(BinaryReader reader)
    {
        if (reader.BaseStream.Position == reader.BaseStream.Length)
        {
            return;
        }

        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var oid = reader.ReadString();
            var length = reader.ReadInt32();
            if (count > MaxCompleteDirectories || length is < 0 or > 256)
            {
                throw new FormatException("The state's stamps are damaged.");
            }

            var stamps = new FolderStamp[length];
            for (var j = 0; j < stamps.Length; j++)
            {
                stamps[j] = new FolderStamp(reader.ReadString(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
            }

            _completeDirectories[oid] = stamps;
        }
    }

    // A class: ConcurrentDictionary over reference types runs the framework's precompiled code, where a struct value
    // would be JIT-compiled in every fresh process (mlops status is one).
    private sealed record Entry(long Inode, long MtimeNs, long Size, string Md5, long HashedAtNs);
}

/// <summary>
/// A cache folder (its two-hex-digit name) as it was at <see cref="StampedAtNs"/>. Removing an object changes its
/// folder's modification time, so a stamp that still holds, and was not taken within a timestamp tick of the last
/// change, proves that no object has left the folder since.
/// </summary>
internal sealed record FolderStamp(string Folder, long Inode, long MtimeNs, long StampedAtNs)
{
    /// <summary>Whether the folder at <paramref name="now"/> is as stamped, and the stamp can be trusted.</summary>
    public bool Holds(FileStatus? now) =>
        now is { } status && status.Inode == Inode && status.MtimeNs == MtimeNs && !StateCache.IsRacy(MtimeNs, StampedAtNs);
}
