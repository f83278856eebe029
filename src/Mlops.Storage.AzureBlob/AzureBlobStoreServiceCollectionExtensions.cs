using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mlops.Core.DependencyInjection;
using Mlops.Core.Resilience;
using Mlops.Core.Storage;
using Mlops.Storage.AzureBlob;
using Polly;
using Polly.Registry;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Azure Blob stores.</summary>
public static class AzureBlobStoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds an <see cref="AzureBlobStore"/> named <paramref name="name"/>: a keyed <see cref="BlobStore"/> under that
    /// name (and the unkeyed default when none is registered yet), with its own resilience pipeline registered under
    /// <c>"Mlops.Storage.AzureBlob:" + name</c> (<see cref="AzureBlobStore.PipelineKeyPrefix"/>).
    /// </summary>
    /// <param name="builder">The Mlops builder, from <c>services.AddMlopsCore()</c> or another package's <c>AddMlops…</c>.</param>
    /// <param name="name">The store's name, for example the remote's name.</param>
    /// <param name="configure">Sets the connection string (or service URI and credential), container, prefix and limits.</param>
    /// <exception cref="OptionsValidationException">At start, when the options are missing or invalid; the message names the store.</exception>
    public static IMlopsBuilder AddAzureBlobStore(this IMlopsBuilder builder, string name, Action<AzureBlobStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddMlopsCore();
        services.AddOptions<AzureBlobStoreOptions>(name).Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureBlobStoreOptions>, AzureBlobStoreOptionsValidator>());

        var pipelineKey = AzureBlobStore.PipelineKeyPrefix + name;
        services.AddResiliencePipeline(pipelineKey, (pipeline, context) =>
        {
            var options = context.GetOptions<AzureBlobStoreOptions>(name);
            context.EnableReloads<AzureBlobStoreOptions>(name);
            pipeline.AddRemoteDefaults(options.Resilience, AzureBlobStore.IsTransient, context.ServiceProvider.GetService<TimeProvider>());
        });

        services.AddBlobStore(name, sp =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<AzureBlobStoreOptions>>().Get(name);
            var pipeline = sp.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(pipelineKey);
            return new AzureBlobStore(name, AzureBlobStore.CreateContainerClient(name, options), options.Prefix, pipeline);
        });
        return builder;
    }

    /// <summary>
    /// Adds the <see cref="AzureBlobStoreProvider"/> to the <see cref="BlobStoreProvider"/>s, so that locations such as
    /// <c>azure://container/prefix</c> (for example DVC remotes in <c>.dvc/config</c>) open as stores. Safe to call more than once.
    /// </summary>
    public static IMlopsBuilder AddAzureBlobStoreProvider(this IMlopsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMlopsCore();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<BlobStoreProvider, AzureBlobStoreProvider>());
        return builder;
    }
}
