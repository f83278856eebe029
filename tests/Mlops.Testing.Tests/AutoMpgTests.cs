using Mlops.Testing.Data;
using static Mlops.Testing.Tests.TestHelpers;

namespace Mlops.Testing.Tests;

public sealed class AutoMpgTests
{
    // 0-based data rows (line in the file minus 2) of the rows missing each value.
    private static readonly long[] MissingMpg = [10, 11, 12, 13, 14, 17, 39, 367];
    private static readonly long[] MissingHorsepower = [38, 133, 337, 343, 361, 382];

    private static ExpectationSuite NoNulls() => ExpectationSuite.Create("auto_mpg_complete")
        .ExpectTableRowCountToEqual(406)
        .ExpectColumnValuesToNotBeNull("Name")
        .ExpectColumnValuesToNotBeNull("Miles_per_Gallon")
        .ExpectColumnValuesToNotBeNull("Horsepower")
        .ExpectColumnValuesToNotBeNull("Origin")
        .Build();

    [Fact]
    public async Task A_suite_expecting_no_nulls_finds_the_8_rows_missing_mpg_and_the_6_missing_horsepower()
    {
        var result = await NoNulls().ValidateAsync(CsvDataSource.FromFile(DataPath("auto-mpg.csv")));

        Assert.False(result.Success);
        Assert.Equal(new ValidationStatistics(5, 3, 2, 60.0), result.Statistics);
        var mpg = result.Results[2].Result;
        var horsepower = result.Results[3].Result;
        Assert.Equal(8, mpg.UnexpectedCount);
        Assert.Equal(MissingMpg, mpg.PartialUnexpectedIndexList);
        Assert.Equal(6, horsepower.UnexpectedCount);
        Assert.Equal(MissingHorsepower, horsepower.PartialUnexpectedIndexList);
        Assert.Equal(406, mpg.ElementCount);
    }

    [Fact]
    public void The_assertion_message_lists_each_failure_with_its_rows()
    {
        var error = Assert.Throws<DataValidationException>(() => DataAssert.Satisfies(CsvDataSource.FromFile(DataPath("auto-mpg.csv")), NoNulls()));

        Assert.Contains("'auto-mpg.csv' does not meet the suite 'auto_mpg_complete': 2 of 5 expectations failed.", error.Message);
        Assert.Contains("expect_column_values_to_not_be_null(column=\"Miles_per_Gallon\"): 8 unexpected of 406 rows", error.Message);
        Assert.Contains("10: null, 11: null, 12: null, 13: null, 14: null, 17: null, 39: null, 367: null", error.Message);
        Assert.Contains("expect_column_values_to_not_be_null(column=\"Horsepower\"): 6 unexpected of 406 rows", error.Message);
        Assert.Contains("38: null, 133: null, 337: null, 343: null, 361: null, 382: null", error.Message);
        Assert.DoesNotContain("Origin", error.Message);
        Assert.Equal(2, error.Result.Failures.Count());
    }

    [Fact]
    public async Task A_realistic_suite_passes_on_the_complete_rows_of_the_file()
    {
        var suite = ExpectationSuite.Create("auto_mpg")
            .ExpectTableColumnsToMatchOrderedList(["Name", "Miles_per_Gallon", "Cylinders", "Displacement", "Horsepower", "Weight_in_lbs", "Acceleration", "Year", "Origin"])
            .ExpectColumnValuesToBeBetween("Miles_per_Gallon", 5, 60)
            .ExpectColumnValuesToBeInSet("Cylinders", [3, 4, 5, 6, 8])
            .ExpectColumnValuesToBeInSet("Origin", ["USA", "Europe", "Japan"])
            .ExpectColumnValuesToNotBeNull("Horsepower", mostly: 0.98)
            .ExpectColumnMeanToBeBetween("Weight_in_lbs", 2500, 3500)
            .ExpectColumnMostCommonValueToBeInSet("Origin", ["USA"])
            .Expect("expect_column_values_to_be_between", new { column = "Year", min_value = "1970-01-01", max_value = "1982-01-01" })
            .Build();

        var result = await suite.ValidateAsync(CsvDataSource.FromFile(DataPath("auto-mpg.csv")));

        Assert.True(result.Success, DataValidationException.Describe(result));
    }
}
