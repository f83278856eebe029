using System.Text;
using System.Text.Json;
using Mlops.Testing.Drift;

namespace Mlops.Testing.Reports;

/// <summary>
/// Writes a <see cref="DriftReport"/> as JSON with Evidently's field names (its <c>DatasetDriftMetric</c> and
/// <c>DataDriftTable</c> results): <c>dataset_drift</c>, <c>drift_share</c>, <c>number_of_columns</c>,
/// <c>number_of_drifted_columns</c>, <c>share_of_drifted_columns</c>, and <c>drift_by_columns</c> keyed by column
/// name. A score that is not a number (a chi-square test over one category) is written as null.
/// </summary>
internal static class DriftJson
{
    public static string Write(DriftReport report, bool indented)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            w.WriteString("reference", report.ReferenceName);
            w.WriteString("current", report.CurrentName);
            w.WriteBoolean("dataset_drift", report.DatasetDrift);
            w.WriteNumber("drift_share", report.DriftShare);
            w.WriteNumber("number_of_columns", report.Columns.Count);
            w.WriteNumber("number_of_drifted_columns", report.DriftedColumns);
            w.WriteNumber("share_of_drifted_columns", report.ShareOfDriftedColumns);
            w.WriteStartObject("drift_by_columns");
            foreach (var c in report.Columns)
            {
                w.WriteStartObject(c.Column);
                w.WriteString("column_name", c.Column);
                w.WriteString("column_type", c.Kind == DriftColumnKind.Numerical ? "num" : "cat");
                w.WriteString("stattest_name", c.TestName);
                w.WriteString("score_kind", c.IsPValue ? "p_value" : "distance");
                Number(w, "drift_score", c.Score);
                Number(w, "statistic", c.Statistic);
                w.WriteNumber("stattest_threshold", c.Threshold);
                w.WriteBoolean("drift_detected", c.Drifted);
                w.WriteNumber("reference_count", c.ReferenceCount);
                w.WriteNumber("current_count", c.CurrentCount);
                w.WriteNumber("reference_missing", c.ReferenceMissing);
                w.WriteNumber("current_missing", c.CurrentMissing);
                w.WriteNumber("distinct_values", c.DistinctValues);
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
