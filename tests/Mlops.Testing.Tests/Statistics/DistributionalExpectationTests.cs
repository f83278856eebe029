using System.Text.Json;

namespace Mlops.Testing.Tests.Statistics;

/// <summary>
/// The distributional expectations through a GX suite: arguments as GX names them, results with GX's fields, and
/// observed values equal to scipy's on the same data.
/// </summary>
public sealed class DistributionalExpectationTests
{
    private sealed record Sample(string? Letter, double? X);

    private static readonly Sample[] Letters =
        [.. "AAAAABBBCC".Select(c => new Sample(c.ToString(), null))];

    private static ExpectationResult Check(IEnumerable<Sample> rows, string type, string kwargsJson)
    {
        var suite = ExpectationSuite.Parse($$"""{"name": "s", "expectations": [{"type": "{{type}}", "kwargs": {{kwargsJson}}}]}""");
        return suite.Validate(rows).Results.Single();
    }

    private static Dictionary<string, object?> Partition(ExpectationResult r, string which) =>
        (Dictionary<string, object?>)((IReadOnlyDictionary<string, object?>)r.Result.Details!)[which]!;

    private static List<object?> List(object? value) => [.. ((System.Collections.IEnumerable)value!).Cast<object?>()];

    [Fact]
    public void Kl_divergence_reproduces_gx_documented_examples()
    {
        // GX's own examples for ExpectColumnKLDivergenceToBeLessThan on A×5, B×3, C×2.
        var pass = Check(Letters, "expect_column_kl_divergence_to_be_less_than", """{"column": "Letter", "partition_object": {"weights": [0.5, 0.3, 0.2], "values": ["A", "B", "C"]}, "threshold": 0.1}""");
        Assert.True(pass.Success);
        Assert.Equal(0.0, (double)pass.Result.ObservedValue!, 15);
        Assert.Equal([0.5, 0.3, 0.2], List(Partition(pass, "observed_partition")["weights"]));

        var fail = Check(Letters, "expect_column_kl_divergence_to_be_less_than", """{"column": "Letter", "partition_object": {"weights": [0.3333333333333333, 0.3333333333333333, 0.3333333333333333], "values": ["A", "B", "C"]}, "threshold": 0.01}""");
        Assert.False(fail.Success);
        Assert.Equal(0.06895927460353621, (double)fail.Result.ObservedValue!, 14);
        Assert.Equal(["A", "B", "C"], List(Partition(fail, "expected_partition")["values"]));
    }

    [Fact]
    public void Kl_divergence_is_infinite_for_unexpected_values_unless_tail_weight_is_held_out()
    {
        var rows = Letters.Append(new Sample("D", null)).Append(new Sample(null, null)).ToArray();
        var strict = Check(rows, "expect_column_kl_divergence_to_be_less_than", """{"column": "Letter", "partition_object": {"weights": [0.5, 0.3, 0.2], "values": ["A", "B", "C"]}, "threshold": 10}""");
        Assert.False(strict.Success);
        Assert.Null(strict.Result.ObservedValue); // GX reports an infinite divergence as null
        Assert.Contains("\"observed_value\": null", WriteResult(strict), StringComparison.Ordinal);

        var lenient = Check(rows, "expect_column_kl_divergence_to_be_less_than", """{"column": "Letter", "partition_object": {"weights": [0.5, 0.3, 0.2], "values": ["A", "B", "C"]}, "threshold": 10, "tail_weight_holdout": 0.1}""");
        Assert.True(lenient.Success);
        // The expected partition: the named weights shrink by 10 %, the unexpected D gets the 0.1; nulls are not counted.
        Assert.Equal([0.45, 0.27, 0.18, 0.1], List(Partition(lenient, "expected_partition")["weights"]).Select(w => Math.Round((double)w!, 12)));
        var scipy = Scipy.Run([Scipy.Case("entropy", ("p", new[] { 5.0 / 11, 3.0 / 11, 2.0 / 11, 1.0 / 11 }), ("q", new[] { 0.45, 0.27, 0.18, 0.1 }))]);
        Scipy.AssertClose(scipy[0][0], (double)lenient.Result.ObservedValue!, "KL with tail weight holdout");
    }

    private static string WriteResult(ExpectationResult r) => new ValidationResult
    {
        Success = r.Success,
        SuiteName = "s",
        DataSourceName = "d",
        Results = [r],
        Statistics = new ValidationStatistics(1, r.Success ? 1 : 0, r.Success ? 0 : 1, null),
    }.ToJson();

    [Fact]
    public void Kl_divergence_over_continuous_bins_with_tails_and_holdouts_equals_scipy_entropy()
    {
        var random = new Random(5);
        var rows = ScipyDifferentialTests.Normal(random, 2000, 0.2, 1.1).Select(x => new Sample(null, x)).Append(new Sample(null, null)).ToArray();
        var values = rows.Where(r => r.X is not null).Select(r => r.X!.Value).ToArray();
        double[] bins = [-2, -1, 0, 1, 2];
        double[] weights = [0.15, 0.35, 0.35, 0.15];

        // Finite bins, tail_weight_holdout 0.02: tails get 0.01 each, named weights shrink by 2 %.
        var r1 = Check(rows, "expect_column_kl_divergence_to_be_less_than", """{"column": "X", "partition_object": {"bins": [-2, -1, 0, 1, 2], "weights": [0.15, 0.35, 0.35, 0.15]}, "threshold": 0.5, "tail_weight_holdout": 0.02}""");
        var counts = Histogram(values, bins);
        double n = values.Length;
        double[] p1 = [values.Count(v => v < -2) / n, .. counts.Select(c => c / n), values.Count(v => v > 2) / n];
        double[] q1 = [0.01, .. weights.Select(w => w * 0.98), 0.01];

        // Explicit tail weights.
        var r2 = Check(rows, "expect_column_kl_divergence_to_be_less_than", """{"column": "X", "partition_object": {"bins": [-2, -1, 0, 1, 2], "weights": [0.15, 0.3, 0.3, 0.15], "tail_weights": [0.05, 0.05]}, "threshold": 0.5}""");
        double[] q2 = [0.05, 0.15, 0.3, 0.3, 0.15, 0.05];

        // Infinite endpoints with an internal weight holdout for the empty bin.
        var r3 = Check(rows, "expect_column_kl_divergence_to_be_less_than", """{"column": "X", "partition_object": {"bins": ["-Infinity", -1, 0, 1, 30, "Infinity"], "weights": [0.2, 0.3, 0.3, 0.2, 0]}, "threshold": 0.5, "internal_weight_holdout": 0.01}""");
        var counts3 = Histogram(values, [double.NegativeInfinity, -1, 0, 1, 30, double.PositiveInfinity]);
        var p3 = counts3.Select(c => c / n).ToArray();
        double[] q3 = [0.2 * 0.99, 0.3 * 0.99, 0.3 * 0.99, 0.2 * 0.99, 0.01];

        var scipy = Scipy.Run([Scipy.Case("entropy", ("p", p1), ("q", q1)), Scipy.Case("entropy", ("p", p1), ("q", q2)), Scipy.Case("entropy", ("p", p3), ("q", q3))]);
        Scipy.AssertClose(scipy[0][0], (double)r1.Result.ObservedValue!, "finite bins, tail holdout");
        Scipy.AssertClose(scipy[1][0], (double)r2.Result.ObservedValue!, "tail_weights");
        Scipy.AssertClose(scipy[2][0], (double)r3.Result.ObservedValue!, "infinite endpoints, internal holdout");
        Assert.Equal([-2.0, -1.0, 0.0, 1.0, 2.0], List(Partition(r1, "observed_partition")["bins"]));
        Assert.Equal([-1.0, 0.0, 1.0, 30.0], List(Partition(r3, "expected_partition")["bins"]));
        Assert.Equal(2, List(Partition(r1, "observed_partition")["tail_weights"]).Count);
    }

    // numpy.histogram's rule: [e_i, e_{i+1}), the last bin closed.
    private static double[] Histogram(double[] values, double[] edges) =>
        [.. Enumerable.Range(0, edges.Length - 1).Select(i => (double)values.Count(v => v >= edges[i] && (i == edges.Length - 2 ? v <= edges[i + 1] : v < edges[i + 1])))];

    [Fact]
    public void Chi_square_p_value_equals_scipy_chisquare_on_counts_against_weights()
    {
        var random = new Random(9);
        var rows = Enumerable.Range(0, 600).Select(_ => new Sample(random.NextDouble() switch { < 0.45 => "A", < 0.8 => "B", < 0.98 => "C", _ => "Z" }, null)).ToArray();
        var ok = Check(rows, "expect_column_chisquare_test_p_value_to_be_greater_than", """{"column": "Letter", "partition_object": {"values": ["A", "B", "C", "D"], "weights": [0.45, 0.35, 0.15, 0.05]}, "p": 0.05, "tail_weight_holdout": 0.02}""");
        Assert.Null(ok.ExceptionInfo?.ExceptionMessage);
        double n = rows.Length;
        var observed = new[] { "A", "B", "C", "D", "Z" }.Select(v => (double)rows.Count(r => r.Letter == v)).ToArray();
        double[] expected = [0.45 * n * 0.98, 0.35 * n * 0.98, 0.15 * n * 0.98, 0.05 * n * 0.98, n * 0.02];
        var scipy = Scipy.Run([Scipy.Case("chisquare", ("observed", observed), ("expected", expected))]);
        Scipy.AssertClose(scipy[0][1], (double)ok.Result.ObservedValue!, "chi-square p");
        Assert.Equal(scipy[0][1] > 0.05, ok.Success);
        Assert.Equal(observed.Cast<object?>(), List(Partition(ok, "observed_partition")["weights"]));

        // Without a holdout a value the partition does not name is expected 0 times: χ² is infinite, p is 0.
        var strict = Check(rows, "expect_column_chisquare_test_p_value_to_be_greater_than", """{"column": "Letter", "partition_object": {"values": ["A", "B", "C"], "weights": [0.45, 0.35, 0.2]}}""");
        Assert.False(strict.Success);
        Assert.Equal(0.0, (double)strict.Result.ObservedValue!);

        // Weights that pass GX's partition check (numpy allclose) but not scipy's 1e-8 agreement of totals: scipy
        // raises, so the expectation reports an exception rather than a p-value.
        var refused = Check(rows, "expect_column_chisquare_test_p_value_to_be_greater_than", """{"column": "Letter", "partition_object": {"values": ["A", "B", "C", "Z"], "weights": [0.333333, 0.333333, 0.333333, 0]}}""");
        Assert.False(refused.Success);
        Assert.Contains("scipy's chisquare allows 1e-8", refused.ExceptionInfo!.ExceptionMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Parameterized_ks_p_value_equals_scipy_kstest_with_gx_parameter_names()
    {
        var random = new Random(21);
        var rows = ScipyDifferentialTests.Normal(random, 800, 10, 2).Select(x => new Sample(null, x)).Append(new Sample(null, null)).ToArray();
        var values = rows.Where(r => r.X is not null).Select(r => r.X!.Value).ToArray();
        var norm = Check(rows, "expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than", """{"column": "X", "distribution": "norm", "params": {"mean": 10, "std_dev": 2}, "p_value": 0.05}""");
        var shifted = Check(rows, "expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than", """{"column": "X", "distribution": "norm", "params": [10.5, 2]}""");
        // GX's named uniform parameters pass max as scipy's scale: support [min, min + max].
        var uniform = Check(rows, "expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than", """{"column": "X", "distribution": "uniform", "params": {"min": 0, "max": 20}}""");
        var scipy = Scipy.Run(
        [
            Scipy.Case("kstest", ("x", values), ("distribution", "norm"), ("args", new[] { 10.0, 2 })),
            Scipy.Case("kstest", ("x", values), ("distribution", "norm"), ("args", new[] { 10.5, 2 })),
            Scipy.Case("kstest", ("x", values), ("distribution", "uniform"), ("args", new[] { 0.0, 20 })),
        ]);
        Scipy.AssertClose(scipy[0][1], (double)norm.Result.ObservedValue!, "norm p");
        Scipy.AssertClose(scipy[1][1], (double)shifted.Result.ObservedValue!, "shifted p");
        Scipy.AssertClose(scipy[2][1], (double)uniform.Result.ObservedValue!, "uniform p");
        Assert.True(norm.Success);
        Assert.False(shifted.Success);
        var details = (IReadOnlyDictionary<string, object?>)norm.Result.Details!;
        Assert.Equal(new[] { 10.0, 2.0 }, (double[])details["expected_params"]!);
        Scipy.AssertClose(scipy[0][0], ((double[])details["observed_ks_result"]!)[0], "norm D");
    }

    [Fact]
    public void Results_serialise_with_gx_fields()
    {
        var suite = ExpectationSuite.Parse("""
            {"expectation_suite_name": "dist", "expectations": [
              {"expectation_type": "expect_column_kl_divergence_to_be_less_than", "kwargs": {"column": "Letter", "partition_object": {"weights": [0.5, 0.3, 0.2], "values": ["A", "B", "C"]}, "threshold": 0.1}},
              {"expectation_type": "expect_column_chisquare_test_p_value_to_be_greater_than", "kwargs": {"column": "Letter", "partition_object": {"weights": [0.5, 0.3, 0.2], "values": ["A", "B", "C"]}}}
            ]}
            """);
        var result = suite.Validate(Letters);
        Assert.True(result.Success);
        using var json = JsonDocument.Parse(result.ToJson());
        var first = json.RootElement.GetProperty("results")[0].GetProperty("result");
        Assert.Equal(0.0, first.GetProperty("observed_value").GetDouble(), 15);
        Assert.Equal("A", first.GetProperty("details").GetProperty("observed_partition").GetProperty("values")[0].GetString());
        var second = json.RootElement.GetProperty("results")[1].GetProperty("result");
        Assert.Equal(1.0, second.GetProperty("observed_value").GetDouble(), 12);
    }

    [Theory]
    [InlineData("expect_column_kl_divergence_to_be_less_than", """{"column": "X", "partition_object": {"values": ["A"], "weights": [0.7]}}""", "partition_object")]
    [InlineData("expect_column_kl_divergence_to_be_less_than", """{"column": "X", "partition_object": {"bins": [0, 1, 1], "weights": [0.5, 0.5]}}""", "strictly increasing")]
    [InlineData("expect_column_kl_divergence_to_be_less_than", """{"column": "X", "partition_object": {"bins": [0, 1, 2], "weights": [0.5, 0.5]}, "bucketize_data": false}""", "bucketize_data")]
    [InlineData("expect_column_kl_divergence_to_be_less_than", """{"column": "X", "partition_object": {"values": ["A"], "weights": [1]}, "internal_weight_holdout": 0.1}""", "internal_weight_holdout")]
    [InlineData("expect_column_kl_divergence_to_be_less_than", """{"column": "X", "partition_object": {"bins": [0, 1], "weights": [1]}, "threshold": -1}""", "threshold")]
    [InlineData("expect_column_chisquare_test_p_value_to_be_greater_than", """{"column": "X", "partition_object": {"bins": [0, 1], "weights": [1]}}""", "categorical")]
    [InlineData("expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than", """{"column": "X", "distribution": "cauchy", "params": [0, 1]}""", "cauchy")]
    [InlineData("expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than", """{"column": "X", "distribution": "norm", "params": {"mean": 0, "std_dev": -1}}""", "positive")]
    [InlineData("expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than", """{"column": "X", "distribution": "norm", "params": [0, 1], "p_value": 1}""", "p_value")]
    [InlineData("expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than", """{"column": "X", "distribution": "beta", "params": {"alpha": 1}}""", "beta")]
    [InlineData("expect_column_bootstrapped_ks_test_p_value_to_be_greater_than", """{"column": "X", "partition_object": {"bins": [0, 1], "weights": [1]}}""", "not supported")]
    public void Invalid_arguments_are_errors_that_name_them(string type, string kwargs, string named)
    {
        var error = Assert.Throws<DataTestingException>(() => ExpectationSuite.Parse($$"""{"name": "s", "expectations": [{"type": "{{type}}", "kwargs": {{kwargs}}}]}"""));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_partition_compares_the_column_with_itself_as_gx_profiling_does()
    {
        var categorical = Check(Letters, "expect_column_kl_divergence_to_be_less_than", """{"column": "Letter", "partition_object": null, "bucketize_data": false, "threshold": 0}""");
        Assert.True(categorical.Success);
        Assert.Equal(0.0, (double)categorical.Result.ObservedValue!);
        var random = new Random(1);
        var rows = ScipyDifferentialTests.Normal(random, 500).Select(x => new Sample(null, x)).ToArray();
        var continuous = Check(rows, "expect_column_kl_divergence_to_be_less_than", """{"column": "X", "threshold": 1e-12}""");
        Assert.True(continuous.Success);
        Assert.Equal(0.0, (double)continuous.Result.ObservedValue!, 12);
        Assert.True(List(Partition(continuous, "expected_partition")["bins"]).Count > 5);
    }

    [Fact]
    public void A_numeric_column_is_needed_for_bins_and_for_the_ks_test()
    {
        var bins = Check(Letters, "expect_column_kl_divergence_to_be_less_than", """{"column": "Letter", "partition_object": {"bins": [0, 1], "weights": [1]}}""");
        Assert.Contains("numeric", bins.ExceptionInfo!.ExceptionMessage, StringComparison.Ordinal);
        var ks = Check(Letters, "expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than", """{"column": "Letter", "distribution": "norm", "params": [0, 1]}""");
        Assert.Contains("numeric", ks.ExceptionInfo!.ExceptionMessage, StringComparison.Ordinal);
    }
}
