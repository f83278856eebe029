using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Mlops.DataVersioning.Formats;

/// <summary>
/// Writes YAML the way DVC's ruamel.yaml round-trip dumper does: block style, two-space mapping
/// indent, sequences at their key's indent (<c>- </c> then the item), plain scalars where ruamel
/// would leave them plain and single quotes where it would quote.
/// </summary>
internal static partial class YamlText
{
    public static YamlScalarNode Scalar(string value) => new(value) { Style = ScalarStyle.Any };

    public static YamlScalarNode Scalar(long value) => new(value.ToString(CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain };

    public static YamlScalarNode Scalar(bool value) => new(value ? "true" : "false") { Style = ScalarStyle.Plain };

    public static void WriteMapping(StringBuilder builder, IReadOnlyList<KeyValuePair<string, YamlNode>> entries, int indent)
    {
        foreach (var (key, value) in entries)
        {
            builder.Append(' ', indent);
            WriteEntry(builder, key, value, indent);
        }
    }

    /// <summary>Writes <c>key: value</c> where the cursor already stands at the key's column.</summary>
    public static void WriteEntry(StringBuilder builder, string key, YamlNode value, int indent)
    {
        builder.Append(FormatScalar(key, ScalarStyle.Any)).Append(':');
        switch (value)
        {
            case YamlMappingNode { Style: not MappingStyle.Flow } mapping when mapping.Children.Count > 0:
                builder.Append('\n');
                WriteMapping(builder, Entries(mapping), indent + 2);
                break;
            case YamlSequenceNode { Style: not SequenceStyle.Flow } sequence when sequence.Children.Count > 0:
                builder.Append('\n');
                WriteSequence(builder, sequence, indent);
                break;
            case YamlScalarNode { Style: ScalarStyle.Literal or ScalarStyle.Folded } block when block.Value is not null && block.Value.Contains('\n', StringComparison.Ordinal):
                WriteBlockScalar(builder, block.Value, indent + 2);
                break;
            default:
                builder.Append(' ');
                WriteFlow(builder, value);
                builder.Append('\n');
                break;
        }
    }

    public static IReadOnlyList<KeyValuePair<string, YamlNode>> Entries(YamlMappingNode mapping) =>
        mapping.Children.Select(c => new KeyValuePair<string, YamlNode>(KeyText(c.Key), c.Value)).ToList();

    public static string KeyText(YamlNode key) => key is YamlScalarNode scalar ? scalar.Value ?? "" : key.ToString();

    private static void WriteSequence(StringBuilder builder, YamlSequenceNode sequence, int indent)
    {
        foreach (var item in sequence.Children)
        {
            builder.Append(' ', indent).Append("- ");
            WriteItem(builder, item, indent + 2);
        }
    }

    // Writes a sequence item whose first line continues after "- ".
    private static void WriteItem(StringBuilder builder, YamlNode item, int indent)
    {
        switch (item)
        {
            case YamlMappingNode { Style: not MappingStyle.Flow } mapping when mapping.Children.Count > 0:
                var entries = Entries(mapping);
                WriteEntry(builder, entries[0].Key, entries[0].Value, indent);
                for (var i = 1; i < entries.Count; i++)
                {
                    builder.Append(' ', indent);
                    WriteEntry(builder, entries[i].Key, entries[i].Value, indent);
                }

                break;
            case YamlSequenceNode { Style: not SequenceStyle.Flow } nested when nested.Children.Count > 0:
                for (var i = 0; i < nested.Children.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(' ', indent);
                    }

                    builder.Append("- ");
                    WriteItem(builder, nested.Children[i], indent + 2);
                }

                break;
            default:
                WriteFlow(builder, item);
                builder.Append('\n');
                break;
        }
    }

    private static void WriteBlockScalar(StringBuilder builder, string value, int indent)
    {
        var keep = value.EndsWith('\n');
        builder.Append(keep ? " |\n" : " |-\n");
        var body = keep ? value[..^1] : value;
        foreach (var line in body.Split('\n'))
        {
            if (line.Length > 0)
            {
                builder.Append(' ', indent).Append(line);
            }

            builder.Append('\n');
        }
    }

    private static void WriteFlow(StringBuilder builder, YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                builder.Append(FormatScalar(scalar.Value ?? "", scalar.Style, scalar.Tag.IsEmpty ? null : scalar.Tag.Value));
                break;
            case YamlMappingNode mapping:
                builder.Append('{');
                var first = true;
                foreach (var (key, value) in Entries(mapping))
                {
                    builder.Append(first ? "" : ", ").Append(FormatScalar(key, ScalarStyle.Any)).Append(": ");
                    WriteFlow(builder, value);
                    first = false;
                }

                builder.Append('}');
                break;
            case YamlSequenceNode sequence:
                builder.Append('[');
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    builder.Append(i == 0 ? "" : ", ");
                    WriteFlow(builder, sequence.Children[i]);
                }

                builder.Append(']');
                break;
            default:
                builder.Append("null");
                break;
        }
    }

    /// <summary>Formats a scalar: plain when it was plain (or would be plain for ruamel), else quoted.</summary>
    public static string FormatScalar(string value, ScalarStyle style, string? tag = null)
    {
        var printable = IsPrintable(value);
        if (style == ScalarStyle.Plain && printable && value.Length > 0)
        {
            // A value read as plain (a number, a boolean, a string) goes back as it came.
            return value;
        }

        if (style == ScalarStyle.DoubleQuoted || !printable)
        {
            return DoubleQuote(value);
        }

        if (style == ScalarStyle.Any && tag is null && CanBePlain(value))
        {
            return value;
        }

        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>Says whether ruamel.yaml would write <paramref name="value"/> as a plain scalar that reads back as the same string.</summary>
    public static bool CanBePlain(string value)
    {
        if (value.Length == 0 || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]) || !IsPrintable(value))
        {
            return false;
        }

        var first = value[0];
        if ("#,[]{}&*!|>'\"%@`".Contains(first, StringComparison.Ordinal))
        {
            return false;
        }

        if (first is '-' or '?' or ':' && (value.Length == 1 || value[1] == ' '))
        {
            return false;
        }

        if (value.EndsWith(':') || value.Contains(": ", StringComparison.Ordinal) || value.Contains(" #", StringComparison.Ordinal) || value.Contains('\t', StringComparison.Ordinal))
        {
            return false;
        }

        return !ResolvesToNonString().IsMatch(value);
    }

    private static bool IsPrintable(string value)
    {
        foreach (var c in value)
        {
            if (c < ' ' || c == '\u007f' || c == '\ufeff' || (c >= '\u0080' && c < '\u00a0'))
            {
                return false;
            }
        }

        return true;
    }

    private static string DoubleQuote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\t': builder.Append("\\t"); break;
                case '\r': builder.Append("\\r"); break;
                case '\0': builder.Append("\\0"); break;
                default:
                    if (c < ' ' || c == '\u007f' || (c >= '\u0080' && c < '\u00a0') || c == '\ufeff')
                    {
                        builder.Append(c <= 0xff ? "\\x" + ((int)c).ToString("X2", CultureInfo.InvariantCulture) : "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    // What YAML 1.2 (ruamel's resolver) reads as null, bool, int, float or timestamp rather than a string.
    [GeneratedRegex(@"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+|[-+]?(?:\.[0-9_]+|[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?|<<|=)$", RegexOptions.CultureInvariant)]
    private static partial Regex ResolvesToNonString();
}
