using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Mlops.Tracking;
using Mlops.Tracking.Registry;
using Mlops.Tracking.Search;

namespace Mlops.Cli.Commands.Tracking;

/// <summary>
/// The <c>--json</c> output of the tracking verbs: camelCase names, times as Unix milliseconds (as the store keeps
/// them), statuses in upper case (as filters name them), and NaN/±Infinity as the strings "NaN", "Infinity", "-Infinity"
/// (JSON has no literal for them).
/// </summary>
internal static class TrackingJson
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        // Keys and values are user text; keep them readable ('<', non-ASCII) rather than \u-escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Experiments(IEnumerable<Experiment> experiments) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("experiments");
        foreach (var experiment in experiments)
        {
            writer.WriteStartObject();
            writer.WriteString("experimentId", experiment.ExperimentId);
            writer.WriteString("name", experiment.Name);
            writer.WriteString("artifactLocation", experiment.ArtifactLocation);
            writer.WriteString("lifecycleStage", TrackingText.Stage(experiment.LifecycleStage));
            writer.WriteNumber("creationTime", experiment.CreationTime);
            Strings(writer, "tags", experiment.Tags);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    public static string Runs(RunSearchResult result) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("runs");
        foreach (var run in result.Runs)
        {
            Run(writer, run);
        }

        writer.WriteEndArray();
        writer.WriteString("nextPageToken", result.NextPageToken);
        writer.WriteEndObject();
    });

    public static string Run(Run run) => Write(writer => Run(writer, run));

    public static string Comparison(RunComparison comparison) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("runs");
        foreach (var info in comparison.Runs)
        {
            writer.WriteStartObject();
            writer.WriteString("runId", info.RunId);
            writer.WriteString("runName", info.RunName);
            writer.WriteString("experimentId", info.ExperimentId);
            writer.WriteString("status", TrackingText.Status(info.Status));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("params");
        foreach (var row in comparison.Params)
        {
            writer.WriteStartObject();
            writer.WriteString("key", row.Key);
            writer.WriteBoolean("differs", row.Differs);
            writer.WriteStartArray("values");
            foreach (var value in row.Values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("metrics");
        foreach (var row in comparison.Metrics)
        {
            writer.WriteStartObject();
            writer.WriteString("key", row.Key);
            writer.WriteBoolean("differs", row.Differs);
            writer.WriteStartArray("values");
            foreach (var value in row.Values)
            {
                if (value is { } number)
                {
                    Number(writer, number);
                }
                else
                {
                    writer.WriteNullValue();
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    public static string Models(IEnumerable<RegisteredModel> models) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("models");
        foreach (var model in models)
        {
            writer.WriteStartObject();
            writer.WriteString("name", model.Name);
            writer.WriteString("description", model.Description);
            if (model.LatestVersion is { } latest)
            {
                writer.WriteNumber("latestVersion", latest);
            }
            else
            {
                writer.WriteNull("latestVersion");
            }

            writer.WriteNumber("creationTime", model.CreationTime);
            writer.WriteNumber("lastUpdatedTime", model.LastUpdatedTime);
            writer.WriteStartObject("aliases");
            foreach (var (alias, version) in model.Aliases.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                writer.WriteNumber(alias, version);
            }

            writer.WriteEndObject();
            Strings(writer, "tags", model.Tags);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    public static string Versions(IEnumerable<ModelVersion> versions) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("versions");
        foreach (var version in versions)
        {
            Version(writer, version);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    public static string Version(ModelVersion version) => Write(writer => Version(writer, version));

    private static void Version(Utf8JsonWriter writer, ModelVersion version)
    {
        writer.WriteStartObject();
        writer.WriteString("name", version.Name);
        writer.WriteNumber("version", version.Version);
        writer.WriteString("source", version.Source);
        writer.WriteString("runId", version.RunId);
        writer.WriteString("status", version.Status);
        writer.WriteString("description", version.Description);
        writer.WriteNumber("creationTime", version.CreationTime);
        writer.WriteStartArray("aliases");
        foreach (var alias in version.Aliases.Order(StringComparer.Ordinal))
        {
            writer.WriteStringValue(alias);
        }

        writer.WriteEndArray();
        Strings(writer, "tags", version.Tags);
        writer.WriteEndObject();
    }

    private static void Run(Utf8JsonWriter writer, Run run)
    {
        var info = run.Info;
        writer.WriteStartObject();
        writer.WriteString("runId", info.RunId);
        writer.WriteString("runName", info.RunName);
        writer.WriteString("experimentId", info.ExperimentId);
        writer.WriteString("status", TrackingText.Status(info.Status));
        writer.WriteString("userId", info.UserId);
        writer.WriteNumber("startTime", info.StartTime);
        if (info.EndTime is { } end)
        {
            writer.WriteNumber("endTime", end);
        }
        else
        {
            writer.WriteNull("endTime");
        }

        writer.WriteString("artifactUri", info.ArtifactUri);
        writer.WriteString("lifecycleStage", TrackingText.Stage(info.LifecycleStage));
        writer.WriteString("parentRunId", info.ParentRunId);
        Strings(writer, "params", run.Data.Params);
        writer.WriteStartObject("metrics");
        foreach (var (key, metric) in run.Data.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject(key);
            writer.WritePropertyName("value");
            Number(writer, metric.Value);
            writer.WriteNumber("step", metric.Step);
            writer.WriteNumber("timestamp", metric.Timestamp);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        Strings(writer, "tags", run.Data.Tags);
        writer.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, string> values)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(TrackingText.Number(value));
        }
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
