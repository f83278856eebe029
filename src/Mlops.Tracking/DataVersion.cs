using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mlops.Tracking;

/// <summary>A version of a data file a run used: recorded as the tag <c>mlops.data.&lt;path&gt;</c>.</summary>
/// <param name="Path">The data file's path in the repository, such as <c>data/auto-mpg.csv</c>.</param>
/// <param name="Revision">The Git revision it was read at (a commit, tag or branch).</param>
/// <param name="Md5">The md5 of its content, as DVC records it.</param>
public sealed record DataVersion(string Path, string Revision, string Md5)
{
    /// <summary>The tag key this data version is recorded under.</summary>
    public string TagKey
    {
        get
        {
            var key = new StringBuilder(SystemTags.DataPrefix.Length + Path.Length).Append(SystemTags.DataPrefix);
            foreach (var segment in Path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                if (key.Length > SystemTags.DataPrefix.Length)
                {
                    key.Append('/');
                }

                // Tag keys allow letters, digits, '_', '-', '.', ' ' and '/'; anything else, and '..', becomes '_'.
                key.Append(segment == ".." ? "_" : string.Concat(segment.Select(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or ' ' ? c : '_')));
            }

            return key.Length > TrackingLimits.MaxKeyLength ? key.ToString(0, TrackingLimits.MaxKeyLength) : key.ToString();
        }
    }

    /// <summary>The tag value: JSON with the path, revision and md5.</summary>
    public string ToTagValue() => JsonSerializer.Serialize(this, DataVersionJsonContext.Default.DataVersion);

    /// <summary>Reads the data versions recorded in a run's tags.</summary>
    public static IReadOnlyList<DataVersion> FromTags(IReadOnlyDictionary<string, string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var versions = new List<DataVersion>();
        foreach (var (key, value) in tags)
        {
            if (!key.StartsWith(SystemTags.DataPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize(value, DataVersionJsonContext.Default.DataVersion) is { } version)
                {
                    versions.Add(version);
                }
            }
            catch (JsonException)
            {
                // A tag someone else set under the prefix: not a data version.
            }
        }

        return [.. versions.OrderBy(v => v.Path, StringComparer.Ordinal)];
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(DataVersion))]
internal sealed partial class DataVersionJsonContext : JsonSerializerContext;
