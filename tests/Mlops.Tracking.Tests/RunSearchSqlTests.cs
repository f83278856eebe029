using Mlops.Tracking.Search;
using Mlops.Tracking.Sql;

namespace Mlops.Tracking.Tests;

public sealed class RunSearchSqlTests
{
    private sealed class PlainDialect : SqlDialect
    {
        public override string Like(string column, string parameter, bool ignoreCase) => $"{column} {(ignoreCase ? "ILIKE" : "LIKE")} {parameter}";
    }

    [Fact]
    public void Values_are_bound_as_parameters_never_spliced_into_the_text()
    {
        const string Hostile = "x'; DROP TABLE runs; --";
        var query = new RunSearchQuery
        {
            Filter = RunFilter.Parse("params.`we'ird` = 'x''; DROP TABLE runs; --' and metrics.rmse < 3 and tags.t ILIKE '%a%'"),
            OrderBy = [RunOrdering.Parse("metrics.`od'd` DESC")],
        };

        var sql = RunSearchSql.Build(query, new PlainDialect(), ["7"]);

        Assert.DoesNotContain("DROP", sql.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("we'ird", sql.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("od'd", sql.Text, StringComparison.Ordinal);
        Assert.Contains(sql.Parameters, p => Equals(p.Value, Hostile));
        Assert.Contains(sql.Parameters, p => Equals(p.Value, "we'ird"));
        Assert.Contains(sql.Parameters, p => Equals(p.Value, 3.0));
        Assert.Contains("ILIKE", sql.Text, StringComparison.Ordinal);
        Assert.All(sql.Parameters, p => Assert.Contains(p.Key, sql.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void A_long_list_of_values_becomes_in_lists_that_a_statement_can_bind()
    {
        var values = Enumerable.Range(0, 1001).Select(i => (long)i).ToArray();

        var conditions = new PlainDialect().AnyOf("run_id", values).ToList();

        Assert.Equal([500, 500, 1], conditions.Select(c => c.Parameters.Count));
        Assert.Equal("run_id IN (@r0)", conditions[2].Text);
        Assert.Equal(values, conditions.SelectMany(c => c.Parameters.Select(p => (long)p.Value)));
        Assert.All(conditions, c => Assert.All(c.Parameters, p => Assert.Contains(p.Key, c.Text, StringComparison.Ordinal)));
        Assert.Empty(new PlainDialect().AnyOf("run_id", Array.Empty<string>()));
        Assert.Equal("", new PlainDialect().LockRows(exclusive: true));
    }

    [Fact]
    public void Orderings_put_missing_values_last_and_break_ties_by_start_time_and_id()
    {
        var sql = RunSearchSql.Build(new RunSearchQuery { OrderBy = [RunOrdering.Parse("metrics.rmse")] }, new PlainDialect(), []);

        Assert.Contains("ORDER BY CASE WHEN o0.value IS NULL THEN 1 ELSE 0 END, o0.value ASC, r.start_time DESC, r.run_id ASC", sql.Text, StringComparison.Ordinal);
        Assert.Contains("r.lifecycle_stage = 'active'", sql.Text, StringComparison.Ordinal);
    }
}
