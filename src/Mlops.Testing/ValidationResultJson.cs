using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlops.Testing.Expectations;

namespace Mlops.Testing;

/// <summary>Writes a <see cref="ValidationResult"/> in the shape of GX's validation result (snake_case).</summary>
internal static class ValidationResultJson
{
    private static readonly JsonSerializerOptions ValueOptions = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = null,
    };

    public static string Write(ValidationResult result, bool indented)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            w.WriteBoolean("success", result.Success);
            w.WriteStartArray("results");
            foreach (var r in result.Results)
            {
                w.WriteStartObject();
                w.WriteBoolean("success", r.Success);
                w.WritePropertyName("expectation_config");
                SuiteJson.WriteExpectation(w, r.ExpectationConfig, SuiteJsonFormat.GreatExpectations1);
                WriteDetails(w, r.Result);
                w.WriteStartObject("meta");
                w.WriteEndObject();
                w.WriteStartObject("exception_info");
                w.WriteBoolean("raised_exception", r.ExceptionInfo is not null);
                w.WriteString("exception_message", r.ExceptionInfo?.ExceptionMessage);
                w.WriteNull("exception_traceback");
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("suite_name", result.SuiteName);
            w.WriteStartObject("suite_parameters");
            w.WriteEndObject();
            w.WriteStartObject("statistics");
            w.WriteNumber("evaluated_expectations", result.Statistics.EvaluatedExpectations);
            w.WriteNumber("successful_expectations", result.Statistics.SuccessfulExpectations);
            w.WriteNumber("unsuccessful_expectations", result.Statistics.UnsuccessfulExpectations);
            WriteNumber(w, "success_percent", result.Statistics.SuccessPercent, writeNull: true);
            w.WriteEndObject();
            w.WriteStartObject("meta");
            w.WriteString("active_batch_definition", result.DataSourceName);
            if (result.ValidationTime is { } time)
            {
                w.WriteString("validation_time", time.ToString("O", CultureInfo.InvariantCulture));
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteDetails(Utf8JsonWriter w, ExpectationResultDetails d)
    {
        w.WriteStartObject("result");
        if (d.UnexpectedCount is null)
        {
            WriteValue(w, "observed_value", d.ObservedValue);
        }

        var map = d.UnexpectedCount is not null;
        var missingKnown = map && d.MissingCount is not null;
        WriteNumber(w, "element_count", d.ElementCount);
        WriteNumber(w, "unexpected_count", d.UnexpectedCount);
        WriteNumber(w, "unexpected_percent", d.UnexpectedPercent, map);
        if (d.PartialUnexpectedList is { } list)
        {
            WriteValue(w, "partial_unexpected_list", list);
        }

        WriteNumber(w, "missing_count", d.MissingCount);
        WriteNumber(w, "missing_percent", d.MissingPercent, missingKnown);
        WriteNumber(w, "unexpected_percent_total", d.UnexpectedPercentTotal, map);
        WriteNumber(w, "unexpected_percent_nonmissing", d.UnexpectedPercentNonmissing, missingKnown);
        if (d.PartialUnexpectedCounts is { } counts)
        {
            w.WriteStartArray("partial_unexpected_counts");
            foreach (var c in counts)
            {
                w.WriteStartObject();
                WriteValue(w, "value", c.Value);
                w.WriteNumber("count", c.Count);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (d.PartialUnexpectedIndexList is { } indexes)
        {
            WriteValue(w, "partial_unexpected_index_list", indexes);
        }

        if (d.Details is { } details)
        {
            WriteValue(w, "details", details);
        }

        w.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, double? value, bool writeNull)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else if (writeNull)
        {
            w.WriteNull(name);
        }
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }

    private static void WriteValue(Utf8JsonWriter w, string name, object? value)
    {
        w.WritePropertyName(name);
        WriteValue(w, value);
    }

    internal static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null:
                w.WriteNullValue();
                break;
            case double d when !double.IsFinite(d):
                w.WriteStringValue(double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                break;
            case DateTime t:
                w.WriteStringValue(TextValues(t));
                break;
            case string s:
                w.WriteStringValue(s);
                break;
            case System.Collections.IDictionary dictionary:
                w.WriteStartObject();
                foreach (System.Collections.DictionaryEntry entry in dictionary)
                {
                    w.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture)!);
                    WriteValue(w, entry.Value);
                }

                w.WriteEndObject();
                break;
            case System.Collections.IEnumerable items:
                w.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(w, item);
                }

                w.WriteEndArray();
                break;
            default:
                JsonSerializer.Serialize(w, value, value.GetType(), ValueOptions);
                break;
        }
    }

    private static string TextValues(DateTime t) => Data.TextValues.Format(t);
}
