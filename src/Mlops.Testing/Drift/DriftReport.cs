namespace Mlops.Testing.Drift;

/// <summary>The drift of one column between the reference and the current data.</summary>
public sealed record ColumnDrift
{
    /// <summary>The column's name.</summary>
    public required string Column { get; init; }

    /// <summary>Whether it was compared as numbers or as categories.</summary>
    public required DriftColumnKind Kind { get; init; }

    /// <summary>The test used.</summary>
    public required DriftMethod Method { get; init; }

    /// <summary>Evidently's name of the test (<c>ks</c>, <c>chisquare</c>, <c>z</c>, <c>wasserstein</c>, <c>jensenshannon</c>, <c>psi</c>, <c>kl_div</c>).</summary>
    public string TestName => DriftDetector.TestName(Method);

    /// <summary>Whether <see cref="Score"/> is a p-value (drift below the threshold) rather than a distance (drift at or above it).</summary>
    public bool IsPValue => DriftDetector.IsPValue(Method);

    /// <summary>
    /// The test statistic: D for Kolmogorov–Smirnov, χ² for chi-square, z for the Z-test; for the distances, the distance
    /// (the same as <see cref="Score"/>). NaN when undefined (a chi-square test over a single category).
    /// </summary>
    public required double Statistic { get; init; }

    /// <summary>The p-value or the distance compared with <see cref="Threshold"/> (Evidently's <c>drift_score</c>).</summary>
    public required double Score { get; init; }

    /// <summary>The threshold the score was compared with.</summary>
    public required double Threshold { get; init; }

    /// <summary>Whether the column drifted.</summary>
    public required bool Drifted { get; init; }

    /// <summary>The number of reference values compared (missing and infinite values are left out).</summary>
    public required long ReferenceCount { get; init; }

    /// <summary>The number of current values compared.</summary>
    public required long CurrentCount { get; init; }

    /// <summary>The number of reference rows left out as missing (or infinite).</summary>
    public required long ReferenceMissing { get; init; }

    /// <summary>The number of current rows left out as missing (or infinite).</summary>
    public required long CurrentMissing { get; init; }

    /// <summary>The number of distinct values in both data sets together.</summary>
    public required long DistinctValues { get; init; }
}

/// <summary>The outcome of comparing a current data set with a reference, per column and overall.</summary>
public sealed record DriftReport
{
    /// <summary>The name of the reference data source.</summary>
    public required string ReferenceName { get; init; }

    /// <summary>The name of the current data source.</summary>
    public required string CurrentName { get; init; }

    /// <summary>One entry per compared column, in the reference's column order.</summary>
    public required IReadOnlyList<ColumnDrift> Columns { get; init; }

    /// <summary>The share of drifted columns at which the data set drifts.</summary>
    public required double DriftShare { get; init; }

    /// <summary>The number of drifted columns.</summary>
    public int DriftedColumns => Columns.Count(c => c.Drifted);

    /// <summary>The share of drifted columns (0 when no column was compared).</summary>
    public double ShareOfDriftedColumns => Columns.Count == 0 ? 0 : (double)DriftedColumns / Columns.Count;

    /// <summary>Whether the data set drifted: the share of drifted columns is at least <see cref="DriftShare"/>.</summary>
    public bool DatasetDrift => Columns.Count > 0 && ShareOfDriftedColumns >= DriftShare;

    /// <summary>The report as JSON (snake_case, Evidently's field names; the shape is in the package README).</summary>
    public string ToJson(bool indented = true) => Reports.DriftJson.Write(this, indented);

    /// <summary>The report as GitHub-flavoured Markdown, for a CI comment.</summary>
    public string ToMarkdown() => Reports.DriftMarkdown.Render(this);
}
