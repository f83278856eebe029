using System.Text.Json.Nodes;
using Mlops.Testing.Data;
using Mlops.Testing.Profiling;
using static Mlops.Testing.Tests.TestHelpers;

namespace Mlops.Testing.Tests.Profiling;

public sealed class SuiteProfilerTests
{
    public sealed record Order(long Id, string Channel, double Amount, string? Coupon, bool Express, DateTime Placed, string? Note);

    // 500 orders: unique ids, 3 channels, amounts 5–504.5, a coupon missing in 2% of rows, a note missing in 40%.
    private static List<Order> Orders() => [.. Enumerable.Range(0, 500).Select(i => new Order(
        Id: 1000 + i,
        Channel: (i % 3) switch { 0 => "web", 1 => "store", _ => "phone" },
        Amount: 5 + i,
        Coupon: i % 50 == 7 ? null : "C" + (i % 7),
        Express: i % 4 == 0,
        Placed: new DateTime(2025, 1, 1).AddDays(i % 90),
        Note: i % 5 < 2 ? null : "note " + i))];

    private static JsonNode Kwargs(ExpectationSuite suite, string type, string? column = null) =>
        JsonNode.Parse(suite.ToJson())!["expectations"]!.AsArray()
            .Single(e => e!["type"]!.GetValue<string>() == type && (column is null || e["kwargs"]!["column"]?.GetValue<string>() == column))!["kwargs"]!;

    private static bool Has(ExpectationSuite suite, string type, string column) =>
        suite.Expectations.Any(e => e.Type == type && e.Column == column);

    [Fact]
    public async Task The_draft_of_auto_mpg_validates_auto_mpg_and_says_what_a_person_would()
    {
        var source = CsvDataSource.FromFile(DataPath("auto-mpg.csv"));

        var suite = await SuiteProfiler.ProfileAsync(source);
        var result = await suite.ValidateAsync(source);

        Assert.True(result.Success, DataValidationException.Describe(result));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"column_list":["Name","Miles_per_Gallon","Cylinders","Displacement","Horsepower","Weight_in_lbs","Acceleration","Year","Origin"]}"""),
            Kwargs(suite, "expect_table_columns_to_match_ordered_list")));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"min_value":365,"max_value":447}"""), Kwargs(suite, "expect_table_row_count_to_be_between")));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"column":"Origin","value_set":["Europe","Japan","USA"]}"""), Kwargs(suite, "expect_column_values_to_be_in_set", "Origin")));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"column":"Cylinders","value_set":[3,4,5,6,8]}"""), Kwargs(suite, "expect_column_values_to_be_in_set", "Cylinders")));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"column":"Cylinders","type_":"float64"}"""), Kwargs(suite, "expect_column_values_to_be_of_type", "Cylinders")));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"column":"Year","type_":"datetime64[ns]"}"""), Kwargs(suite, "expect_column_values_to_be_of_type", "Year")));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"column":"Year","min_value":"1970-01-01","max_value":"1982-01-01"}"""), Kwargs(suite, "expect_column_values_to_be_between", "Year")));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"column":"Name","type_":"str"}"""), Kwargs(suite, "expect_column_values_to_be_of_type", "Name")));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"column":"Acceleration","min_value":8,"max_value":24.8}"""), Kwargs(suite, "expect_column_values_to_be_between", "Acceleration")));

        // 8 of 406 rows miss miles per gallon (98.03% present), 6 miss horsepower (98.52%): mostly, rounded down.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"column":"Miles_per_Gallon","mostly":0.98}"""), Kwargs(suite, "expect_column_values_to_not_be_null", "Miles_per_Gallon")));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"column":"Horsepower","mostly":0.985}"""), Kwargs(suite, "expect_column_values_to_not_be_null", "Horsepower")));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"column":"Origin"}"""), Kwargs(suite, "expect_column_values_to_not_be_null", "Origin")));

        // Car names repeat ("ford pinto"), and there are more than 20 of them: neither unique nor a set.
        Assert.False(Has(suite, "expect_column_values_to_be_unique", "Name"));
        Assert.False(Has(suite, "expect_column_values_to_be_in_set", "Name"));
        Assert.True(Has(suite, "expect_column_value_lengths_to_be_between", "Name"));
        Assert.False(Has(suite, "expect_column_values_to_be_in_set", "Acceleration"));
        Assert.False(Has(suite, "expect_column_values_to_be_unique", "Acceleration"));
    }

    [Fact]
    public async Task The_draft_is_gx_1_json_that_reads_back_and_still_validates()
    {
        var source = DataSource.FromEnumerable(Orders(), "orders");
        var suite = await SuiteProfiler.ProfileAsync(source, new ProfileOptions { SuiteName = "orders_draft" });

        var json = JsonNode.Parse(suite.ToJson())!;
        var reread = ExpectationSuite.Parse(json.ToJsonString());

        Assert.Equal("orders_draft", json["name"]!.GetValue<string>());
        Assert.All(json["expectations"]!.AsArray(), e => Assert.NotNull(e!["type"]));
        Assert.Equal("orders", json["meta"]!["profiled_from"]!.GetValue<string>());
        Assert.True((await reread.ValidateAsync(source)).Success);
    }

    [Fact]
    public async Task Generated_data_gets_unique_ids_sets_ranges_and_mostly_and_its_defects_are_caught()
    {
        var orders = Orders();
        var suite = await SuiteProfiler.ProfileAsync(DataSource.FromEnumerable(orders, "orders"));

        Assert.True(suite.Validate(orders).Success);
        Assert.True(Has(suite, "expect_column_values_to_be_unique", "Id"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"column":"Id","min_value":1000,"max_value":1499}"""), Kwargs(suite, "expect_column_values_to_be_between", "Id")));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"column":"Channel","value_set":["phone","store","web"]}"""), Kwargs(suite, "expect_column_values_to_be_in_set", "Channel")));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"column":"Coupon","mostly":0.98}"""), Kwargs(suite, "expect_column_values_to_not_be_null", "Coupon")));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"column":"Placed","min_value":"2025-01-01","max_value":"2025-03-31"}"""), Kwargs(suite, "expect_column_values_to_be_between", "Placed")));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"column":"Express","type_":"bool"}"""), Kwargs(suite, "expect_column_values_to_be_of_type", "Express")));
        Assert.False(Has(suite, "expect_column_values_to_not_be_null", "Note"));   // 40% missing: more than the 5% allowed for mostly
        Assert.False(Has(suite, "expect_column_values_to_be_unique", "Channel"));

        // A duplicate id, a new channel, an amount out of range and a date before the reference's.
        var current = orders.Take(100).Append(orders[0] with { Channel = "fax", Amount = 10_000, Placed = new DateTime(2024, 12, 31) }).ToList();
        var result = suite.Validate(current);

        var failed = result.Failures.Select(f => $"{f.ExpectationConfig.Type}:{f.ExpectationConfig.Column}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                "expect_column_values_to_be_between:Amount", "expect_column_values_to_be_between:Placed", "expect_column_values_to_be_in_set:Channel",
                "expect_column_values_to_be_unique:Id", "expect_table_row_count_to_be_between:",
            ],
            failed);
        Assert.All(result.Failures.Where(f => f.Result.PartialUnexpectedIndexList is not null), f => Assert.Contains(100L, f.Result.PartialUnexpectedIndexList!));
    }

    [Fact]
    public async Task Options_set_the_set_size_the_mostly_share_and_the_row_margin()
    {
        var suite = await SuiteProfiler.ProfileAsync(
            DataSource.FromEnumerable(Orders()),
            new ProfileOptions { MaxSetSize = 2, MaxMissingShareForMostly = 0.5, RowCountMargin = 0 });

        Assert.False(Has(suite, "expect_column_values_to_be_in_set", "Channel"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"column":"Note","mostly":0.6}"""), Kwargs(suite, "expect_column_values_to_not_be_null", "Note")));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"min_value":500,"max_value":500}"""), Kwargs(suite, "expect_table_row_count_to_be_between")));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SuiteProfiler.ProfileAsync(DataSource.FromEnumerable(Orders()), new ProfileOptions { RowCountMargin = 2 }));
    }

    [Fact]
    public async Task A_column_with_no_values_is_expected_to_stay_empty()
    {
        var suite = await SuiteProfiler.ProfileAsync(DataSource.FromEnumerable(Xs(null, null)));

        Assert.True(Has(suite, "expect_column_values_to_be_null", "X"));
        Assert.False(Has(suite, "expect_column_values_to_be_between", "X"));
        Assert.True(suite.Validate(Xs(null, null)).Success);
        Assert.False(suite.Validate(Xs(null, 1)).Success);
    }
}
