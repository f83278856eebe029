using Mlops.Conformance;

namespace Mlops.Tracking.PostgreSql.Tests;

/// <summary>The whole conformance kit against a real PostgreSQL server, each test in a schema it creates and drops.</summary>
public sealed class PostgreSqlTrackingStoreConformanceTests : TrackingStoreConformanceTests
{
    private string? _schema;

    protected override async Task<TrackingStore> CreateStoreAsync()
    {
        var (schema, connectionString) = await PostgresServer.CreateSchemaAsync();
        _schema = schema;
        return new PostgreSqlTrackingStore(connectionString);
    }

    protected override async Task DisposeStoreAsync(TrackingStore store)
    {
        if (_schema is not null)
        {
            await PostgresServer.DropSchemaAsync(_schema);
        }
    }
}
