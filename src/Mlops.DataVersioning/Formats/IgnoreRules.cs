using System.Text;
using System.Text.RegularExpressions;

namespace Mlops.DataVersioning.Formats;

/// <summary>
/// Patterns in gitignore syntax, as in <c>.dvcignore</c>: <c>*</c>, <c>?</c>, <c>[…]</c>, <c>**</c>,
/// a leading or inner <c>/</c> anchoring the pattern to the file's folder, a trailing <c>/</c> matching
/// folders only, <c>!</c> re-including, <c>#</c> comments. The last matching pattern wins, and nothing
/// inside an ignored folder can be re-included.
/// </summary>
public sealed class IgnoreRules
{
    /// <summary>The name of DVC's ignore file.</summary>
    public const string DvcIgnoreFileName = ".dvcignore";

    /// <summary>What <c>dvc init</c> writes into a new <c>.dvcignore</c>.</summary>
    public const string DefaultDvcIgnore =
        "# Add patterns of files dvc should ignore, which could improve\n" +
        "# the performance. Learn more at\n" +
        "# https://dvc.org/doc/user-guide/dvcignore\n";

    private readonly List<(Regex Regex, bool Negated, bool DirectoryOnly)> _rules = [];

    /// <summary>Rules that ignore nothing.</summary>
    public static IgnoreRules Empty { get; } = new([]);

    /// <summary>Parses the lines of an ignore file.</summary>
    public IgnoreRules(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        foreach (var raw in lines)
        {
            var rule = ParseLine(raw);
            if (rule is not null)
            {
                _rules.Add(rule.Value);
            }
        }
    }

    /// <summary>Whether there are no rules.</summary>
    public bool IsEmpty => _rules.Count == 0;

    /// <summary>Reads an ignore file; no rules when it does not exist.</summary>
    public static IgnoreRules Load(string path) =>
        File.Exists(path) ? new IgnoreRules(File.ReadAllText(path, Encoding.UTF8).Split('\n')) : Empty;

    /// <summary>
    /// Says whether <paramref name="relativePath"/> (relative to the ignore file's folder, with '/') is ignored,
    /// itself or through one of its parent folders.
    /// </summary>
    public bool IsIgnored(string relativePath, bool isDirectory = false)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        if (_rules.Count == 0)
        {
            return false;
        }

        var path = relativePath.Trim('/');
        for (var slash = path.IndexOf('/', StringComparison.Ordinal); slash >= 0; slash = path.IndexOf('/', slash + 1))
        {
            if (Matches(path[..slash], isDirectory: true))
            {
                return true;
            }
        }

        return Matches(path, isDirectory);
    }

    private bool Matches(string path, bool isDirectory)
    {
        var ignored = false;
        foreach (var (regex, negated, directoryOnly) in _rules)
        {
            if ((!directoryOnly || isDirectory) && regex.IsMatch(path))
            {
                ignored = !negated;
            }
        }

        return ignored;
    }

    private static (Regex, bool, bool)? ParseLine(string raw)
    {
        var line = raw.TrimEnd('\r');

        // Trailing spaces don't count unless escaped.
        var end = line.Length;
        while (end > 0 && line[end - 1] == ' ' && !(end > 1 && line[end - 2] == '\\'))
        {
            end--;
        }

        line = line[..end];
        if (line.Length == 0 || line[0] == '#')
        {
            return null;
        }

        var negated = false;
        if (line[0] == '!')
        {
            negated = true;
            line = line[1..];
        }
        else if (line.StartsWith("\\!", StringComparison.Ordinal) || line.StartsWith("\\#", StringComparison.Ordinal))
        {
            line = line[1..];
        }

        var directoryOnly = line.EndsWith('/') && !line.EndsWith("\\/", StringComparison.Ordinal);
        if (directoryOnly)
        {
            line = line.TrimEnd('/');
        }

        if (line.Length == 0)
        {
            return null;
        }

        var anchored = line.Contains('/', StringComparison.Ordinal);
        line = line.TrimStart('/');
        var pattern = new StringBuilder(anchored ? "^" : "^(?:.*/)?");
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '*' && i + 1 < line.Length && line[i + 1] == '*' &&
                (i == 0 || line[i - 1] == '/') && (i + 2 == line.Length || line[i + 2] == '/'))
            {
                if (i + 2 == line.Length)
                {
                    pattern.Append(".*");
                    i++;
                }
                else
                {
                    // "**/" matches no folder or any number of them.
                    pattern.Append("(?:.*/)?");
                    i += 2;
                }
            }
            else if (c == '*')
            {
                pattern.Append("[^/]*");
            }
            else if (c == '?')
            {
                pattern.Append("[^/]");
            }
            else if (c == '[' && line.IndexOf(']', i + 1) is var close && close > i + 1)
            {
                var body = line[(i + 1)..close];
                if (body[0] == '!')
                {
                    body = "^" + body[1..];
                }

                pattern.Append('[').Append(body.Replace("\\", "\\\\", StringComparison.Ordinal)).Append(']');
                i = close;
            }
            else if (c == '\\' && i + 1 < line.Length)
            {
                pattern.Append(Regex.Escape(line[++i].ToString()));
            }
            else
            {
                pattern.Append(Regex.Escape(c.ToString()));
            }
        }

        pattern.Append('$');
        return (new Regex(pattern.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline), negated, directoryOnly);
    }
}
