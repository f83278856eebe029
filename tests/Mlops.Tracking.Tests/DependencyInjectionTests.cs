using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mlops.Conformance;
using Mlops.Core.Storage;
using Mlops.Tracking.DependencyInjection;
using Mlops.Tracking.Registry;
using Mlops.Tracking.Sqlite;

namespace Mlops.Tracking.Tests;

public sealed class DependencyInjectionTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AddMlopsTracking_wires_a_sqlite_store_local_artifacts_a_tracker_and_a_registry()
    {
        var database = _temp.Combine("store", "mlruns.db");
        var services = new ServiceCollection();
        services.AddMlopsTracking(o =>
        {
            o.StoreUri = database;
            o.CaptureEnvironment = false;
        });
        services.AddMlopsTracking();

        await using var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<ExperimentTracker>();
        await using (var run = await tracker.StartRunAsync("e"))
        {
            await run.LogArtifactStreamAsync(new MemoryStream([1, 2, 3]), "a.bin");
            await run.CompleteAsync();
        }

        var store = Assert.IsType<SqliteTrackingStore>(provider.GetRequiredService<TrackingStore>());
        Assert.Equal(database, store.Path);
        Assert.Same(store, tracker.Store);
        Assert.Same(provider.GetRequiredKeyedService<BlobStore>(TrackingServiceKeys.ArtifactStore), tracker.ArtifactStore);
        Assert.NotNull(provider.GetRequiredService<ModelRegistry>());
        Assert.Single(services, d => d.ServiceType == typeof(ExperimentTracker));
        Assert.Single(Directory.GetFiles(_temp.Combine("store", "mlartifacts"), "a.bin", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_users_own_store_registered_first_wins()
    {
        await using var mine = new SqliteTrackingStore(_temp.Combine("mine.db"));
        var services = new ServiceCollection();
        services.AddSingleton<TrackingStore>(mine);
        services.AddMlopsTracking();

        await using var provider = services.BuildServiceProvider();

        Assert.Same(mine, provider.GetRequiredService<ExperimentTracker>().Store);
    }

    [Fact]
    public async Task UseStore_and_UseArtifactStore_replace_the_defaults()
    {
        await using var mine = new SqliteTrackingStore(_temp.Combine("mine.db"));
        var services = new ServiceCollection();
        services.AddMlopsTracking()
            .UseStore(_ => mine);
        services.AddMlopsTracking().UseArtifactStore("shared");
        services.AddBlobStore("shared", _ => new InMemoryBlobStore("shared"));

        await using var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<ExperimentTracker>();

        Assert.Same(mine, tracker.Store);
        Assert.Equal("shared", tracker.ArtifactStore.Name);
    }

    [Fact]
    public async Task Invalid_options_fail_when_the_host_starts()
    {
        var services = new ServiceCollection();
        services.AddMlopsTracking(o =>
        {
            o.StoreUri = "   ";
            o.BusyTimeout = TimeSpan.Zero;
        });

        await using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(error.Failures, f => f.Contains("StoreUri", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("BusyTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_postgresql_uri_without_its_package_says_what_to_add()
    {
        var services = new ServiceCollection();
        services.AddMlopsTracking(o => o.StoreUri = "Host=db;Database=mlops;Username=ml");

        await using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<TrackingException>(() => provider.GetRequiredService<TrackingStore>());

        Assert.Contains("Mlops.Tracking.PostgreSql", error.Message, StringComparison.Ordinal);
    }
}

public sealed class TrackingOptionsTests
{
    [Theory]
    [InlineData("mlruns.db", "mlruns.db")]
    [InlineData("/data/mlruns.db", "/data/mlruns.db")]
    [InlineData("sqlite:///mlruns.db", "mlruns.db")]
    [InlineData("sqlite:////data/mlruns.db", "/data/mlruns.db")]
    public void Sqlite_uris_become_file_paths(string uri, string path)
    {
        Assert.Equal(path, TrackingOptions.SqlitePath(uri));
    }

    [Theory]
    [InlineData("postgresql://ml@db/mlops", true)]
    [InlineData("postgres://db/mlops", true)]
    [InlineData("Host=db;Database=mlops", true)]
    [InlineData("mlruns.db", false)]
    public void PostgreSql_uris_are_told_apart(string uri, bool isPostgreSql)
    {
        Assert.Equal(isPostgreSql, TrackingOptions.IsPostgreSqlUri(uri));
    }

    [Fact]
    public void The_store_comes_from_options_then_the_environment_variable_then_the_default()
    {
        var saved = Environment.GetEnvironmentVariable(TrackingOptions.TrackingUriVariable);
        try
        {
            Environment.SetEnvironmentVariable(TrackingOptions.TrackingUriVariable, null);
            Assert.Equal("mlruns.db", TrackingOptions.ResolveStoreUri(null));

            Environment.SetEnvironmentVariable(TrackingOptions.TrackingUriVariable, "/from/env.db");
            Assert.Equal("/from/env.db", TrackingOptions.ResolveStoreUri(null));
            Assert.Equal("/from/options.db", TrackingOptions.ResolveStoreUri("/from/options.db"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(TrackingOptions.TrackingUriVariable, saved);
        }
    }
}
