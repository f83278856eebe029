using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mlops.Core.DependencyInjection;
using Mlops.Core.Resilience;
using Mlops.Core.Storage;
using Mlops.Storage.S3;
using Polly;
using Polly.Registry;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers S3 stores.</summary>
public static class S3BlobStoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds an <see cref="S3BlobStore"/> named <paramref name="name"/>: a keyed <see cref="BlobStore"/> under that
    /// name (and the unkeyed default when none is registered yet), with its own resilience pipeline registered under
    /// <c>"Mlops.Storage.S3:" + name</c> (<see cref="S3BlobStore.PipelineKeyPrefix"/>).
    /// </summary>
    /// <param name="builder">The Mlops builder, from <c>services.AddMlopsCore()</c> or another package's <c>AddMlops…</c>.</param>
    /// <param name="name">The store's name, for example the remote's name.</param>
    /// <param name="configure">Sets the region or service URL, bucket, prefix, credentials and limits.</param>
    /// <exception cref="OptionsValidationException">At start, when the options are missing or invalid; the message names the store.</exception>
    public static IMlopsBuilder AddS3BlobStore(this IMlopsBuilder builder, string name, Action<S3BlobStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddMlopsCore();
        services.AddOptions<S3BlobStoreOptions>(name).Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<S3BlobStoreOptions>, S3BlobStoreOptionsValidator>());

        var pipelineKey = S3BlobStore.PipelineKeyPrefix + name;
        services.AddResiliencePipeline(pipelineKey, (pipeline, context) =>
        {
            var options = context.GetOptions<S3BlobStoreOptions>(name);
            context.EnableReloads<S3BlobStoreOptions>(name);
            pipeline.AddRemoteDefaults(options.Resilience, S3BlobStore.IsTransient, context.ServiceProvider.GetService<TimeProvider>());
        });

        services.AddBlobStore(name, sp =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<S3BlobStoreOptions>>().Get(name);
            var pipeline = sp.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(pipelineKey);
            return new S3BlobStore(name, S3BlobStore.CreateClient(name, options), options.Bucket, options.Prefix, pipeline);
        });
        return builder;
    }

    /// <summary>
    /// Adds the <see cref="S3BlobStoreProvider"/> to the <see cref="BlobStoreProvider"/>s, so that locations such as
    /// <c>s3://bucket/prefix</c> (for example DVC remotes in <c>.dvc/config</c>) open as stores. Safe to call more than once.
    /// </summary>
    public static IMlopsBuilder AddS3BlobStoreProvider(this IMlopsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMlopsCore();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<BlobStoreProvider, S3BlobStoreProvider>());
        return builder;
    }
}
