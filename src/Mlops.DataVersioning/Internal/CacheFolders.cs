namespace Mlops.DataVersioning.Internal;

/// <summary>
/// Which of the cache's 256 object folders (the md5's first two hex digits) existed when an operation began. An object
/// whose folder did not exist then was not in the cache, so storing it needs no look-up first: one system call less per
/// file of a new dataset (and a costly one, a miss in a folder being filled). An object stored since, by this operation
/// or another process, is found when its write finds the name taken, and kept.
/// </summary>
internal sealed class CacheFolders
{
    private readonly bool[] _existed = new bool[256];

    private CacheFolders()
    {
    }

    /// <summary>Lists the object folders under <paramref name="objectsFolder"/> (<c>files/md5</c>) as they are now.</summary>
    public static CacheFolders Snapshot(string objectsFolder)
    {
        var snapshot = new CacheFolders();
        if (Directory.Exists(objectsFolder))
        {
            foreach (var folder in Directory.EnumerateDirectories(objectsFolder))
            {
                if (IndexOf(Path.GetFileName(folder.AsSpan())) is var index and >= 0)
                {
                    snapshot._existed[index] = true;
                }
            }
        }

        return snapshot;
    }

    /// <summary>Whether the cache may have held <paramref name="oid"/> when the snapshot was taken (false: it surely did not).</summary>
    public bool MayHave(string oid) => IndexOf(oid.AsSpan(0, 2)) is var index and >= 0 ? _existed[index] : true;

    // The folder's index for two lower-case hex digits; -1 for any other name.
    private static int IndexOf(ReadOnlySpan<char> name) =>
        name.Length == 2 && Hex(name[0]) is var high and >= 0 && Hex(name[1]) is var low and >= 0 ? (high << 4) | low : -1;

    private static int Hex(char c) => c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : -1;
}
