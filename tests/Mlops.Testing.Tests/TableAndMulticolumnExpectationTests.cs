using static Mlops.Testing.Tests.TestHelpers;

namespace Mlops.Testing.Tests;

public sealed class TableAndMulticolumnExpectationTests
{
    private sealed record Pair(double? A, double? B, string? C = null);

    [Theory]
    [InlineData(3, 3, false, false, true)]
    [InlineData(3, null, true, false, false)]
    [InlineData(null, 3, false, true, false)]
    [InlineData(4, null, false, false, false)]
    public void Row_count_between(int? min, int? max, bool strictMin, bool strictMax, bool success)
    {
        var r = Check(Xs(1, null, 3), "expect_table_row_count_to_be_between", new { min_value = min, max_value = max, strict_min = strictMin, strict_max = strictMax });

        Assert.Equal(success, r.Success);
        Assert.Equal(3L, r.Result.ObservedValue);
    }

    [Fact]
    public void Row_count_of_a_lazy_sequence_is_counted_in_the_pass()
    {
        var rows = Enumerable.Range(0, 5000).Select(i => new Row(X: i));

        Assert.True(Check(rows, "expect_table_row_count_to_equal", new { value = 5000 }).Success);
        Assert.False(Check(rows, "expect_table_row_count_to_equal", new { value = 4999 }).Success);
    }

    [Fact]
    public void Column_count_and_column_sets()
    {
        var rows = Xs(1);

        Assert.True(Check(rows, "expect_table_column_count_to_equal", new { value = 5 }).Success);
        Assert.False(Check(rows, "expect_table_column_count_to_equal", new { value = 4 }).Success);
        Assert.True(Check(rows, "expect_table_column_count_to_be_between", new { min_value = 2, max_value = 5 }).Success);
        Assert.True(Check(rows, "expect_table_columns_to_match_set", new { column_set = new[] { "T", "S", "X", "N", "B" } }).Success);
        Assert.True(Check(rows, "expect_table_columns_to_match_set", new { column_set = new[] { "X", "S" }, exact_match = false }).Success);
        var mismatch = Check(rows, "expect_table_columns_to_match_set", new { column_set = new[] { "X", "S", "Z" } });
        Assert.False(mismatch.Success);
        var details = (Dictionary<string, object?>)mismatch.Result.Details!["mismatched"]!;
        Assert.Equal(["N", "T", "B"], (List<string>)details["unexpected"]!);
        Assert.Equal(["Z"], (List<string>)details["missing"]!);
    }

    [Fact]
    public void Columns_match_ordered_list_and_column_exists()
    {
        var rows = Xs(1);

        Assert.True(Check(rows, "expect_table_columns_to_match_ordered_list", new { column_list = new[] { "X", "S", "N", "T", "B" } }).Success);
        Assert.False(Check(rows, "expect_table_columns_to_match_ordered_list", new { column_list = new[] { "S", "X", "N", "T", "B" } }).Success);
        Assert.True(Check(rows, "expect_column_to_exist", new { column = "S" }).Success);
        Assert.True(Check(rows, "expect_column_to_exist", new { column = "S", column_index = 1 }).Success);
        Assert.False(Check(rows, "expect_column_to_exist", new { column = "S", column_index = 0 }).Success);
        Assert.False(Check(rows, "expect_column_to_exist", new { column = "Q" }).Success);
    }

    [Fact]
    public void Pair_a_greater_than_b_ignores_rows_where_both_are_missing()
    {
        var rows = new[] { new Pair(2, 1), new Pair(1, 1), new Pair(null, null), new Pair(3, null), new Pair(0, 5) };

        var r = Check(rows, "expect_column_pair_values_a_to_be_greater_than_b", new { column_A = "A", column_B = "B" });
        var orEqual = Check(rows, "expect_column_pair_values_a_to_be_greater_than_b", new { column_A = "A", column_B = "B", or_equal = true, ignore_row_if = "either_value_is_missing" });

        Assert.Equal(1, r.Result.MissingCount);
        Assert.Equal([1L, 3L, 4L], r.Result.PartialUnexpectedIndexList);
        Assert.Equal(new object?[] { 1.0, 1.0 }, (IEnumerable<object?>)r.Result.PartialUnexpectedList![0]!);
        Assert.Equal([4L], orEqual.Result.PartialUnexpectedIndexList);
        Assert.True(Check(rows.Take(1), "expect_column_pair_values_a_to_be_greater_than_b", new { column_A = "A", column_B = "B" }).Success);
    }

    [Fact]
    public void Pair_values_equal()
    {
        var rows = new[] { new Pair(1, 1), new Pair(2, 3) };

        Assert.Equal([1L], Check(rows, "expect_column_pair_values_to_be_equal", new { column_A = "A", column_B = "B" }).Result.PartialUnexpectedIndexList);
        Assert.True(Check(rows, "expect_column_pair_values_to_be_equal", new { column_A = "A", column_B = "B", mostly = 0.5 }).Success);
    }

    [Fact]
    public void Compound_columns_unique_flags_every_row_of_a_repeated_combination()
    {
        var rows = new[] { new Pair(1, 1, "x"), new Pair(1, 2, "x"), new Pair(1, 1, "x"), new Pair(null, null, null), new Pair(null, null, null), new Pair(1, 1, "y") };

        var r = Check(rows, "expect_compound_columns_to_be_unique", new { column_list = new[] { "A", "B", "C" } });

        Assert.False(r.Success);
        Assert.Equal(2, r.Result.UnexpectedCount);
        Assert.Equal([0L, 2L], r.Result.PartialUnexpectedIndexList);
        Assert.Equal(2, r.Result.MissingCount);
        Assert.True(Check(rows.Skip(1), "expect_compound_columns_to_be_unique", new { column_list = new[] { "A", "B", "C" } }).Success);
    }

    [Fact]
    public void Multicolumn_sum_to_equal()
    {
        var rows = new[] { new Pair(1, 2), new Pair(3, 0), new Pair(2, null) };

        var r = Check(rows, "expect_multicolumn_sum_to_equal", new { column_list = new[] { "A", "B" }, sum_total = 3 });

        Assert.Equal([2L], r.Result.PartialUnexpectedIndexList);
    }
}
