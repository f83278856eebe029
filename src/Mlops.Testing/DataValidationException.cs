using System.Globalization;
using System.Text;
using Mlops.Testing.Data;

namespace Mlops.Testing;

/// <summary>
/// Thrown when data does not meet its suite. The message lists each failed expectation, its counts and up to 20 failing
/// values with their 0-based row indexes; <see cref="Result"/> holds everything.
/// </summary>
public sealed class DataValidationException : DataTestingException
{
    /// <summary>Creates the exception for a failed validation.</summary>
    public DataValidationException(ValidationResult result)
        : base(Describe(result ?? throw new ArgumentNullException(nameof(result))))
    {
        Result = result;
    }

    /// <summary>The full validation result.</summary>
    public ValidationResult Result { get; }

    internal static string Describe(ValidationResult result)
    {
        var text = new StringBuilder();
        var failures = result.Failures.ToList();
        text.Append(CultureInfo.InvariantCulture, $"'{result.DataSourceName}' does not meet the suite '{result.SuiteName}': {failures.Count} of {result.Statistics.EvaluatedExpectations} expectations failed.");
        foreach (var failure in failures)
        {
            text.AppendLine();
            text.Append("- ").Append(ExpectationText.Describe(failure.ExpectationConfig));
            var r = failure.Result;
            if (failure.ExceptionInfo is { } error)
            {
                text.Append(": could not be evaluated: ").Append(error.ExceptionMessage);
                continue;
            }

            if (r.UnexpectedCount is { } unexpected)
            {
                text.Append(CultureInfo.InvariantCulture, $": {unexpected} unexpected of {r.ElementCount - (r.MissingCount ?? 0)} rows");
                if (r.UnexpectedPercent is { } percent)
                {
                    text.Append(CultureInfo.InvariantCulture, $" ({percent:0.###}%)");
                }

                if (r.MissingCount is { } missing)
                {
                    text.Append(CultureInfo.InvariantCulture, $", {missing} missing");
                }

                if (r.PartialUnexpectedList is { Count: > 0 } values)
                {
                    text.AppendLine();
                    text.Append(values.Count < unexpected ? $"  first {values.Count} (row: value): " : "  (row: value): ");
                    text.AppendJoin(", ", values.Select((v, i) => $"{(r.PartialUnexpectedIndexList is { } idx && i < idx.Count ? idx[i].ToString(CultureInfo.InvariantCulture) : "?")}: {ExpectationText.FormatValue(v)}"));
                }
            }
            else
            {
                text.Append(": observed ").Append(ExpectationText.FormatValue(r.ObservedValue));
            }
        }

        return text.ToString();
    }
}

/// <summary>Short, human descriptions of expectations and values for messages and reports.</summary>
internal static class ExpectationText
{
    public static string Describe(Expectation expectation)
    {
        var args = expectation.Kwargs
            .Where(kv => kv.Key is not ("result_format" or "include_config" or "catch_exceptions" or "meta"))
            .Select(kv => $"{kv.Key}={kv.Value.GetRawText()}");
        return $"{expectation.Type}({string.Join(", ", args)})";
    }

    public static string FormatValue(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        System.Collections.IDictionary d => "{" + string.Join(", ", d.Keys.Cast<object>().Select(k => $"{k}: {FormatValue(d[k])}")) + "}",
        System.Collections.IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(FormatValue)) + "]",
        _ => TextValues.Format(value),
    };
}
