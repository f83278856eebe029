using System.Globalization;
using System.Text;

namespace Mlops.Testing.Features;

/// <summary>The outcome of one feature check.</summary>
/// <param name="Check">What was checked, for a person (<c>deterministic under seed 1</c>).</param>
/// <param name="Success">Whether the check held.</param>
/// <param name="Summary">One line: what was compared and how many rows failed.</param>
/// <param name="FailureCount">How many rows (or schema columns) failed.</param>
/// <param name="Failures">The first 20 failures, in row order.</param>
public sealed record FeatureCheckResult(string Check, bool Success, string Summary, long FailureCount, IReadOnlyList<FeatureCheckFailure> Failures);

/// <summary>One failing value of a feature check.</summary>
/// <param name="Row">The 0-based row of the checked data, or -1 when the failure is not about a row (a schema column).</param>
/// <param name="Column">The column, with the slot for a vector (<c>Features[3]</c>).</param>
/// <param name="Expected">What the check expected, as text.</param>
/// <param name="Actual">What it found, as text.</param>
public sealed record FeatureCheckFailure(long Row, string Column, string Expected, string Actual);

/// <summary>
/// Thrown by <c>Assert()</c> of the feature checks when a check fails. The message names each failed check, its summary and
/// up to 20 failing rows with the expected and actual values; <see cref="Results"/> holds every check's result.
/// </summary>
public sealed class FeatureCheckException : DataTestingException
{
    /// <summary>Creates the exception from the results of a run of checks.</summary>
    public FeatureCheckException(IReadOnlyList<FeatureCheckResult> results)
        : base(Describe(results ?? throw new ArgumentNullException(nameof(results))))
    {
        Results = results;
    }

    /// <summary>Every check's result, in the order the checks were added.</summary>
    public IReadOnlyList<FeatureCheckResult> Results { get; }

    private static string Describe(IReadOnlyList<FeatureCheckResult> results)
    {
        var failed = results.Where(r => !r.Success).ToList();
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{failed.Count} of {results.Count} feature checks failed.");
        foreach (var result in failed)
        {
            text.AppendLine().Append("- ").Append(result.Check).Append(": ").Append(result.Summary);
            foreach (var f in result.Failures)
            {
                text.AppendLine().Append("    ");
                text.Append(f.Row >= 0 ? string.Create(CultureInfo.InvariantCulture, $"row {f.Row}, {f.Column}") : f.Column);
                text.Append(": expected ").Append(f.Expected).Append(", actual ").Append(f.Actual);
            }

            if (result.FailureCount > result.Failures.Count)
            {
                text.AppendLine().Append(CultureInfo.InvariantCulture, $"    … {result.FailureCount - result.Failures.Count} more");
            }
        }

        return text.ToString();
    }
}

/// <summary>The direction a directional expectation expects the output to move in.</summary>
public enum Direction
{
    /// <summary>The output never falls as the feature rises.</summary>
    Increasing,

    /// <summary>The output never rises as the feature rises.</summary>
    Decreasing,
}
