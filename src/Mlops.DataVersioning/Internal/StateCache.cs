using System.Collections.Concurrent;
using System.Text;
using Mlops.DataVersioning.Formats;

namespace Mlops.DataVersioning.Internal;

/// <summary>
/// Remembers the md5 of workspace files by path, inode, modification time and size, in
/// <c>.dvc/tmp/mlops-state.bin</c>, so that an unchanged file is never hashed twice. The file is
/// rewritten atomically (temporary name, then rename): a crash leaves the old state or the new.
/// </summary>
/// <remarks>
/// A file whose modification time is too close to the moment it was hashed could have changed again
/// within the file system's timestamp granularity; such an entry is not trusted (Git's "racy" rule).
/// </remarks>
internal sealed class StateCache
{
    private const string Magic = "MLOPSST1";

    private readonly string _path;
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

        return IsRacy(entry) ? null : entry.Md5;
    }

    public void Record(string relativePath, FileStatus status, string md5, long hashedAtNs)
    {
        Load()[relativePath] = new Entry(status.Inode, status.MtimeNs, status.Size, md5, hashedAtNs);
        Interlocked.Exchange(ref _dirty, 1);
    }

    public void Save()
    {
        if (Interlocked.Exchange(ref _dirty, 0) == 0 || _entries is null)
        {
            return;
        }

        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            var snapshot = _entries.ToArray();
            writer.Write(snapshot.Length);
            foreach (var (path, entry) in snapshot)
            {
                writer.Write(path);
                writer.Write(entry.Inode);
                writer.Write(entry.MtimeNs);
                writer.Write(entry.Size);
                writer.Write(entry.HashedAtNs);
                writer.Write(entry.Md5);
            }
        }

        try
        {
            AtomicFile.WriteAllBytes(_path, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The state is only a cache: losing it costs time, never correctness.
        }
    }

    public static long NowNs() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    private static bool IsRacy(Entry entry)
    {
        // File systems with whole-second timestamps get a two-second window; others a coarse-clock tick or so.
        var window = entry.MtimeNs % 1_000_000_000 == 0 ? 2_000_000_000L : 20_000_000L;
        return entry.HashedAtNs - entry.MtimeNs < window;
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
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or EndOfStreamException or FormatException)
        {
            // A damaged state file is dropped: everything is hashed again.
            entries.Clear();
        }

        return entries;
    }

    // A class: ConcurrentDictionary over reference types runs the framework's precompiled code, where a struct value
    // would be JIT-compiled in every fresh process (mlops status is one).
    private sealed record Entry(long Inode, long MtimeNs, long Size, string Md5, long HashedAtNs);
}
