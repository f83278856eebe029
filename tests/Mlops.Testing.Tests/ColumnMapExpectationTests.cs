using static Mlops.Testing.Tests.TestHelpers;

namespace Mlops.Testing.Tests;

public sealed class ColumnMapExpectationTests
{
    [Fact]
    public void Not_null_counts_every_row_and_lists_the_missing_rows()
    {
        var r = Check(Xs(1, null, 3, null), "expect_column_values_to_not_be_null", new { column = "X" });

        Assert.False(r.Success);
        Assert.Equal(4, r.Result.ElementCount);
        Assert.Equal(2, r.Result.UnexpectedCount);
        Assert.Equal(50.0, r.Result.UnexpectedPercent);
        Assert.Equal([null, null], r.Result.PartialUnexpectedList);
        Assert.Equal([1L, 3L], r.Result.PartialUnexpectedIndexList);
        Assert.Equal([new UnexpectedValueCount(null, 2)], r.Result.PartialUnexpectedCounts);
        Assert.Null(r.Result.MissingCount);
    }

    [Theory]
    [InlineData(0.5, true)]
    [InlineData(0.51, false)]
    public void Not_null_with_mostly_counts_nulls_as_considered_rows(double mostly, bool success)
    {
        Assert.Equal(success, Check(Xs(1, null, 3, null), "expect_column_values_to_not_be_null", new { column = "X", mostly }).Success);
    }

    [Fact]
    public void Not_null_passes_without_missing_values()
    {
        Assert.True(Check(Ss("a", "b"), "expect_column_values_to_not_be_null", new { column = "S" }).Success);
    }

    [Fact]
    public void Be_null_lists_the_present_values()
    {
        var r = Check(Ss(null, "x", null), "expect_column_values_to_be_null", new { column = "S" });

        Assert.False(r.Success);
        Assert.Equal(["x"], r.Result.PartialUnexpectedList);
        Assert.Equal([1L], r.Result.PartialUnexpectedIndexList);
        Assert.True(Check(Ss(null, null), "expect_column_values_to_be_null", new { column = "S" }).Success);
        Assert.True(Check(Ss(null, "x", null), "expect_column_values_to_be_null", new { column = "S", mostly = 0.6 }).Success);
    }

    [Fact]
    public void Between_is_inclusive_and_ignores_missing_values()
    {
        var r = Check(Xs(1, 5, null, 10, 11, 0), "expect_column_values_to_be_between", new { column = "X", min_value = 1, max_value = 10 });

        Assert.False(r.Success);
        Assert.Equal(6, r.Result.ElementCount);
        Assert.Equal(1, r.Result.MissingCount);
        Assert.Equal(100.0 / 6, r.Result.MissingPercent);
        Assert.Equal(2, r.Result.UnexpectedCount);
        Assert.Equal(40.0, r.Result.UnexpectedPercent);
        Assert.Equal(40.0, r.Result.UnexpectedPercentNonmissing);
        Assert.Equal(200.0 / 6, r.Result.UnexpectedPercentTotal);
        Assert.Equal([11.0, 0.0], r.Result.PartialUnexpectedList);
        Assert.Equal([4L, 5L], r.Result.PartialUnexpectedIndexList);
    }

    [Theory]
    [InlineData(false, false, 0)]
    [InlineData(true, false, 1)]
    [InlineData(false, true, 1)]
    [InlineData(true, true, 2)]
    public void Strict_bounds_exclude_the_bound_itself(bool strictMin, bool strictMax, int unexpected)
    {
        var r = Check(Xs(1, 5, 10), "expect_column_values_to_be_between", new { column = "X", min_value = 1, max_value = 10, strict_min = strictMin, strict_max = strictMax });

        Assert.Equal(unexpected, r.Result.UnexpectedCount);
    }

    [Fact]
    public void Between_with_one_open_bound()
    {
        Assert.True(Check(Xs(-1e9, 3), "expect_column_values_to_be_between", new { column = "X", max_value = 3 }).Success);
        Assert.False(Check(Xs(-1e9, 3), "expect_column_values_to_be_between", new { column = "X", min_value = 0 }).Success);
    }

    [Theory]
    [InlineData(0.75, true)]
    [InlineData(0.8, false)]
    public void Mostly_ignores_missing_rows(double mostly, bool success)
    {
        // 4 considered rows (2 missing ignored), 1 unexpected: 75% expected.
        var r = Check(Xs(1, 2, null, 3, null, 99), "expect_column_values_to_be_between", new { column = "X", min_value = 0, max_value = 10, mostly });

        Assert.Equal(success, r.Success);
    }

    [Fact]
    public void An_all_missing_column_meets_a_map_expectation()
    {
        var r = Check(Xs(null, null), "expect_column_values_to_be_between", new { column = "X", min_value = 0, max_value = 1 });

        Assert.True(r.Success);
        Assert.Equal(0, r.Result.UnexpectedCount);
        Assert.Null(r.Result.UnexpectedPercent);
    }

    [Fact]
    public void Between_compares_dates_and_integers_in_their_domain()
    {
        var rows = new[] { new Row(T: new DateTime(2020, 1, 1), N: 5), new Row(T: new DateTime(2021, 6, 1), N: 50) };

        var dates = Check(rows, "expect_column_values_to_be_between", new { column = "T", min_value = "2020-01-01", max_value = "2020-12-31" });
        var ints = Check(rows, "expect_column_values_to_be_between", new { column = "N", min_value = 0, max_value = 10 });

        Assert.Equal([new DateTime(2021, 6, 1)], dates.Result.PartialUnexpectedList);
        Assert.Equal([50L], ints.Result.PartialUnexpectedList);
    }

    [Fact]
    public void Between_with_a_bound_that_does_not_fit_the_column_is_an_evaluation_error()
    {
        var r = Check(Xs(1), "expect_column_values_to_be_between", new { column = "X", min_value = "a" });

        Assert.False(r.Success);
        Assert.NotNull(r.ExceptionInfo);
        Assert.Contains("min_value", r.ExceptionInfo.ExceptionMessage);
    }

    [Fact]
    public void In_set_and_not_in_set()
    {
        var rows = Ss("USA", "Japan", null, "Mars", "Mars");

        var inSet = Check(rows, "expect_column_values_to_be_in_set", new { column = "S", value_set = new[] { "USA", "Japan", "Europe" } });
        var notInSet = Check(rows, "expect_column_values_to_not_be_in_set", new { column = "S", value_set = new[] { "Mars" } });

        Assert.Equal(2, inSet.Result.UnexpectedCount);
        Assert.Equal([new UnexpectedValueCount("Mars", 2)], inSet.Result.PartialUnexpectedCounts);
        Assert.Equal(1, inSet.Result.MissingCount);
        Assert.Equal(2, notInSet.Result.UnexpectedCount);
        Assert.Equal([3L, 4L], notInSet.Result.PartialUnexpectedIndexList);
        Assert.True(Check(rows, "expect_column_values_to_be_in_set", new { column = "S", value_set = new[] { "USA", "Japan" }, mostly = 0.5 }).Success);
        Assert.True(Check(Xs(4, 6, 8), "expect_column_values_to_be_in_set", new { column = "X", value_set = new[] { 4, 6, 8 } }).Success);
        Assert.True(Check(rows, "expect_column_values_to_not_be_in_set", new { column = "S", value_set = new[] { "Venus" } }).Success);
    }

    [Fact]
    public void Unique_flags_every_occurrence_of_a_repeated_value_in_row_order()
    {
        var r = Check(Ss("a", "b", "a", null, null, "c", "b", "a"), "expect_column_values_to_be_unique", new { column = "S" });

        Assert.False(r.Success);
        Assert.Equal(5, r.Result.UnexpectedCount);
        Assert.Equal(2, r.Result.MissingCount);
        Assert.Equal([0L, 1L, 2L, 6L, 7L], r.Result.PartialUnexpectedIndexList);
        Assert.Equal(["a", "b", "a", "b", "a"], r.Result.PartialUnexpectedList);
        Assert.Equal([new UnexpectedValueCount("a", 3), new UnexpectedValueCount("b", 2)], r.Result.PartialUnexpectedCounts);
        Assert.True(Check(Ss("a", "b", null, null), "expect_column_values_to_be_unique", new { column = "S" }).Success);
    }

    [Fact]
    public void Unique_keeps_the_first_twenty_unexpected_rows_by_index()
    {
        // Each value appears at i and at 30 + i: the first occurrences are found late but come first.
        var values = Enumerable.Range(0, 30).Concat(Enumerable.Range(0, 30)).Select(i => (double?)i).ToArray();

        var r = Check(Xs(values), "expect_column_values_to_be_unique", new { column = "X" });

        Assert.Equal(60, r.Result.UnexpectedCount);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), r.Result.PartialUnexpectedIndexList);
    }

    [Fact]
    public void Regex_matches_anywhere_unless_anchored()
    {
        var rows = Ss("abc-123", "ABC", "x1", null);

        var match = Check(rows, "expect_column_values_to_match_regex", new { column = "S", regex = "[0-9]+" });
        var anchored = Check(rows, "expect_column_values_to_match_regex", new { column = "S", regex = "^[a-z]+-[0-9]{3}$" });
        var notMatch = Check(rows, "expect_column_values_to_not_match_regex", new { column = "S", regex = "^[A-Z]+$" });

        Assert.Equal(["ABC"], match.Result.PartialUnexpectedList);
        Assert.Equal(["ABC", "x1"], anchored.Result.PartialUnexpectedList);
        Assert.Equal(["ABC"], notMatch.Result.PartialUnexpectedList);
        Assert.True(Check(rows, "expect_column_values_to_match_regex", new { column = "S", regex = "[0-9]+", mostly = 0.6 }).Success);
    }

    [Fact]
    public void Regex_lists_match_any_or_all()
    {
        var rows = Ss("a1", "b", "1");

        Assert.Equal(0, Check(rows, "expect_column_values_to_match_regex_list", new { column = "S", regex_list = new[] { "[a-z]", "[0-9]" } }).Result.UnexpectedCount);
        Assert.Equal(["b", "1"], Check(rows, "expect_column_values_to_match_regex_list", new { column = "S", regex_list = new[] { "[a-z]", "[0-9]" }, match_on = "all" }).Result.PartialUnexpectedList);
        Assert.Equal(["a1", "1"], Check(rows, "expect_column_values_to_not_match_regex_list", new { column = "S", regex_list = new[] { "[0-9]" } }).Result.PartialUnexpectedList);
    }

    [Fact]
    public void Regex_on_a_numeric_column_is_an_evaluation_error()
    {
        var r = Check(Xs(1), "expect_column_values_to_match_regex", new { column = "X", regex = "1" });

        Assert.Contains("string columns", r.ExceptionInfo!.ExceptionMessage);
    }

    [Fact]
    public void Value_lengths_count_code_points()
    {
        var rows = Ss("ab", "abcd", "😀😀", null, "a");

        var between = Check(rows, "expect_column_value_lengths_to_be_between", new { column = "S", min_value = 2, max_value = 3 });
        var equal = Check(rows, "expect_column_value_lengths_to_equal", new { column = "S", value = 2 });

        Assert.Equal(["abcd", "a"], between.Result.PartialUnexpectedList);
        Assert.Equal(["abcd", "a"], equal.Result.PartialUnexpectedList);
        Assert.True(Check(rows, "expect_column_value_lengths_to_be_between", new { column = "S", min_value = 1 }).Success);
    }

    [Fact]
    public void Increasing_and_decreasing_compare_with_the_previous_present_value()
    {
        var rows = Xs(1, 2, null, 2, 5, 4, 6);

        var increasing = Check(rows, "expect_column_values_to_be_increasing", new { column = "X" });
        var strictly = Check(rows, "expect_column_values_to_be_increasing", new { column = "X", strictly = true });
        var decreasing = Check(Xs(3, 2, 2, 1), "expect_column_values_to_be_decreasing", new { column = "X" });

        Assert.Equal([5L], increasing.Result.PartialUnexpectedIndexList);
        Assert.Equal([3L, 5L], strictly.Result.PartialUnexpectedIndexList);
        Assert.True(decreasing.Success);
        Assert.False(Check(Xs(3, 2, 2, 1), "expect_column_values_to_be_decreasing", new { column = "X", strictly = true }).Success);
    }

    [Fact]
    public void Partial_lists_hold_at_most_twenty_values()
    {
        var r = Check(Xs([.. Enumerable.Range(0, 100).Select(i => (double?)i)]), "expect_column_values_to_be_between", new { column = "X", max_value = -1 });

        Assert.Equal(100, r.Result.UnexpectedCount);
        Assert.Equal(20, r.Result.PartialUnexpectedList!.Count);
        Assert.Equal(20, r.Result.PartialUnexpectedIndexList!.Count);
        Assert.Equal(20, r.Result.PartialUnexpectedCounts!.Count);
    }

    [Fact]
    public void A_missing_column_fails_with_an_exception_info_that_names_it()
    {
        var r = Check(Xs(1), "expect_column_values_to_not_be_null", new { column = "nope" });

        Assert.False(r.Success);
        Assert.Contains("'nope' does not exist", r.ExceptionInfo!.ExceptionMessage);
    }
}
