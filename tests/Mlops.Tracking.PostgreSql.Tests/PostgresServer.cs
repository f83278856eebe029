using Npgsql;

namespace Mlops.Tracking.PostgreSql.Tests;

/// <summary>The PostgreSQL server the tests run against, from MLOPS_TEST_POSTGRES (set by ./eng/test.sh).</summary>
internal static class PostgresServer
{
    public const string Variable = "MLOPS_TEST_POSTGRES";

    /// <summary>The connection string of the server's maintenance database; fails the test when the variable is not set.</summary>
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set, so there is no PostgreSQL server to test against. Run ./eng/test.sh tests/Mlops.Tracking.PostgreSql.Tests, which starts PostgreSQL on 127.0.0.1 and sets {Variable} (or set it to an Npgsql connection string yourself).");

    /// <summary>Creates a fresh, empty schema and returns a connection string whose search path is that schema.</summary>
    public static async Task<(string Schema, string ConnectionString)> CreateSchemaAsync()
    {
        var schema = "mlops_test_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(ConnectionString, $"CREATE SCHEMA \"{schema}\"");
        return (schema, new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ConnectionString);
    }

    public static Task DropSchemaAsync(string schema) => ExecuteAsync(ConnectionString, $"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");

    /// <summary>Creates a fresh, empty database and returns its name and connection string.</summary>
    public static async Task<(string Database, string ConnectionString)> CreateDatabaseAsync()
    {
        var database = "mlops_test_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(ConnectionString, $"CREATE DATABASE \"{database}\"");
        return (database, new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database }.ConnectionString);
    }

    public static Task DropDatabaseAsync(string database) => ExecuteAsync(ConnectionString, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
