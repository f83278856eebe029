using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Mlops.Core.Storage;

namespace Mlops.Core.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public void AddMlopsCore_registers_the_shared_services_once()
    {
        var services = new ServiceCollection();
        services.AddMlopsCore();
        services.AddMlopsCore();

        using var provider = services.BuildServiceProvider();

        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.IsType<FileSystem>(provider.GetRequiredService<IFileSystem>());
        Assert.NotNull(provider.GetRequiredService<EnvironmentSnapshotProvider>());
        Assert.Single(services, d => d.ServiceType == typeof(TimeProvider));
    }

    [Fact]
    public void A_users_own_registrations_win()
    {
        var clock = new FakeTimeProvider();
        var fileSystem = new MockFileSystem();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<IFileSystem>(fileSystem);
        services.AddMlopsCore();

        using var provider = services.BuildServiceProvider();

        Assert.Same(clock, provider.GetRequiredService<TimeProvider>());
        Assert.Same(fileSystem, provider.GetRequiredService<IFileSystem>());
    }

    [Fact]
    public async Task Named_blob_stores_are_keyed_and_the_first_is_the_default()
    {
        var fileSystem = new MockFileSystem();
        var services = new ServiceCollection().AddSingleton<IFileSystem>(fileSystem);
        services.AddMlopsCore()
            .AddFileSystemBlobStore("cache", o => o.RootPath = "/repo/.dvc/cache")
            .AddFileSystemBlobStore("backup", o => o.RootPath = "/backup");

        using var provider = services.BuildServiceProvider();
        var cache = provider.GetRequiredKeyedService<BlobStore>("cache");
        var backup = provider.GetRequiredKeyedService<BlobStore>("backup");
        await backup.WriteAsync("k", new MemoryStream([1]));

        Assert.Same(cache, provider.GetRequiredService<BlobStore>());
        Assert.Equal("backup", backup.Name);
        Assert.True(fileSystem.File.Exists("/backup/k"));
    }

    [Fact]
    public void A_store_without_a_root_path_fails_at_start_naming_it()
    {
        var services = new ServiceCollection();
        services.AddMlopsCore().AddFileSystemBlobStore("remote", _ => { });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("remote", error.Message, StringComparison.Ordinal);
    }
}
