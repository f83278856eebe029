using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Mlops.Testing.Data;
using Mlops.Testing.Reports;
using static Mlops.Testing.Tests.TestHelpers;

namespace Mlops.Testing.Tests;

public sealed class ReportTests
{
    private static async Task<ValidationResult> ResultAsync()
    {
        var suite = ExpectationSuite.Create("orders")
            .ExpectColumnValuesToBeBetween("X", 0, 10)
            .ExpectColumnMeanToBeBetween("X", 0, 100)
            .ExpectColumnValuesToNotBeNull("missing_column")
            .Build();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        return await new DataValidator(timeProvider: clock).ValidateAsync(suite, DataSource.FromEnumerable(Xs(1, 20, null, 30), "orders.csv"));
    }

    [Fact]
    public async Task Json_has_gx_validation_result_fields()
    {
        var json = JsonNode.Parse((await ResultAsync()).ToJson())!;

        Assert.False(json["success"]!.GetValue<bool>());
        Assert.Equal("orders", json["suite_name"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"evaluated_expectations":3,"successful_expectations":1,"unsuccessful_expectations":2,"success_percent":33.333333333333336}"""),
            json["statistics"]));
        var map = json["results"]![0]!;
        Assert.Equal("expect_column_values_to_be_between", map["expectation_config"]!["type"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""
                {"element_count":4,"unexpected_count":2,"unexpected_percent":66.66666666666667,"partial_unexpected_list":[20,30],
                 "missing_count":1,"missing_percent":25,"unexpected_percent_total":50,"unexpected_percent_nonmissing":66.66666666666667,
                 "partial_unexpected_counts":[{"value":20,"count":1},{"value":30,"count":1}],"partial_unexpected_index_list":[1,3]}
                """),
            map["result"]));
        Assert.Equal(17.0, json["results"]![1]!["result"]!["observed_value"]!.GetValue<double>());
        var error = json["results"]![2]!["exception_info"]!;
        Assert.True(error["raised_exception"]!.GetValue<bool>());
        Assert.Contains("missing_column", error["exception_message"]!.GetValue<string>());
        Assert.Equal("2026-01-02T03:04:05.0000000+00:00", json["meta"]!["validation_time"]!.GetValue<string>());
    }

    [Fact]
    public async Task Markdown_shows_the_verdict_a_row_per_expectation_and_the_failing_values()
    {
        var md = MarkdownReport.Render(await ResultAsync());

        Assert.StartsWith("## ❌ Data validation: `orders` on `orders.csv`\n\n**1 of 3** expectations met (33.3%); 2 failed.", md);
        Assert.Contains("| ❌ | `expect_column_values_to_be_between` min_value=0, max_value=10 | X |  | 2 of 3 (66.67%) |", md);
        Assert.Contains("| ✅ | `expect_column_mean_to_be_between` min_value=0, max_value=100 | X | 17 |  |", md);
        Assert.Contains("| ❌ | `expect_column_values_to_not_be_null` | missing_column | error: The column 'missing_column' does not exist", md);
        Assert.Contains("| 1 | 20 |\n| 3 | 30 |", md);
    }

    [Fact]
    public void Markdown_escapes_pipes_and_newlines_in_values()
    {
        var result = ExpectationSuite.Create("s").ExpectColumnValuesToBeInSet("S", ["ok"]).Build().Validate(Ss("a|b\nc"));

        var md = MarkdownReport.Render(result);

        Assert.Contains("| 0 | \"a\\|b c\" |", md);
    }

    [Fact]
    public void A_passing_validation_throws_nothing()
    {
        var suite = ExpectationSuite.Create("s").ExpectColumnValuesToNotBeNull("X").Build();

        DataAssert.Satisfies(Xs(1, 2), suite);
        Assert.Same(suite.Validate(Xs(1)).ThrowIfFailed().Results[0].ExpectationConfig, suite.Expectations[0]);
    }

    [Fact]
    public void The_assertion_message_shows_at_most_twenty_values()
    {
        var suite = ExpectationSuite.Create("s").ExpectColumnValuesToBeBetween("X", null, 0).Build();

        var error = Assert.Throws<DataValidationException>(() => DataAssert.Satisfies(Xs([.. Enumerable.Range(1, 50).Select(i => (double?)i)]), suite));

        Assert.Contains("50 unexpected of 50 rows (100%)", error.Message);
        Assert.Contains("first 20 (row: value): 0: 1, 1: 2,", error.Message);
        Assert.Contains("19: 20", error.Message);
        Assert.DoesNotContain("20: 21", error.Message);
        Assert.IsAssignableFrom<Mlops.Core.MlopsException>(error);
    }
}
