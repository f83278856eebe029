using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mlops.Core.Hashing;

/// <summary>One file of a DVC directory manifest: its path relative to the directory, with '/', and its md5.</summary>
/// <param name="RelativePath">The path relative to the directory, with '/' separators.</param>
/// <param name="Md5">The file's md5 as 32 lowercase hex digits.</param>
/// <param name="Size">The file's size in bytes, when known (not part of the manifest bytes).</param>
public sealed record DirectoryEntry(string RelativePath, string Md5, long Size = 0);

/// <summary>
/// A DVC directory manifest (the <c>.dir</c> object): the sorted list of files with their md5s,
/// serialised exactly as DVC does, and the directory hash derived from those bytes.
/// </summary>
public sealed class DirectoryManifest
{
    /// <summary>The suffix DVC appends to the md5 of a directory manifest.</summary>
    public const string DirSuffix = ".dir";

    private readonly Lazy<byte[]> _json;

    private DirectoryManifest(IReadOnlyList<DirectoryEntry> entries)
    {
        Entries = entries;

        // Hashed piece by piece: status needs the hash of a large manifest, not its bytes in one large buffer.
        using (var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5))
        {
            WriteJson(entries, (bytes, count) => md5.AppendData(bytes, 0, count));
            Md5 = FileHasher.ToLowerHex(md5.GetHashAndReset()) + DirSuffix;
        }

        _json = new Lazy<byte[]>(() =>
        {
            using var json = new MemoryStream();
            WriteJson(entries, (bytes, count) => json.Write(bytes, 0, count));
            return json.ToArray();
        });
        Size = entries.Sum(e => e.Size);
    }

    /// <summary>The files, ordered by relative path as Python orders strings (by Unicode code point).</summary>
    public IReadOnlyList<DirectoryEntry> Entries { get; }

    /// <summary>The manifest bytes: what DVC stores as the <c>.dir</c> object.</summary>
    public ReadOnlyMemory<byte> Json => _json.Value;

    /// <summary>The directory hash: the md5 of <see cref="Json"/> followed by <c>.dir</c>.</summary>
    public string Md5 { get; }

    /// <summary>The total size of the files in bytes (the pointer's <c>size</c>).</summary>
    public long Size { get; }

    /// <summary>The number of files (the pointer's <c>nfiles</c>).</summary>
    public int FileCount => Entries.Count;

    /// <summary>Builds the manifest of <paramref name="entries"/>, sorting them as DVC does.</summary>
    /// <exception cref="ArgumentException">Two entries share a path, or a path is not a valid relative path.</exception>
    public static DirectoryManifest Create(IEnumerable<DirectoryEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var sorted = entries.ToArray();
        foreach (var entry in sorted)
        {
            ValidateRelativePath(entry.RelativePath);
        }

        var paths = new string[sorted.Length];
        for (var i = 0; i < sorted.Length; i++)
        {
            paths[i] = sorted[i].RelativePath;
        }

        // Not the ordinal comparison, even where it gives the same order (no surrogates): its vectorized code is not
        // precompiled, and a short process would make its ~140,000 comparisons of 10,000 paths unoptimized.
        Array.Sort(paths, sorted, CodePointComparer.Instance);
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].RelativePath == sorted[i - 1].RelativePath)
            {
                throw new ArgumentException($"The path '{sorted[i].RelativePath}' appears twice in the directory manifest.", nameof(entries));
            }
        }

        return new DirectoryManifest(sorted);
    }

    /// <summary>
    /// Writes the entries as Python's <c>json.dumps(entries, sort_keys=True)</c> does, in pieces of about 16 KiB:
    /// <c>", "</c> and <c>": "</c> separators and every non-ASCII character as a lowercase <c>\uXXXX</c> escape.
    /// </summary>
    private static void WriteJson(IReadOnlyList<DirectoryEntry> entries, Action<byte[], int> write)
    {
        const int PieceSize = 16 * 1024;
        var text = new StringBuilder(PieceSize + 1024);
        var chars = new char[PieceSize + 1024];
        var bytes = new byte[chars.Length];
        text.Append('[');
        for (var i = 0; i < entries.Count; i++)
        {
            text.Append(i == 0 ? "{\"md5\": " : ", {\"md5\": ");
            AppendPythonJsonString(text, entries[i].Md5);
            text.Append(", \"relpath\": ");
            AppendPythonJsonString(text, entries[i].RelativePath);
            text.Append('}');
            if (text.Length >= PieceSize)
            {
                Flush();
            }
        }

        text.Append(']');
        Flush();

        void Flush()
        {
            if (chars.Length < text.Length)
            {
                chars = new char[text.Length];
                bytes = new byte[text.Length];
            }

            // Every character is ASCII by now, so this is a plain byte copy.
            text.CopyTo(0, chars, 0, text.Length);
            write(bytes, Encoding.ASCII.GetBytes(chars, 0, text.Length, bytes, 0));
            text.Clear();
        }
    }

    /// <summary>Appends a JSON string literal with Python's <c>ensure_ascii=True</c> escaping.</summary>
    internal static void AppendPythonJsonString(StringBuilder builder, string value)
    {
        if (!NeedsEscaping(value))
        {
            builder.Append('"').Append(value).Append('"');
            return;
        }

        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    // Python escapes everything outside ' '..'~'; UTF-16 units give surrogate pairs for free.
                    if (c < ' ' || c > '~')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }

    private static void ValidateRelativePath(string path)
    {
        // A backslash is an ordinary character in a POSIX file name, so only '/' separates.
        if (string.IsNullOrEmpty(path) || path[0] == '/' || HasEmptyOrDotSegment(path))
        {
            throw new ArgumentException(
                $"The manifest path '{path}' is not a relative path inside the directory: it must not start with '/', and have no empty, '.' or '..' segment.",
                nameof(path));
        }
    }

    // Plain loops here and below: a generic span helper would be JIT-compiled in every fresh process (mlops status is
    // one), where this precompiled code runs at once.
    private static bool HasEmptyOrDotSegment(string path)
    {
        var start = 0;
        while (true)
        {
            var end = path.IndexOf('/', start);
            var length = (end < 0 ? path.Length : end) - start;
            if (length == 0 || (path[start] == '.' && (length == 1 || (length == 2 && path[start + 1] == '.'))))
            {
                return true;
            }

            if (end < 0)
            {
                return false;
            }

            start = end + 1;
        }
    }

    // Whether Python's json.dumps writes the string other than as it is: a quote, a backslash or a non-printable-ASCII character.
    private static bool NeedsEscaping(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~' or '"' or '\\')
            {
                return true;
            }
        }

        return false;
    }
}
