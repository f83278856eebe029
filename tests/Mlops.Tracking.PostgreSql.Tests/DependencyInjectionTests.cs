using Microsoft.Extensions.DependencyInjection;
using Mlops.Tracking.Registry;

namespace Mlops.Tracking.PostgreSql.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task UsePostgreSql_puts_the_tracker_on_the_server()
    {
        var (schema, connectionString) = await PostgresServer.CreateSchemaAsync();
        try
        {
            var services = new ServiceCollection();
            services.AddMlopsTracking(o => o.CaptureEnvironment = false).UsePostgreSql(connectionString);
            await using var provider = services.BuildServiceProvider();

            var store = Assert.IsType<PostgreSqlTrackingStore>(provider.GetRequiredService<TrackingStore>());
            var registry = provider.GetRequiredService<ModelRegistry>();
            Assert.Empty(await store.ListExperimentsAsync().ToListAsync());
            Assert.NotNull(registry);
        }
        finally
        {
            await PostgresServer.DropSchemaAsync(schema);
        }
    }

    [Fact]
    public async Task ExperimentTracker_Create_opens_the_postgresql_store_for_a_connection_string()
    {
        var (schema, connectionString) = await PostgresServer.CreateSchemaAsync();
        try
        {
            await using var tracker = ExperimentTracker.Create(connectionString, o => o.CaptureEnvironment = false);
            await using (var run = await tracker.StartRunAsync("created-without-di"))
            {
                run.LogMetric("rmse", 2.5);
                await run.CompleteAsync();
            }

            var store = Assert.IsType<PostgreSqlTrackingStore>(tracker.Store);
            Assert.Single(await store.ListExperimentsAsync().ToListAsync(), e => e.Name == "created-without-di");
        }
        finally
        {
            await PostgresServer.DropSchemaAsync(schema);
        }
    }

    [Fact]
    public async Task A_postgresql_store_uri_opens_the_postgresql_store_without_UsePostgreSql()
    {
        var (schema, connectionString) = await PostgresServer.CreateSchemaAsync();
        try
        {
            var services = new ServiceCollection();

            // The same resolution as MLOPS_TRACKING_URI, which fills StoreUri when the host sets nothing.
            services.AddMlopsTracking(o => o.StoreUri = connectionString);
            await using var provider = services.BuildServiceProvider();

            var store = Assert.IsType<PostgreSqlTrackingStore>(provider.GetRequiredService<TrackingStore>());
            await store.CreateExperimentAsync("from-uri");
            Assert.Equal(1L, await PostgresServer.ScalarAsync(connectionString, "SELECT count(*) FROM experiments WHERE name = 'from-uri'"));
        }
        finally
        {
            await PostgresServer.DropSchemaAsync(schema);
        }
    }

    [Fact]
    public async Task MLOPS_TRACKING_URI_with_a_connection_string_opens_the_postgresql_store()
    {
        var (schema, connectionString) = await PostgresServer.CreateSchemaAsync();
        var previous = Environment.GetEnvironmentVariable(TrackingOptions.TrackingUriVariable);
        try
        {
            // No other test of this assembly reads the variable; the tests of this class run one at a time.
            Environment.SetEnvironmentVariable(TrackingOptions.TrackingUriVariable, connectionString);
            var services = new ServiceCollection();
            services.AddMlopsTracking();
            await using var provider = services.BuildServiceProvider();

            var store = Assert.IsType<PostgreSqlTrackingStore>(provider.GetRequiredService<TrackingStore>());
            Assert.Contains("127.0.0.1", store.Location, StringComparison.Ordinal);
            await store.CreateExperimentAsync("from-environment");
            Assert.Equal(1L, await PostgresServer.ScalarAsync(connectionString, "SELECT count(*) FROM experiments WHERE name = 'from-environment'"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(TrackingOptions.TrackingUriVariable, previous);
            await PostgresServer.DropSchemaAsync(schema);
        }
    }

    [Fact]
    public void An_unreadable_connection_string_fails_when_configured()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentException>(() => services.AddMlopsTracking().UsePostgreSql("Host=x;NoSuchKeyword=1"));
    }
}
