using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mlops.DataVersioning.Formats;

/// <summary>
/// Reads a pointer file written the way DVC 3 and we write them (top-level <c>key: value</c> lines and an
/// <c>outs:</c> list of <c>- key: value</c> items, plain scalars of path-like characters) into the nodes YamlDotNet
/// would build, without YamlDotNet's parser: its first use in a process compiles a regular expression (≈ 50 ms),
/// which is most of a one-second budget for <c>mlops status</c>. Anything else (comments, quotes, flow or nested
/// collections, blank lines, CR) returns null, and the caller parses with YamlDotNet.
/// </summary>
internal static class CanonicalPointerYaml
{
    public static YamlMappingNode? TryRead(string yaml)
    {
        var root = new YamlMappingNode();
        YamlSequenceNode? outs = null;
        YamlMappingNode? item = null;
        var lines = yaml.AsSpan();
        if (lines.IsEmpty)
        {
            return null;
        }

        try
        {
            while (!lines.IsEmpty)
            {
                var end = lines.IndexOf('\n');
                var line = end < 0 ? lines : lines[..end];
                lines = end < 0 ? default : lines[(end + 1)..];
                if (outs is not null && line.StartsWith("- "))
                {
                    item = new YamlMappingNode();
                    outs.Add(item);
                    line = line[2..];
                }
                else if (outs is not null && item is not null && line.StartsWith("  "))
                {
                    line = line[2..];
                }
                else
                {
                    outs = null;
                    item = null;
                }

                var colon = line.IndexOf(':');
                if (colon <= 0 || !IsKey(line[..colon]))
                {
                    return null;
                }

                var key = Plain(line[..colon]);
                var rest = line[(colon + 1)..];
                if (rest.IsEmpty && item is null && outs is null && line[..colon] is "outs")
                {
                    outs = new YamlSequenceNode();
                    root.Add(key, outs);
                    continue;
                }

                if (rest.Length < 2 || rest[0] != ' ' || !IsValue(rest[1..]))
                {
                    return null;
                }

                (item ?? root).Add(key, Plain(rest[1..]));
            }
        }
        catch (ArgumentException)
        {
            // A key given twice: YamlDotNet reports it with its line.
            return null;
        }

        // An 'outs:' with no item is not this shape (YamlDotNet reads it as null).
        return root.Children.Values.Any(v => v is YamlSequenceNode { Children.Count: 0 }) ? null : root;
    }

    private static YamlScalarNode Plain(ReadOnlySpan<char> text) => new(text.ToString()) { Style = ScalarStyle.Plain };

    private static bool IsKey(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    // Characters that a YAML plain scalar reads back as themselves wherever they stand (no indicator, space, colon or '#').
    private static bool IsValue(ReadOnlySpan<char> text)
    {
        if (!char.IsAsciiLetterOrDigit(text[0]) && text[0] is not ('.' or '_' or '/'))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '/' or '-' or '+'))
            {
                return false;
            }
        }

        return true;
    }
}
