using Npgsql;

namespace Mlops.Tracking.PostgreSql.Tests;

public sealed class PostgreSqlTrackingStoreTests
{
    [Fact]
    public async Task The_schema_is_created_on_an_empty_database_and_a_second_start_changes_nothing()
    {
        var (database, connectionString) = await PostgresServer.CreateDatabaseAsync();
        try
        {
            string experimentId;
            await using (var first = new PostgreSqlTrackingStore(connectionString))
            {
                await first.InitializeAsync();
                experimentId = await first.CreateExperimentAsync("kept");
            }

            var tables = await PostgresServer.ScalarAsync(connectionString, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'");
            Assert.Equal(1L, await PostgresServer.ScalarAsync(connectionString, "SELECT count(*) FROM schema_version"));
            Assert.Equal(1, await PostgresServer.ScalarAsync(connectionString, "SELECT max(version) FROM schema_version"));
            Assert.Equal(13L, tables); // twelve tables of the store and schema_version

            await using (var second = new PostgreSqlTrackingStore(connectionString))
            {
                await second.InitializeAsync();
                Assert.Equal(experimentId, (await second.GetExperimentByNameAsync("kept"))!.ExperimentId);
            }

            Assert.Equal(1L, await PostgresServer.ScalarAsync(connectionString, "SELECT count(*) FROM schema_version"));
            Assert.Equal(tables, await PostgresServer.ScalarAsync(connectionString, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await PostgresServer.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Concurrent_starters_create_the_schema_once()
    {
        var (schema, connectionString) = await PostgresServer.CreateSchemaAsync();
        var stores = Enumerable.Range(0, 8).Select(_ => new PostgreSqlTrackingStore(connectionString)).ToArray();
        try
        {
            await Task.WhenAll(stores.Select(store => Task.Run(() => store.InitializeAsync())));
            Assert.Equal(1L, await PostgresServer.ScalarAsync(connectionString, "SELECT count(*) FROM schema_version"));
            await Task.WhenAll(stores.Select((store, i) => store.CreateExperimentAsync($"e{i}")));
            Assert.Equal(8, await stores[0].ListExperimentsAsync().CountAsync());
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }

            await PostgresServer.DropSchemaAsync(schema);
        }
    }

    [Fact]
    public async Task Eight_connections_logging_at_once_lose_no_point()
    {
        const int Writers = 8;
        const int Batches = 20;
        const int BatchSize = 500;
        var (schema, connectionString) = await PostgresServer.CreateSchemaAsync();

        // One store, so one connection pool, per writer: eight server connections write at once.
        var stores = Enumerable.Range(0, Writers).Select(_ => new PostgreSqlTrackingStore(connectionString)).ToArray();
        try
        {
            var experiment = await stores[0].CreateExperimentAsync("concurrent");
            var shared = (await stores[0].CreateRunAsync(new NewRun { ExperimentId = experiment })).RunId;
            await Task.WhenAll(stores.Select((store, writer) => Task.Run(async () =>
            {
                for (var batch = 0; batch < Batches; batch++)
                {
                    // Every writer also touches the same key, so the latest-metric rows are contended.
                    var points = Enumerable.Range(batch * BatchSize, BatchSize)
                        .SelectMany(step => new[] { new Metric($"w{writer}", step, step, step), new Metric("all", writer, step, step) })
                        .Take(1000)
                        .ToArray();
                    await store.LogBatchAsync(shared, points, [new Param($"w{writer}-{batch}", "x")], [new RunTag("last", $"{writer}")]);
                }
            })));

            var history = await stores[0].GetMetricHistoryAsync(shared, "all");
            Assert.Equal(Writers * Batches * BatchSize, history.Count);
            for (var writer = 0; writer < Writers; writer++)
            {
                var own = await stores[0].GetMetricHistoryAsync(shared, $"w{writer}");
                Assert.Equal(Enumerable.Range(0, Batches * BatchSize).Select(i => (long)i), own.Select(m => m.Step));
            }

            var data = (await stores[0].GetRunAsync(shared))!.Data;
            Assert.Equal(Writers * Batches, data.Params.Count);
            Assert.Equal((Batches * BatchSize) - 1, data.Metrics["all"].Step);
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }

            await PostgresServer.DropSchemaAsync(schema);
        }
    }

    [Fact]
    public async Task Like_is_case_sensitive_and_ilike_is_not()
    {
        var (schema, connectionString) = await PostgresServer.CreateSchemaAsync();
        await using var store = new PostgreSqlTrackingStore(connectionString);
        try
        {
            var experiment = await store.CreateExperimentAsync("like");
            var upper = (await store.CreateRunAsync(new NewRun { ExperimentId = experiment, Tags = [new RunTag("stage", "Exp\\1")] })).RunId;
            var lower = (await store.CreateRunAsync(new NewRun { ExperimentId = experiment, Tags = [new RunTag("stage", "exp_2")] })).RunId;

            var like = await store.SearchRunsAsync(new() { Filter = "tags.stage LIKE 'exp%'" });
            Assert.Equal([lower], like.Runs.Select(r => r.Info.RunId));
            var ilike = await store.SearchRunsAsync(new() { Filter = "tags.stage ILIKE 'EXP%'" });
            Assert.Equal(2, ilike.Runs.Count);

            // A backslash is a plain character, not an escape.
            var backslash = await store.SearchRunsAsync(new() { Filter = "tags.stage LIKE 'Exp\\1'" });
            Assert.Equal([upper], backslash.Runs.Select(r => r.Info.RunId));
        }
        finally
        {
            await store.DisposeAsync();
            await PostgresServer.DropSchemaAsync(schema);
        }
    }

    [Fact]
    public async Task Concurrent_registrations_get_distinct_version_numbers_and_an_alias_moves_under_load()
    {
        var (schema, connectionString) = await PostgresServer.CreateSchemaAsync();
        var stores = Enumerable.Range(0, 8).Select(_ => new PostgreSqlTrackingStore(connectionString)).ToArray();
        try
        {
            await stores[0].CreateRegisteredModelAsync("mpg");
            var versions = await Task.WhenAll(stores.Select(store => Task.Run(() => store.CreateModelVersionAsync(new() { Name = "mpg", Source = "model.zip" }))));
            Assert.Equal(Enumerable.Range(1, 8), versions.Select(v => v.Version).Order());

            await Task.WhenAll(stores.Select((store, i) => Task.Run(() => store.SetModelAliasAsync("mpg", "champion", i + 1))));
            var model = (await stores[0].GetRegisteredModelAsync("mpg"))!;
            var target = Assert.Single(model.Aliases).Value;
            Assert.Equal(target, (await stores[0].GetModelVersionByAliasAsync("mpg", "champion"))!.Version);
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }

            await PostgresServer.DropSchemaAsync(schema);
        }
    }

    [Fact]
    public async Task A_schema_with_another_programs_runs_table_is_left_alone()
    {
        var (schema, connectionString) = await PostgresServer.CreateSchemaAsync();
        try
        {
            await PostgresServer.ExecuteAsync(connectionString, "CREATE TABLE runs (x integer)");
            await using var store = new PostgreSqlTrackingStore(connectionString);
            var error = await Assert.ThrowsAsync<TrackingException>(() => store.InitializeAsync());
            Assert.Equal(TrackingErrorCode.StoreFailure, error.ErrorCode);
            Assert.Contains("another program", error.Message, StringComparison.Ordinal);
            Assert.Equal(0L, await PostgresServer.ScalarAsync(connectionString, "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('experiments', 'schema_version')"));
        }
        finally
        {
            await PostgresServer.DropSchemaAsync(schema);
        }
    }

    [Fact]
    public async Task A_schema_from_a_newer_version_is_refused()
    {
        var (schema, connectionString) = await PostgresServer.CreateSchemaAsync();
        try
        {
            await using (var current = new PostgreSqlTrackingStore(connectionString))
            {
                await current.InitializeAsync();
            }

            await PostgresServer.ExecuteAsync(connectionString, "INSERT INTO schema_version (version) VALUES (99)");
            await using var store = new PostgreSqlTrackingStore(connectionString);
            var error = await Assert.ThrowsAsync<TrackingException>(() => store.CreateExperimentAsync("x"));
            Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await PostgresServer.DropSchemaAsync(schema);
        }
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_fails_with_the_store_location_and_no_password()
    {
        await using var store = new PostgreSqlTrackingStore("Host=127.0.0.1;Port=1;Username=u;Password=secret-pw;Database=nothing;Timeout=2");
        var error = await Assert.ThrowsAsync<TrackingException>(() => store.CreateExperimentAsync("x"));
        Assert.Equal(TrackingErrorCode.StoreFailure, error.ErrorCode);
        Assert.Contains("127.0.0.1:1/nothing", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-pw", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_postgresql_uri_is_read_as_a_connection_string()
    {
        var builder = PostgreSqlConnectionStrings.Parse("postgresql://ml%40ops:p%3Aw@db.example:6543/tracking?sslmode=require");
        Assert.Equal("db.example", builder.Host);
        Assert.Equal(6543, builder.Port);
        Assert.Equal("ml@ops", builder.Username);
        Assert.Equal("p:w", builder.Password);
        Assert.Equal("tracking", builder.Database);
        Assert.Equal(SslMode.Require, builder.SslMode);
    }
}
