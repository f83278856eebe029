using Mlops.Tracking.Sql;

namespace Mlops.Tracking.PostgreSql;

/// <summary>PostgreSQL's LIKE operators for <see cref="RunSearchSql"/>, its row locks and array parameters.</summary>
/// <remarks>
/// PostgreSQL's LIKE is case-sensitive and ILIKE is native, so MLflow's operators map one to one. <c>ESCAPE ''</c>
/// turns off the backslash escape: only <c>%</c> and <c>_</c> are wildcards, as in MLflow and the SQLite store.
/// </remarks>
internal sealed class PostgreSqlDialect : SqlDialect
{
    public static readonly PostgreSqlDialect Instance = new();

    public override string Like(string column, string parameter, bool ignoreCase) =>
        $"{column} {(ignoreCase ? "ILIKE" : "LIKE")} {parameter} ESCAPE ''";

    // Read-committed writers: lock what a write depends on.
    public override string LockRows(bool exclusive) => exclusive ? " FOR UPDATE" : " FOR SHARE";

    // One array parameter, however many values: one statement, one plan.
    public override IEnumerable<SqlQueryText> AnyOf<T>(string column, IReadOnlyList<T> values) =>
        values.Count == 0 ? [] : [new SqlQueryText($"{column} = ANY(@ids)", [new("@ids", values.ToArray())])];
}
