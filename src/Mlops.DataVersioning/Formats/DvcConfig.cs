using System.Text;
using Mlops.Core.Storage;

namespace Mlops.DataVersioning.Formats;

/// <summary>
/// DVC's INI configuration (<c>.dvc/config</c>, <c>.dvc/config.local</c>), as configobj reads and writes it:
/// <c>[core]</c>, <c>['remote "name"']</c> sections and four-space indented <c>key = value</c> lines.
/// </summary>
/// <remarks>Values may hold credentials: nothing here logs or prints them.</remarks>
public sealed class DvcConfig
{
    private readonly List<(string Name, List<KeyValuePair<string, string>> Values)> _sections = [];

    /// <summary>An empty configuration.</summary>
    public DvcConfig()
    {
    }

    /// <summary>The section names in file order, unquoted (for example <c>core</c>, <c>remote "storage"</c>).</summary>
    public IReadOnlyList<string> Sections => _sections.Select(s => s.Name).ToArray();

    /// <summary>The default remote's name (<c>core.remote</c>), if any.</summary>
    public string? DefaultRemote => Get("core", "remote");

    /// <summary>The names of the configured remotes.</summary>
    public IReadOnlyList<string> RemoteNames =>
        _sections.Select(s => RemoteName(s.Name)).OfType<string>().ToArray();

    /// <summary>The link types to try, in order (<c>cache.type</c>; <c>reflink,copy</c> when unset).</summary>
    public IReadOnlyList<string> CacheTypes =>
        (Get("cache", "type") ?? "reflink,copy").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Reads the file at <paramref name="path"/>; an empty configuration when it does not exist.</summary>
    /// <exception cref="DataVersioningException">The file cannot be read or parsed.</exception>
    public static DvcConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            return new DvcConfig();
        }

        try
        {
            return Parse(File.ReadAllText(path, Encoding.UTF8), path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataVersioningException($"Cannot read the DVC config '{path}': {ex.Message}", ex);
        }
    }

    /// <summary>Parses configobj INI text; <paramref name="fileName"/> names the file in error messages.</summary>
    /// <exception cref="DataVersioningException">A line is neither a section, a <c>key = value</c>, a comment nor blank.</exception>
    public static DvcConfig Parse(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        var config = new DvcConfig();
        List<KeyValuePair<string, string>>? current = null;
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                var end = line.LastIndexOf(']');
                if (end < 0 || line.StartsWith("[[", StringComparison.Ordinal))
                {
                    throw new DataVersioningException($"The DVC config '{fileName}' line {i + 1}: '{line}' is not a valid section header. Use [name] or ['remote \"name\"'].");
                }

                var name = Unquote(line[1..end].Trim());
                current = config.GetOrAddSection(name);
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || current is null)
            {
                // The value is not echoed: it may be a secret.
                throw new DataVersioningException($"The DVC config '{fileName}' line {i + 1} is not a 'key = value' line inside a section. Fix or remove that line.");
            }

            var key = line[..equals].Trim();
            var value = ParseValue(line[(equals + 1)..].Trim());
            var existing = current.FindIndex(kv => kv.Key == key);
            if (existing >= 0)
            {
                current[existing] = new(key, value);
            }
            else
            {
                current.Add(new(key, value));
            }
        }

        return config;
    }

    /// <summary>Returns a value, or null.</summary>
    public string? Get(string section, string key)
    {
        var values = _sections.FirstOrDefault(s => s.Name == section).Values;
        if (values is null)
        {
            return null;
        }

        var index = values.FindIndex(kv => kv.Key == key);
        return index < 0 ? null : values[index].Value;
    }

    /// <summary>Returns the keys and values of a section (empty when there is none).</summary>
    public IReadOnlyDictionary<string, string> GetSection(string section)
    {
        var values = _sections.FirstOrDefault(s => s.Name == section).Values;
        return values is null ? new Dictionary<string, string>() : values.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
    }

    /// <summary>Sets a value, adding the section when needed; a null value removes the key (and an emptied section).</summary>
    public void Set(string section, string key, string? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(section);
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (value is null)
        {
            var sectionIndex = _sections.FindIndex(s => s.Name == section);
            if (sectionIndex < 0)
            {
                return;
            }

            _sections[sectionIndex].Values.RemoveAll(kv => kv.Key == key);
            if (_sections[sectionIndex].Values.Count == 0)
            {
                _sections.RemoveAt(sectionIndex);
            }

            return;
        }

        var values = GetOrAddSection(section);
        var index = values.FindIndex(kv => kv.Key == key);
        if (index >= 0)
        {
            values[index] = new(key, value);
        }
        else
        {
            values.Add(new(key, value));
        }
    }

    /// <summary>Returns a configuration with <paramref name="overrides"/> (for example <c>config.local</c>) applied over this one.</summary>
    public DvcConfig MergedWith(DvcConfig overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var merged = new DvcConfig();
        foreach (var config in new[] { this, overrides })
        {
            foreach (var (name, values) in config._sections)
            {
                foreach (var (key, value) in values)
                {
                    merged.Set(name, key, value);
                }
            }
        }

        return merged;
    }

    /// <summary>Returns the remote named <paramref name="name"/>, or null when it is not configured.</summary>
    public RemoteConfig? GetRemote(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var values = GetSection(RemoteSection(name));
        if (values.Count == 0)
        {
            return null;
        }

        return new RemoteConfig(name, values.GetValueOrDefault("url") ?? "", values);
    }

    /// <summary>The section name of a remote: <c>remote "name"</c>.</summary>
    public static string RemoteSection(string name) => $"remote \"{name}\"";

    /// <summary>Returns the text as configobj writes it.</summary>
    public string ToText()
    {
        var builder = new StringBuilder();
        foreach (var (name, values) in _sections)
        {
            builder.Append('[').Append(QuoteSection(name)).Append("]\n");
            foreach (var (key, value) in values)
            {
                builder.Append("    ").Append(key).Append(" = ").Append(QuoteValue(value)).Append('\n');
            }
        }

        return builder.ToString();
    }

    /// <summary>Writes the configuration to <paramref name="path"/> atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToText());

    private List<KeyValuePair<string, string>> GetOrAddSection(string name)
    {
        var index = _sections.FindIndex(s => s.Name == name);
        if (index >= 0)
        {
            return _sections[index].Values;
        }

        var values = new List<KeyValuePair<string, string>>();
        _sections.Add((name, values));
        return values;
    }

    private static string? RemoteName(string section) =>
        section.StartsWith("remote \"", StringComparison.Ordinal) && section.EndsWith('"') && section.Length > 9 ? section[8..^1] : null;

    private static string QuoteSection(string name) =>
        name.Contains('"', StringComparison.Ordinal) ? $"'{name}'" : name.Contains('\'', StringComparison.Ordinal) || name.Contains(' ', StringComparison.Ordinal) ? $"\"{name}\"" : name;

    private static string QuoteValue(string value)
    {
        // configobj quotes values that would not read back as themselves.
        if (value.Length == 0)
        {
            return "\"\"";
        }

        if (value.Contains('#', StringComparison.Ordinal) || value[0] is '"' or '\'' || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            return value.Contains('"', StringComparison.Ordinal) ? $"'{value}'" : $"\"{value}\"";
        }

        return value;
    }

    private static string Unquote(string text) =>
        text.Length >= 2 && ((text[0] == '\'' && text[^1] == '\'') || (text[0] == '"' && text[^1] == '"')) ? text[1..^1] : text;

    private static string ParseValue(string text)
    {
        if (text.Length > 0 && text[0] is '"' or '\'')
        {
            var end = text.IndexOf(text[0], 1);
            if (end > 0)
            {
                return text[1..end];
            }
        }

        // An unquoted value ends at an inline comment.
        var comment = text.IndexOf(" #", StringComparison.Ordinal);
        return (comment >= 0 ? text[..comment] : text).Trim();
    }
}

/// <summary>A configured remote: its name, URL and every option of its section.</summary>
/// <param name="Name">The remote's name.</param>
/// <param name="Url">The URL: a local path, <c>s3://bucket/prefix</c>, <c>azure://container/prefix</c>, …</param>
/// <param name="Options">Every key of the remote's section, <c>config.local</c> merged in. May hold credentials.</param>
public sealed record RemoteConfig(string Name, string Url, IReadOnlyDictionary<string, string> Options)
{
    /// <summary>The URL's scheme in lower case (<c>s3</c>, <c>azure</c>, …), or empty for a local path.</summary>
    public string Scheme => new BlobStoreLocation(Name, Url).Scheme;

    /// <summary>Names the remote and its URL without credentials, so it is safe to print.</summary>
    public override string ToString() => $"remote '{Name}' ({RedactedUrl})";

    /// <summary>The URL with any user information (<c>user:password@</c>) removed, safe to print.</summary>
    public string RedactedUrl => new BlobStoreLocation(Name, Url).RedactedUrl;
}
