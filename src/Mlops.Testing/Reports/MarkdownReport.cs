using System.Globalization;
using System.Text;

namespace Mlops.Testing.Reports;

/// <summary>Renders a <see cref="ValidationResult"/> as GitHub-flavoured Markdown, for a CI comment or a job summary.</summary>
public static class MarkdownReport
{
    /// <summary>The report: a verdict line, the statistics, a table of every expectation, and the failing values of each failure.</summary>
    public static string Render(ValidationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var md = new StringBuilder();
        var s = result.Statistics;
        md.Append(CultureInfo.InvariantCulture, $"## {(result.Success ? "✅" : "❌")} Data validation: `{Escape(result.SuiteName)}` on `{Escape(result.DataSourceName)}`\n\n");
        md.Append(CultureInfo.InvariantCulture, $"**{s.SuccessfulExpectations} of {s.EvaluatedExpectations}** expectations met");
        if (s.SuccessPercent is { } percent)
        {
            md.Append(CultureInfo.InvariantCulture, $" ({percent:0.#}%)");
        }

        md.Append(CultureInfo.InvariantCulture, $"; {s.UnsuccessfulExpectations} failed.\n\n");
        md.Append("| | Expectation | Column | Observed | Unexpected |\n|---|---|---|---|---|\n");
        foreach (var r in result.Results)
        {
            var e = r.ExpectationConfig;
            var d = r.Result;
            var column = e.Column ?? (e.Kwargs.TryGetValue("column_list", out var list) ? list.GetRawText() : e.Kwargs.TryGetValue("column_A", out var a) ? $"{a.GetString()}, {(e.Kwargs.TryGetValue("column_B", out var b) ? b.GetString() : string.Empty)}" : string.Empty);
            var observed = r.ExceptionInfo is { } error ? "error: " + error.ExceptionMessage
                : d.UnexpectedCount is null ? Truncate(ExpectationText.FormatValue(d.ObservedValue), 80)
                : string.Empty;
            var unexpected = d.UnexpectedCount is { } n
                ? string.Create(CultureInfo.InvariantCulture, $"{n} of {d.ElementCount - (d.MissingCount ?? 0)}{(d.UnexpectedPercent is { } p ? $" ({p:0.##}%)" : string.Empty)}")
                : string.Empty;
            var arguments = Arguments(e);
            var expectation = arguments.Length == 0 ? $"`{Escape(e.Type)}`" : $"`{Escape(e.Type)}` {Escape(arguments)}";
            md.Append(CultureInfo.InvariantCulture, $"| {(r.Success ? "✅" : "❌")} | {expectation} | {Escape(column)} | {Escape(observed)} | {unexpected} |\n");
        }

        var failures = result.Failures.Where(f => f.Result.PartialUnexpectedList is { Count: > 0 }).ToList();
        if (failures.Count > 0)
        {
            md.Append("\n### Failing values\n");
            foreach (var f in failures)
            {
                var d = f.Result;
                md.Append(CultureInfo.InvariantCulture, $"\n<details><summary><code>{Html(f.ExpectationConfig.Type)}</code> {Html(f.ExpectationConfig.Column ?? string.Empty)}: {d.UnexpectedCount} unexpected</summary>\n\n");
                md.Append("| Row | Value |\n|---:|---|\n");
                for (var i = 0; i < d.PartialUnexpectedList!.Count; i++)
                {
                    var row = d.PartialUnexpectedIndexList is { } idx && i < idx.Count ? idx[i].ToString(CultureInfo.InvariantCulture) : "?";
                    md.Append(CultureInfo.InvariantCulture, $"| {row} | {Escape(ExpectationText.FormatValue(d.PartialUnexpectedList[i]))} |\n");
                }

                if (d.UnexpectedCount > d.PartialUnexpectedList.Count)
                {
                    md.Append(CultureInfo.InvariantCulture, $"\nFirst {d.PartialUnexpectedList.Count} of {d.UnexpectedCount} shown (row indexes are 0-based).\n");
                }

                md.Append("\n</details>\n");
            }
        }

        return md.ToString();
    }

    private static string Arguments(Expectation e)
    {
        var args = e.Kwargs
            .Where(kv => kv.Key is not ("column" or "column_list" or "column_A" or "column_B" or "result_format" or "include_config" or "catch_exceptions" or "meta"))
            .Select(kv => $"{kv.Key}={Truncate(kv.Value.GetRawText(), 60)}");
        return string.Join(", ", args);
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : string.Concat(text.AsSpan(0, length - 1), "…");

    private static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal)
            .Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal);

    private static string Html(string text) => System.Net.WebUtility.HtmlEncode(text);
}
