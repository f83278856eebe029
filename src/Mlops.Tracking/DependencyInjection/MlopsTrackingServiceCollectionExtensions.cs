using System.IO.Abstractions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mlops.Core;
using Mlops.Core.Storage;
using Mlops.Tracking;
using Mlops.Tracking.DependencyInjection;
using Mlops.Tracking.Registry;
using Mlops.Tracking.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers experiment tracking and the model registry.</summary>
public static class MlopsTrackingServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ExperimentTracker"/>, <see cref="ModelRegistry"/>, a <see cref="TrackingStore"/> (SQLite at
    /// <see cref="TrackingOptions.StoreUri"/>, else <c>MLOPS_TRACKING_URI</c>, else <c>./mlruns.db</c>; PostgreSQL when that is a
    /// PostgreSQL connection string and the application references Mlops.Tracking.PostgreSql) and a local artifact
    /// store (keyed <see cref="TrackingServiceKeys.ArtifactStore"/>). Safe to call more than once; registrations made
    /// before win, and the options are validated when the host starts.
    /// </summary>
    public static IMlopsTrackingBuilder AddMlopsTracking(this IServiceCollection services, Action<TrackingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMlopsCore();
        var options = services.AddOptions<TrackingOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TrackingOptions>, TrackingOptionsValidator>());
        services.TryAddSingleton<TrackingStore>(sp => TrackingStoreFactory.Create(
            sp.GetRequiredService<IOptions<TrackingOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddKeyedSingleton<BlobStore>(TrackingServiceKeys.ArtifactStore, (sp, _) =>
        {
            var trackingOptions = sp.GetRequiredService<IOptions<TrackingOptions>>().Value;
            var store = sp.GetRequiredService<TrackingStore>();
            var databasePath = store is SqliteTrackingStore sqlite ? sqlite.Path : TrackingOptions.DefaultStoreUri;
            return new FileSystemBlobStore(
                TrackingServiceKeys.ArtifactStore,
                new FileSystemBlobStoreOptions { RootPath = ExperimentTracker.DefaultArtifactRoot(trackingOptions, databasePath) },
                sp.GetRequiredService<IFileSystem>());
        });
        services.TryAddSingleton(sp => new ExperimentTracker(
            sp.GetRequiredService<TrackingStore>(),
            sp.GetRequiredKeyedService<BlobStore>(TrackingServiceKeys.ArtifactStore),
            sp.GetRequiredService<IOptions<TrackingOptions>>(),
            sp.GetRequiredService<EnvironmentSnapshotProvider>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<ExperimentTracker>>()));
        services.TryAddSingleton(sp => new ModelRegistry(sp.GetRequiredService<TrackingStore>()));
        return new MlopsTrackingBuilder(services);
    }

    /// <summary>Uses another tracking store, replacing the SQLite default (backends call this from <c>UsePostgreSql</c> and the like).</summary>
    public static IMlopsTrackingBuilder UseStore(this IMlopsTrackingBuilder builder, Func<IServiceProvider, TrackingStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.Replace(ServiceDescriptor.Singleton(factory));
        return builder;
    }

    /// <summary>
    /// Keeps artifacts in the blob store registered under <paramref name="blobStoreName"/> (for example an Azure or S3
    /// store from <c>Mlops.Storage.*</c>) instead of the local folder.
    /// </summary>
    public static IMlopsTrackingBuilder UseArtifactStore(this IMlopsTrackingBuilder builder, string blobStoreName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(blobStoreName);
        builder.Services.RemoveAllKeyed(typeof(BlobStore), TrackingServiceKeys.ArtifactStore);
        builder.Services.AddKeyedSingleton(TrackingServiceKeys.ArtifactStore, (sp, _) => sp.GetRequiredKeyedService<BlobStore>(blobStoreName));
        return builder;
    }
}
