using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mlops.Testing.Tests;

public sealed class SuiteTests
{
    private const string Gx1Suite = """
        {
          "name": "auto_mpg",
          "id": "6d1e4f3a-0000-4000-8000-000000000001",
          "expectations": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "Horsepower"}, "meta": {"owner": "data"}, "id": "e1"},
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": "Miles_per_Gallon", "min_value": 5, "max_value": 60, "strict_min": false, "mostly": 0.95}, "meta": {}},
            {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "Origin", "value_set": ["USA", "Europe", "Japan"]}, "meta": {}, "notes": "Three regions."}
          ],
          "meta": {"great_expectations_version": "1.3.0"},
          "notes": null
        }
        """;

    private const string Gx0Suite = """
        {
          "expectation_suite_name": "auto_mpg",
          "ge_cloud_id": null,
          "data_asset_type": null,
          "expectations": [
            {"expectation_type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1, "max_value": 1000, "result_format": "SUMMARY"}, "meta": {}},
            {"expectation_type": "expect_column_values_to_be_between", "kwargs": {"column": "Year", "min_value": "1970-01-01", "max_value": "1982-12-31", "parse_strings_as_datetimes": true}, "meta": {}}
          ],
          "meta": {"great_expectations_version": "0.18.12"}
        }
        """;

    [Fact]
    public void A_gx_1_suite_is_read()
    {
        var suite = ExpectationSuite.Parse(Gx1Suite);

        Assert.Equal("auto_mpg", suite.Name);
        Assert.Equal(3, suite.Expectations.Count);
        Assert.Equal("expect_column_values_to_not_be_null", suite.Expectations[0].Type);
        Assert.Equal("Horsepower", suite.Expectations[0].Column);
        Assert.Equal("e1", suite.Expectations[0].Id);
        Assert.Equal(0.95, suite.Expectations[1].Kwargs["mostly"].GetDouble());
    }

    [Fact]
    public void A_gx_0_suite_is_read()
    {
        var suite = ExpectationSuite.Parse(Gx0Suite);

        Assert.Equal("auto_mpg", suite.Name);
        Assert.Equal(["expect_table_row_count_to_be_between", "expect_column_values_to_be_between"], suite.Expectations.Select(e => e.Type));
    }

    [Fact]
    public void A_gx_1_suite_round_trips()
    {
        var suite = ExpectationSuite.Parse(Gx1Suite);

        var json = suite.ToJson();
        var again = ExpectationSuite.Parse(json);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Gx1Suite)!["expectations"], JsonNode.Parse(json)!["expectations"]));
        Assert.Equal(json, again.ToJson());
        Assert.Equal("1.3.0", JsonNode.Parse(json)!["meta"]!["great_expectations_version"]!.GetValue<string>());
    }

    [Fact]
    public void A_suite_is_written_in_the_gx_0_shape()
    {
        var json = JsonNode.Parse(ExpectationSuite.Parse(Gx1Suite).ToJson(SuiteJsonFormat.GreatExpectations0))!;

        Assert.Equal("auto_mpg", json["expectation_suite_name"]!.GetValue<string>());
        Assert.Equal("expect_column_values_to_not_be_null", json["expectations"]![0]!["expectation_type"]!.GetValue<string>());
        Assert.Null(json["expectations"]![0]!["type"]);
        Assert.Equal(3, ExpectationSuite.Parse(json.ToJsonString()).Expectations.Count);
    }

    [Fact]
    public void An_unsupported_expectation_is_an_error_that_names_it()
    {
        var json = """{"name": "s", "expectations": [{"type": "expect_column_values_to_be_null", "kwargs": {"column": "d"}}, {"type": "expect_column_values_to_be_dateutil_parseable", "kwargs": {"column": "d"}}]}""";

        var error = Assert.Throws<DataTestingException>(() => ExpectationSuite.Parse(json));

        Assert.Contains("'expect_column_values_to_be_dateutil_parseable' is not supported", error.Message);
    }

    [Theory]
    [InlineData("""{"type": "expect_column_values_to_not_be_null", "kwargs": {}}""", "argument 'column' is required")]
    [InlineData("""{"type": "expect_column_values_to_be_between", "kwargs": {"column": "x", "min_value": 5, "max_value": 1}}""", "'min_value' (5) is greater than 'max_value' (1)")]
    [InlineData("""{"type": "expect_column_values_to_be_between", "kwargs": {"column": "x"}}""", "cannot both be null")]
    [InlineData("""{"type": "expect_column_values_to_be_between", "kwargs": {"column": "x", "min": 1}}""", "argument 'min' is not an argument of expect_column_values_to_be_between")]
    [InlineData("""{"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "x"}}""", "argument 'value_set' is required")]
    [InlineData("""{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "x", "mostly": 1.5}}""", "argument 'mostly' must be between 0 and 1")]
    [InlineData("""{"type": "expect_column_values_to_match_regex", "kwargs": {"column": "x", "regex": "("}}""", "argument 'regex' is not a valid regular expression")]
    [InlineData("""{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "x", "row_condition": "a>1"}}""", "argument 'row_condition' is not supported")]
    [InlineData("""{"type": "expect_column_mean_to_be_between", "kwargs": {"column": "x", "min_value": {"$PARAMETER": "m"}}}""", "suite parameter")]
    public void Bad_arguments_are_errors_that_name_the_expectation_and_argument(string expectation, string message)
    {
        var json = $$$"""{"name": "s", "expectations": [{"type": "expect_table_row_count_to_equal", "kwargs": {"value": 1}}, {{{expectation}}}]}""";

        var error = Assert.Throws<DataTestingException>(() => ExpectationSuite.Parse(json));

        Assert.Contains("Expectation #2", error.Message);
        Assert.Contains(JsonDocument.Parse(expectation).RootElement.GetProperty("type").GetString()!, error.Message);
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"expectations": []}""")]
    [InlineData("""{"name": "s"}""")]
    [InlineData("""{"name": "s", "expectations": [{"kwargs": {}}]}""")]
    public void Json_that_is_not_a_suite_is_an_error(string json)
    {
        Assert.Throws<DataTestingException>(() => ExpectationSuite.Parse(json));
    }

    [Fact]
    public void The_fluent_builder_writes_gx_kwargs()
    {
        var suite = ExpectationSuite.Create("built")
            .ExpectTableRowCountToBeBetween(1, 500)
            .ExpectColumnValuesToBeBetween("mpg", 5, null, strictMin: true, mostly: 0.9)
            .ExpectColumnValuesToBeInSet("origin", ["USA", "Japan"])
            .ExpectColumnQuantileValuesToBeBetween("mpg", [0.5], [(10, 30)])
            .ExpectCompoundColumnsToBeUnique(["a", "b"])
            .WithMeta("owner", "data-team")
            .Build();

        var json = JsonNode.Parse(suite.ToJson())!;
        var between = json["expectations"]![1]!;

        Assert.Equal("expect_column_values_to_be_between", between["type"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"column":"mpg","min_value":5,"strict_min":true,"mostly":0.9}"""), between["kwargs"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"quantiles":[0.5],"value_ranges":[[10,30]]}"""), json["expectations"]![3]!["kwargs"]!["quantile_ranges"]));
        Assert.Equal("data-team", json["meta"]!["owner"]!.GetValue<string>());
    }

    [Fact]
    public void The_builder_checks_arguments_when_building()
    {
        var builder = ExpectationSuite.Create("s").ExpectColumnValuesToBeBetween("x", 10, 1);

        var error = Assert.Throws<DataTestingException>(builder.Build);

        Assert.Contains("Expectation #1 (expect_column_values_to_be_between)", error.Message);
    }

    [Fact]
    public void Every_supported_type_is_listed()
    {
        Assert.Contains("expect_column_values_to_not_be_null", ExpectationSuite.SupportedExpectationTypes);
        Assert.Contains("expect_compound_columns_to_be_unique", ExpectationSuite.SupportedExpectationTypes);
        Assert.True(ExpectationSuite.SupportedExpectationTypes.Count >= 35);
    }
}

public sealed class SuiteFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlops-suite-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_suite_file_is_loaded_and_its_errors_name_the_file()
    {
        var good = Path.Combine(_folder, "good.json");
        var bad = Path.Combine(_folder, "bad.json");
        await File.WriteAllTextAsync(good, """{"name": "g", "expectations": [{"type": "expect_column_to_exist", "kwargs": {"column": "a"}}]}""");
        await File.WriteAllTextAsync(bad, """{"name": "b", "expectations": [{"type": "expect_magic"}]}""");

        var suite = await ExpectationSuite.LoadFileAsync(good);
        var error = await Assert.ThrowsAsync<DataTestingException>(() => ExpectationSuite.LoadFileAsync(bad));

        Assert.Equal("g", suite.Name);
        Assert.Contains("bad.json", error.Message);
        Assert.Contains("'expect_magic' is not supported", error.Message);
    }

    [Fact]
    public async Task A_cancelled_validation_stops()
    {
        var suite = ExpectationSuite.Create("s").ExpectColumnValuesToNotBeNull("a").Build();
        var source = Mlops.Testing.Data.CsvDataSource.FromText("a\n" + string.Join("\n", Enumerable.Range(0, 50_000)));
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => suite.ValidateAsync(source, cancellation.Token));
    }
}
