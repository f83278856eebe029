using System.Globalization;
using System.Text;
using Mlops.Tracking.Search;

namespace Mlops.Tracking.Sql;

/// <summary>
/// What differs between SQL databases: the LIKE operators when a run search is translated (<see cref="RunSearchSql"/>
/// does the rest, the same for every SQL backend), row locks and lists of values for <see cref="AdoNetTrackingStore{TConnection, TTransaction}"/>.
/// </summary>
public abstract class SqlDialect
{
    // Far below SQLite's limit of 32766 parameters per statement.
    private const int InListSize = 500;

    /// <summary>Returns the condition that <paramref name="column"/> matches the pattern bound to <paramref name="parameter"/>.</summary>
    /// <param name="column">The column expression.</param>
    /// <param name="parameter">The parameter's name, such as <c>@p3</c>.</param>
    /// <param name="ignoreCase">ILIKE instead of LIKE.</param>
    public abstract string Like(string column, string parameter, bool ignoreCase);

    /// <summary>Returns the value to bind for a LIKE pattern (<c>%</c> any text, <c>_</c> one character); the pattern as it is by default.</summary>
    public virtual string LikePattern(string pattern, bool ignoreCase) => pattern;

    /// <summary>
    /// Returns the clause, with its leading space, that ends a SELECT so that the rows it reads stay locked until the
    /// transaction ends; empty by default, for databases whose write transaction already keeps other writers out.
    /// </summary>
    /// <param name="exclusive">FOR UPDATE (other writers wait) instead of FOR SHARE (the rows cannot change or go).</param>
    public virtual string LockRows(bool exclusive) => "";

    /// <summary>
    /// Returns the conditions that <paramref name="column"/> is one of <paramref name="values"/>, each with its parameters:
    /// a query runs once per condition, and not at all for no values. By default IN lists of at most 500 parameters
    /// (<c>@r0</c>, <c>@r1</c>, …), as databases limit the parameters of a statement.
    /// </summary>
    public virtual IEnumerable<SqlQueryText> AnyOf<T>(string column, IReadOnlyList<T> values)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.Chunk(InListSize).Select(chunk =>
        {
            var parameters = chunk.Select((value, i) => new KeyValuePair<string, object>("@r" + i.ToString(CultureInfo.InvariantCulture), value)).ToArray();
            return new SqlQueryText($"{column} IN ({string.Join(", ", parameters.Select(p => p.Key))})", parameters);
        });
    }
}

/// <summary>A SQL text with its named parameters; no value is ever part of the text.</summary>
/// <param name="Text">The SQL.</param>
/// <param name="Parameters">The parameters by name (<c>@p0</c>, <c>@p1</c>, …).</param>
public sealed record SqlQueryText(string Text, IReadOnlyList<KeyValuePair<string, object>> Parameters);

/// <summary>
/// Translates a <see cref="RunSearchQuery"/> to a parameterised SQL query that selects the ids of the matching
/// runs, in order, for one page. Shared by the SQL backends.
/// </summary>
/// <remarks>
/// The query assumes these tables: <c>runs(run_id, experiment_id, name, status, start_time, end_time, lifecycle_stage)</c>
/// with lifecycle stages <c>'active'</c>/<c>'deleted'</c>, <c>latest_metrics(run_id, key, value, is_nan)</c>
/// with NaN stored as a NULL value, <c>params(run_id, key, value)</c> and <c>tags(run_id, key, value)</c>.
/// Missing values and NaN metrics sort last in both directions; ties are broken by start time (newest first)
/// and run id.
/// </remarks>
public static class RunSearchSql
{
    /// <summary>Builds the query selecting the <c>run_id</c> column of one page of runs.</summary>
    /// <param name="query">The parsed search.</param>
    /// <param name="dialect">The database's dialect.</param>
    /// <param name="experimentIds">The experiment ids as the database stores them (already converted by the backend).</param>
    public static SqlQueryText Build(RunSearchQuery query, SqlDialect dialect, IReadOnlyList<object> experimentIds)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(experimentIds);
        var parameters = new List<KeyValuePair<string, object>>();
        string Bind(object value)
        {
            var name = "@p" + parameters.Count.ToString(CultureInfo.InvariantCulture);
            parameters.Add(new(name, value));
            return name;
        }

        var joins = new StringBuilder();
        var where = new List<string>();
        var order = new List<string>();

        switch (query.ViewType)
        {
            case ViewType.ActiveOnly:
                where.Add("r.lifecycle_stage = 'active'");
                break;
            case ViewType.DeletedOnly:
                where.Add("r.lifecycle_stage = 'deleted'");
                break;
            default:
                break;
        }

        if (experimentIds.Count > 0)
        {
            where.Add($"r.experiment_id IN ({string.Join(", ", experimentIds.Select(Bind))})");
        }

        foreach (var clause in query.Filter.Clauses)
        {
            where.Add(Condition(clause, dialect, Bind));
        }

        var joinIndex = 0;
        foreach (var ordering in query.OrderBy)
        {
            var direction = ordering.Descending ? "DESC" : "ASC";
            string column;
            if (ordering.Entity == SearchEntity.Attribute)
            {
                column = AttributeColumn(ordering.Key);
            }
            else
            {
                var alias = "o" + joinIndex.ToString(CultureInfo.InvariantCulture);
                joinIndex++;
                var table = ordering.Entity switch
                {
                    SearchEntity.Metric => "latest_metrics",
                    SearchEntity.Param => "params",
                    _ => "tags",
                };
                joins.Append(CultureInfo.InvariantCulture, $" LEFT JOIN {table} {alias} ON {alias}.run_id = r.run_id AND {alias}.key = {Bind(ordering.Key)}");
                column = alias + ".value";
            }

            order.Add($"CASE WHEN {column} IS NULL THEN 1 ELSE 0 END");
            order.Add($"{column} {direction}");
        }

        order.Add("r.start_time DESC");
        order.Add("r.run_id ASC");

        var sql = new StringBuilder("SELECT r.run_id FROM runs r");
        sql.Append(joins);
        if (where.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", where);
        }

        sql.Append(" ORDER BY ").AppendJoin(", ", order);
        sql.Append(" LIMIT ").Append(Bind(query.Limit)).Append(" OFFSET ").Append(Bind(query.Offset));
        return new SqlQueryText(sql.ToString(), parameters);
    }

    private static string Condition(FilterClause clause, SqlDialect dialect, Func<object, string> bind)
    {
        if (clause.Entity == SearchEntity.Attribute)
        {
            return Compare(AttributeColumn(clause.Key), clause, dialect, bind);
        }

        var table = clause.Entity switch
        {
            SearchEntity.Metric => "latest_metrics",
            SearchEntity.Param => "params",
            _ => "tags",
        };
        // IN rather than a correlated EXISTS: the database reads the matching runs from a (key, value) index once,
        // instead of probing every run.
        return $"r.run_id IN (SELECT f.run_id FROM {table} f WHERE f.key = {bind(clause.Key)} AND {Compare("f.value", clause, dialect, bind)})";
    }

    private static string Compare(string column, FilterClause clause, SqlDialect dialect, Func<object, string> bind)
    {
        object value = clause.Number is { } number ? number : clause.Text ?? "";
        return clause.Operator switch
        {
            FilterOperator.Equal => $"{column} = {bind(value)}",
            FilterOperator.NotEqual => $"{column} <> {bind(value)}",
            FilterOperator.LessThan => $"{column} < {bind(value)}",
            FilterOperator.LessThanOrEqual => $"{column} <= {bind(value)}",
            FilterOperator.GreaterThan => $"{column} > {bind(value)}",
            FilterOperator.GreaterThanOrEqual => $"{column} >= {bind(value)}",
            FilterOperator.Like => dialect.Like(column, bind(dialect.LikePattern(clause.Text ?? "", ignoreCase: false)), ignoreCase: false),
            FilterOperator.ILike => dialect.Like(column, bind(dialect.LikePattern(clause.Text ?? "", ignoreCase: true)), ignoreCase: true),
            _ => throw new ArgumentOutOfRangeException(nameof(clause), clause.Operator, "Unknown operator."),
        };
    }

    private static string AttributeColumn(string attribute) => attribute switch
    {
        RunAttributes.RunId => "r.run_id",
        RunAttributes.RunName => "r.name",
        RunAttributes.Status => "r.status",
        RunAttributes.StartTime => "r.start_time",
        RunAttributes.EndTime => "r.end_time",
        _ => throw new TrackingException(TrackingErrorCode.InvalidQuery, $"The attribute '{attribute}' cannot be searched: use run_id, run_name, status, start_time or end_time."),
    };
}
