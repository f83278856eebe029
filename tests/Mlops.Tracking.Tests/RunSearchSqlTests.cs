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
    public void Orderings_put_missing_values_last_and_break_ties_by_start_time_and_id()
    {
        var sql = RunSearchSql.Build(new RunSearchQuery { OrderBy = [RunOrdering.Parse("metrics.rmse")] }, new PlainDialect(), []);

        Assert.Contains("ORDER BY CASE WHEN o0.value IS NULL THEN 1 ELSE 0 END, o0.value ASC, r.start_time DESC, r.run_id ASC", sql.Text, StringComparison.Ordinal);
        Assert.Contains("r.lifecycle_stage = 'active'", sql.Text, StringComparison.Ordinal);
    }
}
