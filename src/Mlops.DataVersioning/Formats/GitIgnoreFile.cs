using System.Text;

namespace Mlops.DataVersioning.Formats;

/// <summary>
/// The <c>.gitignore</c> lines DVC writes for tracked outputs: <c>/name</c>, relative to the
/// <c>.gitignore</c> beside the output, with gitignore's special characters escaped.
/// </summary>
public static class GitIgnoreFile
{
    /// <summary>The file name.</summary>
    public const string FileName = ".gitignore";

    /// <summary>Escapes the characters gitignore treats as special (<c>[ ] ! * # ?</c>) with a backslash, as DVC does.</summary>
    public static string Escape(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var builder = new StringBuilder(path.Length + 4);
        foreach (var c in path)
        {
            if (c is '[' or ']' or '!' or '*' or '#' or '?')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>The line for a path relative to the <c>.gitignore</c>'s folder, with '/': <c>/</c> then the escaped path.</summary>
    public static string EntryFor(string relativePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        var escaped = Escape(relativePath);
        return escaped.StartsWith('/') ? escaped : "/" + escaped;
    }

    /// <summary>
    /// Appends <paramref name="entry"/> to the file (created when missing), on a line of its own, unless the line
    /// is already there. Returns whether the file changed.
    /// </summary>
    public static bool AddEntry(string gitignorePath, string entry)
    {
        ArgumentException.ThrowIfNullOrEmpty(entry);
        var existing = File.Exists(gitignorePath) ? File.ReadAllText(gitignorePath, Encoding.UTF8) : "";
        var lines = existing.Split('\n');
        if (lines.Any(line => line.TrimEnd('\r') == entry))
        {
            return false;
        }

        var prefix = existing.Length == 0 || existing.EndsWith('\n') ? "" : "\n";
        AtomicFile.WriteAllText(gitignorePath, existing + prefix + entry + "\n");
        return true;
    }

    /// <summary>Removes every line equal to <paramref name="entry"/>; deletes the file when nothing is left. Returns whether the file changed.</summary>
    public static bool RemoveEntry(string gitignorePath, string entry)
    {
        ArgumentException.ThrowIfNullOrEmpty(entry);
        if (!File.Exists(gitignorePath))
        {
            return false;
        }

        var existing = File.ReadAllText(gitignorePath, Encoding.UTF8);
        var lines = SplitKeepingEnds(existing);
        var kept = lines.Where(line => line.Trim() != entry.Trim()).ToList();
        if (kept.Count == lines.Count)
        {
            return false;
        }

        if (kept.Count == 0)
        {
            File.Delete(gitignorePath);
        }
        else
        {
            AtomicFile.WriteAllText(gitignorePath, string.Concat(kept));
        }

        return true;
    }

    private static List<string> SplitKeepingEnds(string text)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                lines.Add(text[start..(i + 1)]);
                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            lines.Add(text[start..]);
        }

        return lines;
    }
}
