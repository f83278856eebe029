using System.Globalization;
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

    private DirectoryManifest(IReadOnlyList<DirectoryEntry> entries, byte[] json)
    {
        Entries = entries;
        Json = json;
        Md5 = FileHasher.HashBytes(json) + DirSuffix;
        Size = entries.Sum(e => e.Size);
    }

    /// <summary>The files, ordered by relative path as Python orders strings (by Unicode code point).</summary>
    public IReadOnlyList<DirectoryEntry> Entries { get; }

    /// <summary>The manifest bytes: what DVC stores as the <c>.dir</c> object.</summary>
    public ReadOnlyMemory<byte> Json { get; }

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

        Array.Sort(sorted, static (a, b) => CodePointComparer.Instance.Compare(a.RelativePath, b.RelativePath));
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].RelativePath == sorted[i - 1].RelativePath)
            {
                throw new ArgumentException($"The path '{sorted[i].RelativePath}' appears twice in the directory manifest.", nameof(entries));
            }
        }

        return new DirectoryManifest(sorted, Serialize(sorted));
    }

    /// <summary>
    /// Writes the entries as Python's <c>json.dumps(entries, sort_keys=True)</c> does:
    /// <c>", "</c> and <c>": "</c> separators and every non-ASCII character as a lowercase <c>\uXXXX</c> escape.
    /// </summary>
    internal static byte[] Serialize(IReadOnlyList<DirectoryEntry> entries)
    {
        var builder = new StringBuilder(entries.Count * 80);
        builder.Append('[');
        for (var i = 0; i < entries.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            builder.Append("{\"md5\": ");
            AppendPythonJsonString(builder, entries[i].Md5);
            builder.Append(", \"relpath\": ");
            AppendPythonJsonString(builder, entries[i].RelativePath);
            builder.Append('}');
        }

        builder.Append(']');

        // Every character is ASCII by now, so this is a plain byte copy.
        return Encoding.ASCII.GetBytes(builder.ToString());
    }

    /// <summary>Appends a JSON string literal with Python's <c>ensure_ascii=True</c> escaping.</summary>
    internal static void AppendPythonJsonString(StringBuilder builder, string value)
    {
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
        if (string.IsNullOrEmpty(path) || path[0] == '/' ||
            path.Split('/').Any(static segment => segment is "" or "." or ".."))
        {
            throw new ArgumentException(
                $"The manifest path '{path}' is not a relative path inside the directory: it must not start with '/', and have no empty, '.' or '..' segment.",
                nameof(path));
        }
    }
}
