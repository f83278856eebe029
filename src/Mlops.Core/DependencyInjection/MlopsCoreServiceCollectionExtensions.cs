using System.IO.Abstractions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mlops.Core;
using Mlops.Core.DependencyInjection;
using Mlops.Core.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the services of Mlops.Core.</summary>
public static class MlopsCoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds what every Mlops package builds on: <see cref="TimeProvider"/>, <see cref="IFileSystem"/> and the
    /// <see cref="EnvironmentSnapshotProvider"/>, and the <see cref="FileSystemBlobStoreProvider"/> among the
    /// <see cref="BlobStoreProvider"/>s. Safe to call more than once; registrations made before win.
    /// </summary>
    public static IMlopsCoreBuilder AddMlopsCore(this IServiceCollection services, Action<EnvironmentSnapshotOptions>? configureSnapshot = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IFileSystem, FileSystem>();
        services.TryAddSingleton<EnvironmentSnapshotProvider>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<BlobStoreProvider, FileSystemBlobStoreProvider>());
        var options = services.AddOptions<EnvironmentSnapshotOptions>();
        if (configureSnapshot is not null)
        {
            options.Configure(configureSnapshot);
        }

        return new MlopsCoreBuilder(services);
    }

    /// <summary>
    /// Adds a <see cref="FileSystemBlobStore"/> named <paramref name="name"/>: a keyed <see cref="BlobStore"/>
    /// under that name, and the unkeyed default when none is registered yet.
    /// </summary>
    /// <exception cref="OptionsValidationException">At start, when the root path is missing.</exception>
    public static IMlopsBuilder AddFileSystemBlobStore(this IMlopsBuilder builder, string name, Action<FileSystemBlobStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddMlopsCore();
        builder.Services.AddOptions<FileSystemBlobStoreOptions>(name)
            .Configure(configure)
            .Validate(o => !string.IsNullOrWhiteSpace(o.RootPath), $"The file-system blob store '{name}' needs a RootPath: set it in AddFileSystemBlobStore(\"{name}\", o => o.RootPath = …).")
            .ValidateOnStart();
        builder.Services.AddBlobStore(name, sp => new FileSystemBlobStore(
            name,
            sp.GetRequiredService<IOptionsMonitor<FileSystemBlobStoreOptions>>().Get(name),
            sp.GetRequiredService<IFileSystem>()));
        return builder;
    }

    /// <summary>
    /// Registers a blob store as a keyed <see cref="BlobStore"/> under <paramref name="name"/>, and as the
    /// unkeyed default when none is registered yet. Backend packages call this from their own extension methods.
    /// </summary>
    public static IServiceCollection AddBlobStore(this IServiceCollection services, string name, Func<IServiceProvider, BlobStore> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(factory);
        services.TryAddKeyedSingleton(name, (sp, _) => factory(sp));
        services.TryAddSingleton(sp => sp.GetRequiredKeyedService<BlobStore>(name));
        return services;
    }
}
