using System.Globalization;
using System.Text;

namespace Mlops.Tracking;

/// <summary>Several runs side by side: every param and latest metric, with the rows whose values differ marked.</summary>
public sealed record RunComparison
{
    /// <summary>The runs compared, in the order asked for.</summary>
    public required IReadOnlyList<RunInfo> Runs { get; init; }

    /// <summary>One row per param key of any run, by key.</summary>
    public required IReadOnlyList<ParamComparison> Params { get; init; }

    /// <summary>One row per metric key of any run, by key (the latest value of each).</summary>
    public required IReadOnlyList<MetricComparison> Metrics { get; init; }

    /// <summary>Builds the comparison of <paramref name="runs"/>.</summary>
    public static RunComparison Of(IReadOnlyList<Run> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var paramKeys = runs.SelectMany(r => r.Data.Params.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var metricKeys = runs.SelectMany(r => r.Data.Metrics.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return new RunComparison
        {
            Runs = [.. runs.Select(r => r.Info)],
            Params =
            [
                .. paramKeys.Select(key =>
                {
                    string?[] values = [.. runs.Select(r => r.Data.Params.GetValueOrDefault(key))];
                    return new ParamComparison(key, values, values.Distinct(StringComparer.Ordinal).Count() > 1);
                }),
            ],
            Metrics =
            [
                .. metricKeys.Select(key =>
                {
                    double?[] values = [.. runs.Select(r => r.Data.Metrics.TryGetValue(key, out var m) ? m.Value : (double?)null)];
                    return new MetricComparison(key, values, values.Distinct().Count() > 1);
                }),
            ],
        };
    }

    /// <summary>Writes the comparison as a Markdown table; differing rows are marked with <c>≠</c>.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append("| | key |");
        foreach (var run in Runs)
        {
            text.Append(' ').Append(string.IsNullOrEmpty(run.RunName) ? run.RunId[..8] : run.RunName).Append(" |");
        }

        text.AppendLine().Append("|---|---|").Append(string.Concat(Enumerable.Repeat("---|", Runs.Count))).AppendLine();
        foreach (var row in Params)
        {
            Row(text, row.Differs, "params." + row.Key, row.Values.Select(v => v ?? "—"));
        }

        foreach (var row in Metrics)
        {
            Row(text, row.Differs, "metrics." + row.Key, row.Values.Select(v => v?.ToString("G6", CultureInfo.InvariantCulture) ?? "—"));
        }

        return text.ToString();
    }

    private static void Row(StringBuilder text, bool differs, string key, IEnumerable<string> values)
    {
        text.Append("| ").Append(differs ? "≠" : " ").Append(" | ").Append(key).Append(" |");
        foreach (var value in values)
        {
            text.Append(' ').Append(value.Replace("|", "\\|", StringComparison.Ordinal)).Append(" |");
        }

        text.AppendLine();
    }
}

/// <summary>One param across the compared runs.</summary>
/// <param name="Key">The param's key.</param>
/// <param name="Values">Its value in each run, null where a run has none.</param>
/// <param name="Differs">Whether the values are not all the same.</param>
public sealed record ParamComparison(string Key, IReadOnlyList<string?> Values, bool Differs);

/// <summary>One metric's latest value across the compared runs.</summary>
/// <param name="Key">The metric's key.</param>
/// <param name="Values">Its latest value in each run, null where a run has none.</param>
/// <param name="Differs">Whether the values are not all the same (NaN equals NaN here).</param>
public sealed record MetricComparison(string Key, IReadOnlyList<double?> Values, bool Differs);
