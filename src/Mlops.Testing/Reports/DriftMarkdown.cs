using System.Globalization;
using System.Text;
using Mlops.Testing.Drift;

namespace Mlops.Testing.Reports;

/// <summary>Renders a <see cref="DriftReport"/> as GitHub-flavoured Markdown: a verdict line and a table of the columns, drifted first.</summary>
internal static class DriftMarkdown
{
    public static string Render(DriftReport report)
    {
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"## {(report.DatasetDrift ? "❌ Data drift detected" : "✅ No data drift")}: `{Escape(report.CurrentName)}` against `{Escape(report.ReferenceName)}`\n\n");
        md.Append(CultureInfo.InvariantCulture, $"**{report.DriftedColumns} of {report.Columns.Count}** columns drifted ({report.ShareOfDriftedColumns:0.#%}); the data set drifts at {report.DriftShare:0.#%}.\n\n");
        if (report.Columns.Count == 0)
        {
            return md.ToString();
        }

        md.Append("| | Column | Type | Test | Score | Threshold | Reference | Current |\n|---|---|---|---|---:|---:|---:|---:|\n");
        foreach (var c in report.Columns.OrderByDescending(c => c.Drifted))
        {
            var kind = c.Kind == DriftColumnKind.Numerical ? "num" : "cat";
            var rule = c.IsPValue ? "p <" : "≥";
            md.Append(CultureInfo.InvariantCulture, $"| {(c.Drifted ? "❌" : "✅")} | {Escape(c.Column)} | {kind} | {c.TestName}{(c.IsPValue ? " p-value" : string.Empty)} | {Format(c.Score)} | {rule} {Format(c.Threshold)} | {c.ReferenceCount:N0}{Missing(c.ReferenceMissing)} | {c.CurrentCount:N0}{Missing(c.CurrentMissing)} |\n");
        }

        return md.ToString();
    }

    private static string Missing(long missing) => missing == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" (+{missing:N0} missing)");

    private static string Format(double value) =>
        double.IsNaN(value) ? "n/a" : value != 0 && Math.Abs(value) < 1e-4 ? value.ToString("0.###e+0", CultureInfo.InvariantCulture) : value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal)
            .Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal).Replace("`", "'", StringComparison.Ordinal);
}
