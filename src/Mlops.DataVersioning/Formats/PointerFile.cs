using System.Globalization;
using System.Text;
using Mlops.Core.Hashing;
using Mlops.Core.Storage;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mlops.DataVersioning.Formats;

/// <summary>One entry of a pointer file's <c>outs</c> list: a tracked file or directory and its hash.</summary>
public sealed record PointerOutput
{
    /// <summary>The output's path relative to the pointer file's folder, with '/'.</summary>
    public required string Path { get; init; }

    /// <summary>The md5 of the file, or of the directory manifest followed by <c>.dir</c>; null when not computed yet.</summary>
    public string? Md5 { get; init; }

    /// <summary>The size in bytes (of all files, for a directory).</summary>
    public long? Size { get; init; }

    /// <summary>The number of files, for a directory.</summary>
    public int? FileCount { get; init; }

    /// <summary>Whether the file is executable, when recorded.</summary>
    public bool? IsExecutable { get; init; }

    /// <summary>
    /// True for a DVC 2 entry (no <c>hash: md5</c>), whose md5 was computed after turning CRLF into LF
    /// in files that looked like text. It stays legacy until its data changes.
    /// </summary>
    public bool IsLegacy { get; init; }

    /// <summary>False when the output is not kept in the cache (<c>cache: false</c>).</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>The name of the remote this output is pushed to, when not the default (<c>remote:</c>).</summary>
    public string? Remote { get; init; }

    /// <summary>False when push skips this output (<c>push: false</c>).</summary>
    public bool CanPush { get; init; } = true;

    /// <summary>Whether the output is a directory (its md5 ends with <c>.dir</c>).</summary>
    public bool IsDirectory => Md5 is not null && Md5.EndsWith(DirectoryManifest.DirSuffix, StringComparison.Ordinal);
}

/// <summary>
/// A <c>.dvc</c> pointer file, read and written as DVC 3 does. Keys it does not know, at the top
/// level and in each output, are kept in their order when the file is written back.
/// </summary>
/// <remarks>Comments in a hand-edited file are not kept on rewrite.</remarks>
public sealed class PointerFile
{
    /// <summary>The extension of pointer files.</summary>
    public const string Extension = ".dvc";

    private static readonly string[] CanonicalOutKeys = ["md5", "size", "nfiles", "isexec", "hash", "path"];

    private readonly List<KeyValuePair<string, YamlNode>> _top;
    private readonly List<List<KeyValuePair<string, YamlNode>>> _outs;
    private readonly List<PointerOutput> _outputs;

    private PointerFile(string fileName, List<KeyValuePair<string, YamlNode>> top, List<List<KeyValuePair<string, YamlNode>>> outs, List<PointerOutput> outputs)
    {
        FileName = fileName;
        _top = top;
        _outs = outs;
        _outputs = outputs;
    }

    /// <summary>The file the pointer was read from, or will be written to, for messages.</summary>
    public string FileName { get; }

    /// <summary>The outputs, in file order.</summary>
    public IReadOnlyList<PointerOutput> Outputs => _outputs;

    /// <summary>Creates a pointer with one output.</summary>
    public static PointerFile Create(string fileName, PointerOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var pointer = new PointerFile(fileName, [new("outs", new YamlSequenceNode())], [[]], [output]);
        pointer.SetOutput(0, output);
        return pointer;
    }

    /// <summary>Reads the pointer file at <paramref name="path"/>.</summary>
    /// <exception cref="DataVersioningException">The file cannot be read, is not valid YAML (the message gives the line) or is not a pointer.</exception>
    public static PointerFile Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataVersioningException($"Cannot read the pointer file '{path}': {ex.Message}", ex);
        }

        return Parse(text, path);
    }

    /// <summary>Parses pointer YAML; <paramref name="fileName"/> names the file in error messages.</summary>
    /// <exception cref="DataVersioningException">Not valid YAML (the message gives the file and line), or not a pointer.</exception>
    public static PointerFile Parse(string yaml, string fileName)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        if (CanonicalPointerYaml.TryRead(yaml) is { } canonical)
        {
            try
            {
                return FromRoot(canonical, fileName);
            }
            catch (DataVersioningException)
            {
                // The quick reader's nodes carry no positions: YamlDotNet's, below, give the error its line.
            }
        }

        return FromRoot(LoadYaml(yaml, fileName), fileName);
    }

    private static YamlStream LoadYaml(string yaml, string fileName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
            return stream;
        }
        catch (YamlException ex)
        {
            throw new DataVersioningException(
                $"The pointer file '{fileName}' is not valid YAML: line {ex.Start.Line}, column {ex.Start.Column}: {Inner(ex).Message} Fix the file, or restore it from Git ('git checkout -- \"{fileName}\"').",
                ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            // YamlDotNet fails some malformed input without a position; the last event it could read gives the line.
            throw new DataVersioningException(
                $"The pointer file '{fileName}' is not valid YAML: line {LastReadableLine(yaml)}: {ex.Message} Fix the file, or restore it from Git ('git checkout -- \"{fileName}\"').",
                ex);
        }
    }

    private static PointerFile FromRoot(YamlStream stream, string fileName)
    {
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw Invalid(fileName, stream.Documents.Count == 0 ? 1 : stream.Documents[0].RootNode.Start.Line, "it is not a YAML mapping with an 'outs' list");
        }

        return FromRoot(root, fileName);
    }

    private static PointerFile FromRoot(YamlMappingNode root, string fileName)
    {
        var top = YamlText.Entries(root).ToList();
        var outsIndex = top.FindIndex(e => e.Key == "outs");
        if (outsIndex < 0 || top[outsIndex].Value is not YamlSequenceNode outsNode || outsNode.Children.Count == 0)
        {
            throw Invalid(fileName, root.Start.Line, "it has no 'outs' list with at least one output");
        }

        var outs = new List<List<KeyValuePair<string, YamlNode>>>();
        var outputs = new List<PointerOutput>();
        foreach (var item in outsNode.Children)
        {
            if (item is not YamlMappingNode mapping)
            {
                throw Invalid(fileName, item.Start.Line, "an entry of 'outs' is not a mapping");
            }

            var entries = YamlText.Entries(mapping).ToList();
            outs.Add(entries);
            outputs.Add(ReadOutput(fileName, mapping, entries));
        }

        return new PointerFile(fileName, top, outs, outputs);
    }

    /// <summary>
    /// Replaces the output at <paramref name="index"/>: its known keys change in place, keys DVC would add go
    /// where DVC puts them, and every other key stays as it was.
    /// </summary>
    public void SetOutput(int index, PointerOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _outs.Count);
        var entries = _outs[index];
        Set(entries, "md5", output.Md5 is null ? null : YamlText.Scalar(output.Md5));
        Set(entries, "size", output.Size is { } size ? YamlText.Scalar(size) : null);
        Set(entries, "nfiles", output.IsDirectory && output.FileCount is { } count ? YamlText.Scalar(count) : null);
        if (output.IsExecutable is { } exec)
        {
            Set(entries, "isexec", exec ? YamlText.Scalar(true) : null);
        }

        Set(entries, "hash", output.IsLegacy || output.Md5 is null ? null : YamlText.Scalar("md5"));
        Set(entries, "path", YamlText.Scalar(output.Path));
        Set(entries, "cache", output.UseCache ? null : YamlText.Scalar(false));
        Set(entries, "remote", output.Remote is null ? null : YamlText.Scalar(output.Remote));
        Set(entries, "push", output.CanPush ? null : YamlText.Scalar(false));
        _outputs[index] = output;
    }

    /// <summary>Returns the YAML text, byte for byte as DVC 3 writes it.</summary>
    public string ToYaml()
    {
        var builder = new StringBuilder(256);
        foreach (var (key, value) in _top)
        {
            if (key == "outs")
            {
                builder.Append("outs:\n");
                foreach (var entries in _outs)
                {
                    builder.Append("- ");
                    for (var i = 0; i < entries.Count; i++)
                    {
                        if (i > 0)
                        {
                            builder.Append("  ");
                        }

                        YamlText.WriteEntry(builder, entries[i].Key, entries[i].Value, 2);
                    }
                }
            }
            else
            {
                YamlText.WriteEntry(builder, key, value, 0);
            }
        }

        return builder.ToString();
    }

    /// <summary>Writes the pointer to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToYaml());

    private static void Set(List<KeyValuePair<string, YamlNode>> entries, string key, YamlNode? value)
    {
        var index = entries.FindIndex(e => e.Key == key);
        if (value is null)
        {
            if (index >= 0)
            {
                entries.RemoveAt(index);
            }

            return;
        }

        if (index >= 0)
        {
            // Keep the style of a value that did not change, so an untouched file rewrites identically.
            if (entries[index].Value is YamlScalarNode old && value is YamlScalarNode updated && old.Value == updated.Value)
            {
                return;
            }

            entries[index] = new(key, value);
            return;
        }

        entries.Insert(InsertionIndex(entries, key), new(key, value));
    }

    private static int InsertionIndex(List<KeyValuePair<string, YamlNode>> entries, string key)
    {
        var rank = Array.IndexOf(CanonicalOutKeys, key);
        if (rank < 0)
        {
            return entries.Count;
        }

        // After the nearest canonical key that comes before it, else before the nearest that comes after it.
        for (var r = rank - 1; r >= 0; r--)
        {
            var at = entries.FindIndex(e => e.Key == CanonicalOutKeys[r]);
            if (at >= 0)
            {
                return at + 1;
            }
        }

        for (var r = rank + 1; r < CanonicalOutKeys.Length; r++)
        {
            var at = entries.FindIndex(e => e.Key == CanonicalOutKeys[r]);
            if (at >= 0)
            {
                return at;
            }
        }

        return entries.Count;
    }

    private static PointerOutput ReadOutput(string fileName, YamlMappingNode mapping, List<KeyValuePair<string, YamlNode>> entries)
    {
        string? Text(string key)
        {
            var found = entries.FindIndex(e => e.Key == key);
            if (found < 0)
            {
                return null;
            }

            return entries[found].Value is YamlScalarNode scalar
                ? scalar.Value
                : throw Invalid(fileName, entries[found].Value.Start.Line, $"'{key}' is not a scalar");
        }

        YamlNode? Node(string key) => entries.FirstOrDefault(e => e.Key == key).Value;

        var path = Text("path");
        if (string.IsNullOrEmpty(path))
        {
            throw Invalid(fileName, mapping.Start.Line, "an output has no 'path'");
        }

        var md5 = Text("md5");
        if (md5 is not null && !ContentAddressedStore.IsValidOid(md5))
        {
            throw Invalid(fileName, Node("md5")!.Start.Line, $"'md5: {md5}' is not an md5 (32 lowercase hex digits, optionally followed by '.dir')");
        }

        var hash = Text("hash");
        if (hash is not null && hash != "md5")
        {
            throw Invalid(fileName, Node("hash")!.Start.Line, $"'hash: {hash}' is not supported; only 'md5' is");
        }

        return new PointerOutput
        {
            Path = path,
            Md5 = md5,
            Size = Number(fileName, Node("size"), "size"),
            FileCount = (int?)Number(fileName, Node("nfiles"), "nfiles"),
            IsExecutable = Bool(Text("isexec")),
            IsLegacy = md5 is not null && hash is null,
            UseCache = Bool(Text("cache")) ?? true,
            Remote = Text("remote"),
            CanPush = Bool(Text("push")) ?? true,
        };
    }

    private static long? Number(string fileName, YamlNode? node, string key)
    {
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text } && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0)
        {
            return value;
        }

        throw Invalid(fileName, node.Start.Line, $"'{key}' is not a non-negative whole number");
    }

    private static bool? Bool(string? text) => text switch
    {
        null => null,
        "true" or "True" or "TRUE" => true,
        "false" or "False" or "FALSE" => false,
        _ => null,
    };

    private static long LastReadableLine(string yaml)
    {
        long line = 1;
        try
        {
            var parser = new Parser(new StringReader(yaml));
            while (parser.MoveNext())
            {
                line = parser.Current!.Start.Line;
            }
        }
        catch (Exception ex) when (ex is YamlException or InvalidOperationException or ArgumentException or FormatException)
        {
        }

        return line;
    }

    private static Exception Inner(Exception ex) => ex.InnerException is YamlException inner ? Inner(inner) : ex;

    private static DataVersioningException Invalid(string fileName, long line, string what) =>
        new($"The pointer file '{fileName}' is not a valid DVC pointer: line {line}: {what}. Fix the file, or restore it from Git ('git checkout -- \"{fileName}\"').");
}
