using static Mlops.Testing.Tests.TestHelpers;

namespace Mlops.Testing.Tests;

public sealed class AggregateExpectationTests
{
    private static readonly Row[] Data = Xs(4, 1, null, 3, 2, 10);

    [Theory]
    [InlineData("expect_column_min_to_be_between", 1.0)]
    [InlineData("expect_column_max_to_be_between", 10.0)]
    [InlineData("expect_column_mean_to_be_between", 4.0)]
    [InlineData("expect_column_median_to_be_between", 3.0)]
    [InlineData("expect_column_sum_to_be_between", 20.0)]
    public void Statistics_ignore_missing_values_and_check_inclusive_bounds(string type, double expected)
    {
        var exact = Check(Data, type, new { column = "X", min_value = expected, max_value = expected });
        var below = Check(Data, type, new { column = "X", max_value = expected - 0.5 });
        var strict = Check(Data, type, new { column = "X", min_value = expected, strict_min = true });

        Assert.True(exact.Success);
        Assert.Equal(expected, exact.Result.ObservedValue);
        Assert.False(below.Success);
        Assert.False(strict.Success);
    }

    [Fact]
    public void Stdev_is_the_sample_standard_deviation()
    {
        var r = Check(Xs(2, 4, 4, 4, 5, 5, 7, 9), "expect_column_stdev_to_be_between", new { column = "X", min_value = 2.1, max_value = 2.2 });

        Assert.True(r.Success);
        Assert.Equal(Math.Sqrt(32.0 / 7), (double)r.Result.ObservedValue!, 12);
    }

    [Fact]
    public void Median_of_an_even_count_is_the_mean_of_the_middle_values()
    {
        var r = Check(Xs(1, 2, 3, 10), "expect_column_median_to_be_between", new { column = "X", min_value = 2.5, max_value = 2.5 });

        Assert.True(r.Success);
    }

    [Fact]
    public void An_all_missing_column_has_no_statistic_and_fails()
    {
        var r = Check(Xs(null, null), "expect_column_mean_to_be_between", new { column = "X", min_value = 0 });

        Assert.False(r.Success);
        Assert.Null(r.Result.ObservedValue);
    }

    [Fact]
    public void Min_and_max_of_integer_and_date_columns_keep_their_type()
    {
        var rows = new[] { new Row(N: 3, T: new DateTime(2020, 5, 1)), new Row(N: 7, T: new DateTime(2019, 1, 1)) };

        var n = Check(rows, "expect_column_max_to_be_between", new { column = "N", max_value = 10 });
        var t = Check(rows, "expect_column_min_to_be_between", new { column = "T", min_value = "2019-06-01" });

        Assert.Equal(7L, n.Result.ObservedValue);
        Assert.False(t.Success);
        Assert.Equal(new DateTime(2019, 1, 1), t.Result.ObservedValue);
    }

    [Fact]
    public void Mean_of_a_string_column_is_an_evaluation_error()
    {
        var r = Check(Ss("a"), "expect_column_mean_to_be_between", new { column = "S", min_value = 0 });

        Assert.Contains("numeric", r.ExceptionInfo!.ExceptionMessage);
    }

    [Fact]
    public void Quantiles_use_nearest_interpolation_as_gx_on_pandas()
    {
        // Sorted 1..11: q·(n−1) = 0, 2.5→2 (half to even), 5, 10.
        var rows = Xs([.. Enumerable.Range(1, 11).Select(i => (double?)i)]);
        var kwargs = new
        {
            column = "X",
            quantile_ranges = new { quantiles = new[] { 0.0, 0.25, 0.5, 1.0 }, value_ranges = new double?[][] { [1, 1], [3, 3], [6, 6], [11, null] } },
        };

        var r = Check(rows, "expect_column_quantile_values_to_be_between", kwargs);
        var failing = Check(rows, "expect_column_quantile_values_to_be_between", new
        {
            column = "X",
            quantile_ranges = new { quantiles = new[] { 0.5 }, value_ranges = new double?[][] { [null, 5] } },
        });

        Assert.True(r.Success);
        var observed = Assert.IsType<Dictionary<string, object?>>(r.Result.ObservedValue);
        Assert.Equal(new double?[] { 1, 3, 6, 11 }, observed["values"]);
        Assert.False(failing.Success);
    }

    [Fact]
    public void Unique_value_count_and_proportion_count_distinct_present_values()
    {
        var rows = Ss("a", "b", "a", null, "c");

        var count = Check(rows, "expect_column_unique_value_count_to_be_between", new { column = "S", min_value = 3, max_value = 3 });
        var proportion = Check(rows, "expect_column_proportion_of_unique_values_to_be_between", new { column = "S", min_value = 0.75, max_value = 0.75 });

        Assert.True(count.Success);
        Assert.Equal(3L, count.Result.ObservedValue);
        Assert.True(proportion.Success);
        Assert.False(Check(rows, "expect_column_unique_value_count_to_be_between", new { column = "S", max_value = 2 }).Success);
        Assert.False(Check(rows, "expect_column_proportion_of_unique_values_to_be_between", new { column = "S", min_value = 0.75, strict_min = true }).Success);
    }

    [Fact]
    public void Distinct_values_in_contain_and_equal_a_set()
    {
        var rows = Xs(4, 6, null, 8, 4);

        var inSet = Check(rows, "expect_column_distinct_values_to_be_in_set", new { column = "X", value_set = new[] { 3, 4, 5, 6, 8 } });
        Assert.True(inSet.Success);
        Assert.Equal(new object[] { 4.0, 6.0, 8.0 }, inSet.Result.ObservedValue);
        Assert.False(Check(rows, "expect_column_distinct_values_to_be_in_set", new { column = "X", value_set = new[] { 4, 6 } }).Success);
        Assert.True(Check(rows, "expect_column_distinct_values_to_contain_set", new { column = "X", value_set = new[] { 4, 8 } }).Success);
        Assert.False(Check(rows, "expect_column_distinct_values_to_contain_set", new { column = "X", value_set = new[] { 4, 5 } }).Success);
        Assert.True(Check(rows, "expect_column_distinct_values_to_equal_set", new { column = "X", value_set = new[] { 8, 6, 4 } }).Success);
        Assert.False(Check(rows, "expect_column_distinct_values_to_equal_set", new { column = "X", value_set = new[] { 8, 6, 4, 3 } }).Success);
    }

    [Fact]
    public void Distinct_values_of_an_integer_column_compare_with_set_numbers()
    {
        var rows = new[] { new Row(N: 1), new Row(N: 2) };

        Assert.True(Check(rows, "expect_column_distinct_values_to_equal_set", new { column = "N", value_set = new[] { 1, 2 } }).Success);
    }

    [Fact]
    public void Most_common_value_with_and_without_ties()
    {
        var single = Ss("a", "b", "a", null, null, null);
        var tie = Ss("a", "b", "a", "b");

        Assert.True(Check(single, "expect_column_most_common_value_to_be_in_set", new { column = "S", value_set = new[] { "a" } }).Success);
        Assert.False(Check(single, "expect_column_most_common_value_to_be_in_set", new { column = "S", value_set = new[] { "b" } }).Success);
        var strict = Check(tie, "expect_column_most_common_value_to_be_in_set", new { column = "S", value_set = new[] { "a" } });
        Assert.False(strict.Success);
        Assert.Equal(new object[] { "a", "b" }, strict.Result.ObservedValue);
        Assert.True(Check(tie, "expect_column_most_common_value_to_be_in_set", new { column = "S", value_set = new[] { "a" }, ties_okay = true }).Success);
    }
}
