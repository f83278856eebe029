namespace Mlops.Testing;

/// <summary>The outcome of validating a data source against an <see cref="ExpectationSuite"/>, shaped like GX's validation result.</summary>
public sealed record ValidationResult
{
    /// <summary>Whether every expectation succeeded.</summary>
    public required bool Success { get; init; }

    /// <summary>The suite's name.</summary>
    public required string SuiteName { get; init; }

    /// <summary>The name of the data source that was validated.</summary>
    public required string DataSourceName { get; init; }

    /// <summary>One result per expectation, in suite order.</summary>
    public required IReadOnlyList<ExpectationResult> Results { get; init; }

    /// <summary>How many expectations were evaluated and succeeded.</summary>
    public required ValidationStatistics Statistics { get; init; }

    /// <summary>When the validation ran.</summary>
    public DateTimeOffset? ValidationTime { get; init; }

    /// <summary>The results that failed.</summary>
    public IEnumerable<ExpectationResult> Failures => Results.Where(r => !r.Success);

    /// <summary>Returns this result when it succeeded; otherwise throws a <see cref="DataValidationException"/> listing each failure.</summary>
    /// <exception cref="DataValidationException">When an expectation failed.</exception>
    public ValidationResult ThrowIfFailed() => Success ? this : throw new DataValidationException(this);

    /// <summary>The result as GX-shaped JSON (snake_case).</summary>
    public string ToJson(bool indented = true) => ValidationResultJson.Write(this, indented);
}

/// <summary>GX's suite statistics.</summary>
/// <param name="EvaluatedExpectations">How many expectations were evaluated.</param>
/// <param name="SuccessfulExpectations">How many succeeded.</param>
/// <param name="UnsuccessfulExpectations">How many failed.</param>
/// <param name="SuccessPercent">The share that succeeded, in percent; <see langword="null"/> when none were evaluated.</param>
public sealed record ValidationStatistics(int EvaluatedExpectations, int SuccessfulExpectations, int UnsuccessfulExpectations, double? SuccessPercent);

/// <summary>The result of one expectation.</summary>
public sealed record ExpectationResult
{
    /// <summary>Whether the expectation held.</summary>
    public required bool Success { get; init; }

    /// <summary>The expectation, as configured in the suite.</summary>
    public required Expectation ExpectationConfig { get; init; }

    /// <summary>The counts, partial lists and observed value.</summary>
    public required ExpectationResultDetails Result { get; init; }

    /// <summary>Set when the expectation could not be evaluated (a missing column, a type that does not fit).</summary>
    public ExceptionInfo? ExceptionInfo { get; init; }
}

/// <summary>Why an expectation could not be evaluated.</summary>
/// <param name="RaisedException">Always <see langword="true"/> when present.</param>
/// <param name="ExceptionMessage">What went wrong, for a person.</param>
public sealed record ExceptionInfo(bool RaisedException, string ExceptionMessage);

/// <summary>One value of <see cref="ExpectationResultDetails.PartialUnexpectedCounts"/>.</summary>
/// <param name="Value">An unexpected value (a list for multi-column expectations, <see langword="null"/> for a missing value).</param>
/// <param name="Count">How many rows held it.</param>
public sealed record UnexpectedValueCount(object? Value, long Count);

/// <summary>
/// GX's <c>result</c> object. Column map expectations fill the counts and partial lists; aggregate and table expectations
/// fill <see cref="ObservedValue"/>. Percentages are in percent (0–100); the denominator of
/// <see cref="UnexpectedPercent"/> is the non-missing rows, except for the null expectations, where it is every row.
/// </summary>
public sealed record ExpectationResultDetails
{
    /// <summary>The observed value of an aggregate or table expectation (a number, string, list or object).</summary>
    public object? ObservedValue { get; init; }

    /// <summary>The number of rows.</summary>
    public long? ElementCount { get; init; }

    /// <summary>The number of rows whose value is missing (not considered, except by the null expectations).</summary>
    public long? MissingCount { get; init; }

    /// <summary>Missing rows in percent of all rows.</summary>
    public double? MissingPercent { get; init; }

    /// <summary>The number of considered rows that did not meet the expectation.</summary>
    public long? UnexpectedCount { get; init; }

    /// <summary>Unexpected rows in percent of the considered (non-missing) rows.</summary>
    public double? UnexpectedPercent { get; init; }

    /// <summary>Unexpected rows in percent of all rows.</summary>
    public double? UnexpectedPercentTotal { get; init; }

    /// <summary>Unexpected rows in percent of the non-missing rows.</summary>
    public double? UnexpectedPercentNonmissing { get; init; }

    /// <summary>Up to 20 unexpected values, in row order.</summary>
    public IReadOnlyList<object?>? PartialUnexpectedList { get; init; }

    /// <summary>The 0-based row indexes of <see cref="PartialUnexpectedList"/>.</summary>
    public IReadOnlyList<long>? PartialUnexpectedIndexList { get; init; }

    /// <summary>Up to 20 unexpected values with their counts, most frequent first.</summary>
    public IReadOnlyList<UnexpectedValueCount>? PartialUnexpectedCounts { get; init; }

    /// <summary>Further details specific to the expectation (GX's <c>details</c>), such as mismatched columns.</summary>
    public IReadOnlyDictionary<string, object?>? Details { get; init; }
}
