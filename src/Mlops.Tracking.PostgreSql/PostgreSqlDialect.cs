using Mlops.Tracking.Sql;

namespace Mlops.Tracking.PostgreSql;

/// <summary>PostgreSQL's LIKE operators for <see cref="RunSearchSql"/>.</summary>
/// <remarks>
/// PostgreSQL's LIKE is case-sensitive and ILIKE is native, so MLflow's operators map one to one. <c>ESCAPE ''</c>
/// turns off the backslash escape: only <c>%</c> and <c>_</c> are wildcards, as in MLflow and the SQLite store.
/// </remarks>
internal sealed class PostgreSqlDialect : SqlDialect
{
    public static readonly PostgreSqlDialect Instance = new();

    public override string Like(string column, string parameter, bool ignoreCase) =>
        $"{column} {(ignoreCase ? "ILIKE" : "LIKE")} {parameter} ESCAPE ''";
}
