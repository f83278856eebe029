using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mlops.Core.Storage;
using Polly.Registry;

namespace Mlops.Storage.AzureBlob.Tests;

public sealed class DependencyInjectionTests : IAsyncLifetime
{
    private readonly string _container = Azurite.NewContainerName();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Azurite.DeleteContainerAsync(_container);

    [Fact]
    public async Task Named_store_resolves_as_a_keyed_blob_store_with_its_own_pipeline_and_works()
    {
        var services = new ServiceCollection();
        services.AddMlopsCore().AddAzureBlobStore("origin", o =>
        {
            o.ConnectionString = Azurite.ConnectionString;
            o.Container = _container;
            o.Prefix = "dvc";
        });
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var store = provider.GetRequiredKeyedService<BlobStore>("origin");

        var azure = Assert.IsType<AzureBlobStore>(store);
        Assert.Equal("origin", azure.Name);
        Assert.Equal(_container, azure.ContainerName);
        Assert.Same(store, provider.GetRequiredService<BlobStore>());
        Assert.NotNull(provider.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(AzureBlobStore.PipelineKeyPrefix + "origin"));

        await store.WriteAsync("k", new MemoryStream([1, 2, 3]));
        Assert.Equal(new BlobInfo("k", 3), await store.GetInfoAsync("k"));
    }

    [Fact]
    public void Two_stores_side_by_side_resolve_separately()
    {
        var services = new ServiceCollection();
        services.AddMlopsCore()
            .AddAzureBlobStore("origin", o => (o.ConnectionString, o.Container) = (Azurite.ConnectionString, _container))
            .AddAzureBlobStore("backup", o => (o.ConnectionString, o.Container, o.Prefix) = (Azurite.ConnectionString, _container, "backup"));
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var origin = Assert.IsType<AzureBlobStore>(provider.GetRequiredKeyedService<BlobStore>("origin"));
        var backup = Assert.IsType<AzureBlobStore>(provider.GetRequiredKeyedService<BlobStore>("backup"));

        Assert.Equal(("origin", ""), (origin.Name, origin.Prefix));
        Assert.Equal(("backup", "backup/"), (backup.Name, backup.Prefix));
        Assert.Same(origin, provider.GetRequiredService<BlobStore>());
    }

    [Fact]
    public void Missing_container_fails_at_start_naming_the_store()
    {
        var error = ValidateAtStart(o => o.ConnectionString = Azurite.ConnectionString);

        Assert.Contains("'origin'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Container", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_connection_string_fails_at_start_naming_the_store()
    {
        var error = ValidateAtStart(o => o.Container = "data");

        Assert.Contains("'origin'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionString", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UPPER")]
    [InlineData("a")]
    [InlineData("double--hyphen")]
    public void Invalid_container_name_fails_at_start(string container)
    {
        var error = ValidateAtStart(o => (o.ConnectionString, o.Container) = (Azurite.ConnectionString, container));

        Assert.Contains($"'{container}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_prefix_and_resilience_limits_fail_at_start()
    {
        var error = ValidateAtStart(o =>
        {
            (o.ConnectionString, o.Container, o.Prefix) = (Azurite.ConnectionString, "data", "../up");
            o.Resilience.MaxRetryAttempts = -1;
        });

        Assert.Contains("Prefix", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxRetryAttempts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unparsable_connection_string_fails_at_start()
    {
        var error = ValidateAtStart(o => (o.ConnectionString, o.Container) = ("not a connection string", "data"));

        Assert.Contains("ConnectionString", error.Message, StringComparison.Ordinal);
    }

    private static OptionsValidationException ValidateAtStart(Action<AzureBlobStoreOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddMlopsCore().AddAzureBlobStore("origin", configure);
        using var provider = services.BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }
}
