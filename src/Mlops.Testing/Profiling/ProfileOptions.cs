namespace Mlops.Testing.Profiling;

/// <summary>How <see cref="SuiteProfiler"/> turns what it sees in reference data into expectations.</summary>
public sealed record ProfileOptions
{
    /// <summary>The draft suite's name; the data source's name when <see langword="null"/>.</summary>
    public string? SuiteName { get; init; }

    /// <summary>
    /// A text or number column with at most this many distinct values gets <c>expect_column_values_to_be_in_set</c>
    /// (unless every value is distinct). 0 turns sets off. Default 20.
    /// </summary>
    public int MaxSetSize { get; init; } = 20;

    /// <summary>
    /// A column with missing values, but no more than this share of its rows (0–1), gets
    /// <c>expect_column_values_to_not_be_null</c> with <c>mostly</c> just below the observed share. Default 0.05.
    /// </summary>
    public double MaxMissingShareForMostly { get; init; } = 0.05;

    /// <summary>The row count expectation allows this share (0–1) fewer or more rows than the reference has. Default 0.1.</summary>
    public double RowCountMargin { get; init; } = 0.1;
}
