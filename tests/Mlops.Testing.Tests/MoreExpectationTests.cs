using Mlops.Testing.Data;
using static Mlops.Testing.Tests.TestHelpers;

namespace Mlops.Testing.Tests;

public sealed class MoreExpectationTests
{
    [Fact]
    public void Z_scores_use_the_mean_and_sample_deviation_of_a_first_pass()
    {
        // mean 5, sample sd 2.138…: z(9) = 1.87, z(2) = -1.40, z(4) = -0.47.
        var rows = Xs(2, 4, 4, 4, 5, 5, 7, 9, null);

        var oneSided = Check(rows, "expect_column_value_z_scores_to_be_less_than", new { column = "X", threshold = 1.5 });
        var twoSided = Check(rows, "expect_column_value_z_scores_to_be_less_than", new { column = "X", threshold = 1.3, double_sided = true });

        Assert.Equal([9.0], oneSided.Result.PartialUnexpectedList);
        Assert.Equal([7L], oneSided.Result.PartialUnexpectedIndexList);
        Assert.Equal(1, oneSided.Result.MissingCount);
        Assert.Equal([2.0, 9.0], twoSided.Result.PartialUnexpectedList);
        Assert.True(Check(rows, "expect_column_value_z_scores_to_be_less_than", new { column = "X", threshold = 1.3, double_sided = true, mostly = 0.75 }).Success);
    }

    [Fact]
    public async Task Z_scores_run_in_a_second_pass_alongside_single_pass_expectations()
    {
        var suite = ExpectationSuite.Create("s")
            .Expect("expect_column_value_z_scores_to_be_less_than", new { column = "a", threshold = 1 })
            .ExpectColumnValuesToNotBeNull("b")
            .Build();
        var source = CsvDataSource.FromText("a,b\n1,x\n2,\n3,y\n10,z\n");

        var result = await suite.ValidateAsync(source);

        Assert.Equal([3L], result.Results[0].Result.PartialUnexpectedIndexList);
        Assert.Equal([1L], result.Results[1].Result.PartialUnexpectedIndexList);
    }

    [Theory]
    [InlineData("X", "float64", true)]
    [InlineData("X", "int64", false)]
    [InlineData("N", "int", true)]
    [InlineData("S", "str", true)]
    [InlineData("S", "object", true)]
    [InlineData("T", "datetime64[ns]", true)]
    [InlineData("B", "bool", true)]
    public void Of_type_accepts_pandas_python_and_spark_names(string column, string type, bool success)
    {
        var r = Check(Xs(1), "expect_column_values_to_be_of_type", new { column, type_ = type });

        Assert.Equal(success, r.Success);
    }

    [Fact]
    public void In_type_list_reports_the_observed_type()
    {
        var r = Check(Xs(1), "expect_column_values_to_be_in_type_list", new { column = "X", type_list = new[] { "int", "str" } });

        Assert.False(r.Success);
        Assert.Equal("float64", r.Result.ObservedValue);
        Assert.True(Check(Xs(1), "expect_column_values_to_be_in_type_list", new { column = "X", type_list = new[] { "int", "float" } }).Success);
    }
}
