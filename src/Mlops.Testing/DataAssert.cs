using Mlops.Testing.Data;

namespace Mlops.Testing;

/// <summary>
/// One-line data assertions for any test framework: they return silently when the data meets the suite and otherwise
/// throw a <see cref="DataValidationException"/> whose message lists each failed expectation, its counts and up to 20
/// failing values with their row indexes.
/// </summary>
public static class DataAssert
{
    /// <summary>Asserts that records or plain objects meet the suite.</summary>
    /// <exception cref="DataValidationException">When an expectation fails.</exception>
    public static void Satisfies<T>(IEnumerable<T> rows, ExpectationSuite suite)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(suite);
        suite.Validate(rows).ThrowIfFailed();
    }

    /// <summary>Asserts that a data source meets the suite.</summary>
    /// <exception cref="DataValidationException">When an expectation fails.</exception>
    public static void Satisfies(DataSource source, ExpectationSuite suite) =>
        SatisfiesAsync(source, suite).GetAwaiter().GetResult();

    /// <summary>Asserts that a data source meets the suite.</summary>
    /// <exception cref="DataValidationException">When an expectation fails.</exception>
    public static async Task SatisfiesAsync(DataSource source, ExpectationSuite suite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(suite);
        var result = await suite.ValidateAsync(source, cancellationToken).ConfigureAwait(false);
        result.ThrowIfFailed();
    }
}
