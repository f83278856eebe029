using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mlops.Core.Storage;
using Mlops.DataVersioning;
using Mlops.DataVersioning.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the data repository of Mlops.DataVersioning.</summary>
public static class DataVersioningServiceCollectionExtensions
{
    /// <summary>
    /// Adds a <see cref="DataRepository"/> singleton opened (lazily, on first use) at <see cref="DataRepositoryOptions.RepositoryPath"/>,
    /// with every registered <see cref="BlobStoreProvider"/> (add them with the storage packages' <c>AddAzureBlobStoreProvider()</c>,
    /// <c>AddS3BlobStoreProvider()</c>). Safe to call more than once; registrations made before win.
    /// </summary>
    /// <exception cref="OptionsValidationException">At start, when the repository path is missing or the jobs bound is not positive.</exception>
    public static IMlopsDataVersioningBuilder AddMlopsDataVersioning(this IServiceCollection services, Action<DataRepositoryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMlopsCore();
        var options = services.AddOptions<DataRepositoryOptions>()
            .Validate(o => !string.IsNullOrWhiteSpace(o.RepositoryPath), "Mlops.DataVersioning needs a repository path: AddMlopsDataVersioning(o => o.RepositoryPath = \"…\").")
            .Validate(o => o.Jobs > 0, "DataRepositoryOptions.Jobs must be at least 1.")
            .Validate(o => o.LockTimeout >= TimeSpan.Zero, "DataRepositoryOptions.LockTimeout must not be negative.")
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(sp =>
        {
            var configured = sp.GetRequiredService<IOptions<DataRepositoryOptions>>().Value;
            var effective = new DataRepositoryOptions
            {
                RepositoryPath = configured.RepositoryPath,
                LockTimeout = configured.LockTimeout,
                Jobs = configured.Jobs,
                FlushToDisk = configured.FlushToDisk,
            };
            foreach (var provider in configured.BlobStoreProviders.Concat(sp.GetServices<BlobStoreProvider>()))
            {
                effective.BlobStoreProviders.Add(provider);
            }

            foreach (var (name, store) in configured.Remotes)
            {
                effective.Remotes[name] = store;
            }

            foreach (var name in sp.GetServices<DataVersioningRemote>().Select(r => r.Name))
            {
                effective.Remotes.TryAdd(name, sp.GetRequiredKeyedService<BlobStore>(RemoteKey(name)));
            }

            return DataRepository.Open(effective.RepositoryPath, effective);
        });
        return new DataVersioningBuilder(services);
    }

    /// <summary>
    /// Uses the blob store <paramref name="factory"/> builds for the remote <paramref name="name"/>, instead of what <c>.dvc/config</c> says.
    /// The store is also a keyed <see cref="BlobStore"/> under <c>dvc-remote:NAME</c>.
    /// </summary>
    public static IMlopsDataVersioningBuilder AddRemote(this IMlopsDataVersioningBuilder builder, string name, Func<IServiceProvider, BlobStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.TryAddKeyedSingleton(RemoteKey(name), (sp, _) => factory(sp));
        builder.Services.AddSingleton(new DataVersioningRemote(name));
        return builder;
    }

    private static string RemoteKey(string name) => "dvc-remote:" + name;

    private sealed record DataVersioningRemote(string Name);

    private sealed class DataVersioningBuilder(IServiceCollection services) : IMlopsDataVersioningBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
