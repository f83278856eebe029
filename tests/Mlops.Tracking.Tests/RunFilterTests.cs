using Mlops.Tracking.Search;

namespace Mlops.Tracking.Tests;

public sealed class RunFilterTests
{
    [Fact]
    public void The_documented_filter_parses_into_four_clauses()
    {
        var filter = RunFilter.Parse("metrics.rmse < 3 and params.trainer = 'sdca' and tags.stage LIKE 'exp%' and attributes.status = 'FINISHED'");

        Assert.Equal(
            [
                new FilterClause { Entity = SearchEntity.Metric, Key = "rmse", Operator = FilterOperator.LessThan, Number = 3, Position = 1 },
                new FilterClause { Entity = SearchEntity.Param, Key = "trainer", Operator = FilterOperator.Equal, Text = "sdca", Position = 22 },
                new FilterClause { Entity = SearchEntity.Tag, Key = "stage", Operator = FilterOperator.Like, Text = "exp%", Position = 50 },
                new FilterClause { Entity = SearchEntity.Attribute, Key = RunAttributes.Status, Operator = FilterOperator.Equal, Text = "FINISHED", Position = 77 },
            ],
            filter.Clauses);
    }

    [Theory]
    [InlineData("metrics.`val rmse` >= 1", "val rmse")]
    [InlineData("metrics.\"val rmse\" >= 1", "val rmse")]
    [InlineData("metrics.val.rmse >= 1", "val.rmse")]
    [InlineData("metric.train/loss-1 >= 1", "train/loss-1")]
    [InlineData("METRICS.rmse >= 1", "rmse")]
    public void Keys_may_be_quoted_dotted_or_carry_symbols(string text, string key)
    {
        var clause = Assert.Single(RunFilter.Parse(text).Clauses);

        Assert.Equal(key, clause.Key);
        Assert.Equal(FilterOperator.GreaterThanOrEqual, clause.Operator);
    }

    [Theory]
    [InlineData("metrics.rmse<3", 3.0)]
    [InlineData("metrics.rmse < -2.5e-3", -0.0025)]
    [InlineData("metrics.rmse < .5", 0.5)]
    [InlineData("metrics.rmse <= +7", 7.0)]
    public void Numbers_parse_in_any_usual_spelling(string text, double number)
    {
        Assert.Equal(number, Assert.Single(RunFilter.Parse(text).Clauses).Number);
    }

    [Theory]
    [InlineData("params.p = 'it''s'", "it's")]
    [InlineData("params.p = \"double\"", "double")]
    [InlineData("tags.p ILIKE '%X%'", "%X%")]
    [InlineData("attributes.run_name = 'a b'", "a b")]
    public void Strings_take_single_or_double_quotes_with_doubled_quotes_inside(string text, string value)
    {
        Assert.Equal(value, Assert.Single(RunFilter.Parse(text).Clauses).Text);
    }

    [Theory]
    [InlineData("attributes.run_id = 'x'", RunAttributes.RunId)]
    [InlineData("attribute.name = 'x'", RunAttributes.RunName)]
    [InlineData("run.status = 'x'", RunAttributes.Status)]
    [InlineData("attr.start_time > 5", RunAttributes.StartTime)]
    [InlineData("attributes.end_time > 5", RunAttributes.EndTime)]
    public void Attribute_names_are_canonical(string text, string attribute)
    {
        Assert.Equal(attribute, Assert.Single(RunFilter.Parse(text).Clauses).Key);
    }

    [Fact]
    public void An_empty_filter_matches_everything()
    {
        Assert.Empty(RunFilter.Parse("  ").Clauses);
        Assert.Empty(RunFilter.Parse(null).Clauses);
    }

    [Theory]
    [InlineData("metrics.rmse <", 15, "a number")]
    [InlineData("metrics.rmse 3", 14, "a comparison operator")]
    [InlineData("foo.rmse < 3", 1, "metrics., params., tags. or attributes.")]
    [InlineData("metrics.rmse < 3 or params.a = 'b'", 18, "OR is not supported")]
    [InlineData("metrics.rmse < 3 params.a = 'b'", 18, "AND or the end")]
    [InlineData("metrics.rmse LIKE 'x'", 1, "=, !=, <, <=, > or >=")]
    [InlineData("params.trainer < 'x'", 1, "=, !=, LIKE or ILIKE")]
    [InlineData("params.trainer = 3", 18, "a quoted string")]
    [InlineData("metrics.rmse < 'three'", 16, "a number")]
    [InlineData("params.trainer = 'sdca", 18, "a closing '")]
    [InlineData("attributes.colour = 'red'", 1, "one of the attributes")]
    [InlineData("metrics. < 3", 10, "a key after 'metrics.'")]
    [InlineData("metrics.rmse ! 3", 14, "'!='")]
    [InlineData("(metrics.rmse < 3)", 1, "parentheses")]
    [InlineData("metrics.rmse < 3 and", 21, "an identifier")]
    [InlineData("metrics", 8, "'.' and a key")]
    public void A_bad_filter_names_the_position_and_what_was_expected(string text, int position, string expected)
    {
        var error = Assert.Throws<TrackingException>(() => RunFilter.Parse(text));

        Assert.Equal(TrackingErrorCode.InvalidQuery, error.ErrorCode);
        Assert.Contains($"at position {position}:", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("metrics.rmse", SearchEntity.Metric, "rmse", false)]
    [InlineData("metrics.rmse ASC", SearchEntity.Metric, "rmse", false)]
    [InlineData("metrics.`val rmse` desc", SearchEntity.Metric, "val rmse", true)]
    [InlineData("attributes.start_time DESC", SearchEntity.Attribute, RunAttributes.StartTime, true)]
    [InlineData("start_time", SearchEntity.Attribute, RunAttributes.StartTime, false)]
    [InlineData("params.trainer", SearchEntity.Param, "trainer", false)]
    [InlineData("tags.stage DESC", SearchEntity.Tag, "stage", true)]
    public void Orderings_parse(string text, SearchEntity entity, string key, bool descending)
    {
        Assert.Equal(new RunOrdering { Entity = entity, Key = key, Descending = descending }, RunOrdering.Parse(text));
    }

    [Theory]
    [InlineData("metrics.rmse sideways", "ASC, DESC")]
    [InlineData("colour", "metrics., params., tags. or attributes.")]
    public void A_bad_ordering_is_refused(string text, string expected)
    {
        var error = Assert.Throws<TrackingException>(() => RunOrdering.Parse(text));

        Assert.Contains("ordering", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
