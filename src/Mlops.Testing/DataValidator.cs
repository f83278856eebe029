using System.Text.RegularExpressions;
using Mlops.Testing.Data;
using Mlops.Testing.Evaluation;

namespace Mlops.Testing;

/// <summary>Settings of a <see cref="DataValidator"/>.</summary>
public sealed class DataValidationOptions
{
    /// <summary>The number of rows read per batch; 4,096 unless set.</summary>
    public int BatchSize { get; set; } = DataSource.DefaultBatchSize;
}

/// <summary>
/// Validates data sources against suites. The whole suite is evaluated in one streaming pass over the columns it needs
/// (z-score expectations add a second pass over their own columns):
/// map expectations keep counts and partial lists only; unique and distinct-value expectations keep one entry per distinct
/// value; median and quantile expectations keep the column's values.
/// </summary>
public sealed class DataValidator
{
    private readonly DataValidationOptions _options;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a validator.</summary>
    public DataValidator(DataValidationOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new DataValidationOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.BatchSize, nameof(DataValidationOptions.BatchSize));
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Validates <paramref name="source"/> against <paramref name="suite"/>.</summary>
    /// <returns>The result; a failed expectation is a result, not an exception (call <see cref="ValidationResult.ThrowIfFailed"/>).</returns>
    /// <exception cref="DataTestingException">When the source cannot be read (a malformed file).</exception>
    public async Task<ValidationResult> ValidateAsync(ExpectationSuite suite, DataSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(source);
        var started = _timeProvider.GetUtcNow();
        var schema = await source.GetSchemaAsync(cancellationToken).ConfigureAwait(false);
        var count = suite.Expectations.Count;
        var evaluators = new ExpectationEvaluator[count];
        var errors = new string?[count];
        for (var i = 0; i < count; i++)
        {
            evaluators[i] = suite.CreateEvaluator(i);
            Guard(i, () => evaluators[i].Begin(schema));
        }

        var active = Enumerable.Range(0, count).Where(i => errors[i] is null && evaluators[i].NeedsRows).ToList();
        var columns = active.SelectMany(i => evaluators[i].Columns).Distinct(StringComparer.Ordinal).ToList();
        long rowCount = 0;
        long? known = columns.Count == 0 ? await source.GetRowCountAsync(cancellationToken).ConfigureAwait(false) : null;
        if (known is { } n)
        {
            rowCount = n;
        }
        else if (active.Count > 0)
        {
            await foreach (var batch in source.ReadAsync(columns, _options.BatchSize, cancellationToken).ConfigureAwait(false))
            {
                rowCount += batch.RowCount;
                for (var a = 0; a < active.Count; a++)
                {
                    var i = active[a];
                    if (errors[i] is null)
                    {
                        Guard(i, () => evaluators[i].Observe(batch));
                    }
                }
            }
        }

        // Later passes read only the columns of the few expectations that need them.
        var passes = active.Count == 0 ? 1 : active.Max(i => evaluators[i].Passes);
        for (var pass = 1; pass < passes; pass++)
        {
            var again = active.Where(i => errors[i] is null && evaluators[i].Passes > pass).ToList();
            var passColumns = again.SelectMany(i => evaluators[i].Columns).Distinct(StringComparer.Ordinal).ToList();
            await foreach (var batch in source.ReadAsync(passColumns, _options.BatchSize, cancellationToken).ConfigureAwait(false))
            {
                foreach (var i in again)
                {
                    if (errors[i] is null)
                    {
                        var p = pass;
                        Guard(i, () => evaluators[i].Observe(batch, p));
                    }
                }
            }
        }

        var results = new ExpectationResult[count];
        for (var i = 0; i < count; i++)
        {
            Outcome? outcome = null;
            if (errors[i] is null)
            {
                Guard(i, () => outcome = evaluators[i].Complete(rowCount, schema));
            }

            results[i] = errors[i] is { } error || outcome is null
                ? new ExpectationResult
                {
                    Success = false,
                    ExpectationConfig = suite.Expectations[i],
                    Result = new ExpectationResultDetails(),
                    ExceptionInfo = new ExceptionInfo(true, errors[i] ?? "The expectation produced no result."),
                }
                : new ExpectationResult { Success = outcome.Success, ExpectationConfig = suite.Expectations[i], Result = outcome.Details };
        }

        var successful = results.Count(r => r.Success);
        return new ValidationResult
        {
            Success = successful == count,
            SuiteName = suite.Name,
            DataSourceName = source.Name,
            Results = results,
            Statistics = new ValidationStatistics(count, successful, count - successful, count == 0 ? null : 100.0 * successful / count),
            ValidationTime = started,
        };

        void Guard(int index, Action action)
        {
            try
            {
                action();
            }
            catch (EvaluationException e)
            {
                errors[index] = e.Message;
            }
            catch (RegexMatchTimeoutException e)
            {
                errors[index] = $"The regular expression took too long on a value ({e.Message}); simplify the pattern.";
            }
        }
    }
}
