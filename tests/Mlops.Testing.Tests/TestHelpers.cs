using Mlops.Testing.Data;

namespace Mlops.Testing.Tests;

/// <summary>A row with one column of each type, for expectation tests.</summary>
public sealed record Row(double? X = null, string? S = null, long? N = null, DateTime? T = null, bool? B = null);

internal static class TestHelpers
{
    public static string DataPath(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    /// <summary>Validates rows against a one-expectation suite and returns its result.</summary>
    public static ExpectationResult Check<T>(IEnumerable<T> rows, string type, object kwargs)
    {
        var suite = ExpectationSuite.Create("t").Expect(type, kwargs).Build();
        return suite.Validate(rows).Results.Single();
    }

    public static ExpectationResult Check(DataSource source, string type, object kwargs)
    {
        var suite = ExpectationSuite.Create("t").Expect(type, kwargs).Build();
        return suite.ValidateAsync(source).GetAwaiter().GetResult().Results.Single();
    }

    public static Row[] Xs(params double?[] values) => [.. values.Select(v => new Row(X: v))];

    public static Row[] Ss(params string?[] values) => [.. values.Select(v => new Row(S: v))];

    /// <summary>Reads every row of one column as boxed values.</summary>
    public static async Task<List<object?>> ReadColumnAsync(DataSource source, string column, int batchSize = 3)
    {
        var values = new List<object?>();
        await foreach (var batch in source.ReadAsync([column], batchSize))
        {
            for (var i = 0; i < batch.RowCount; i++)
            {
                values.Add(batch[column].GetValue(i));
            }
        }

        return values;
    }
}
