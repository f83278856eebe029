using Microsoft.Extensions.DependencyInjection;
using Mlops.Core.Storage;

namespace Mlops.Storage.AzureBlob.Tests;

public sealed class AzureBlobStoreProviderTests : IAsyncLifetime
{
    private readonly string _container = Azurite.NewContainerName();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Azurite.DeleteContainerAsync(_container);

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    private BlobStoreLocation Location(params (string Key, string Value)[] settings) =>
        new("origin", $"azure://{_container}/team/dvc") { Settings = settings.ToDictionary(s => s.Key, s => s.Value) };

    [Fact]
    public async Task A_connection_string_setting_opens_the_container_below_the_url_prefix()
    {
        var store = new AzureBlobStoreProvider(Environment()).Open(Location(("connection_string", Azurite.ConnectionString)));

        var azure = Assert.IsType<AzureBlobStore>(store);
        Assert.Equal((_container, "team/dvc/", "origin"), (azure.ContainerName, azure.Prefix, azure.Name));
        await store.WriteAsync("files/md5/ab/c", new MemoryStream([1, 2, 3]));
        var raw = Azurite.Service().GetBlobContainerClient(_container).GetBlobClient("team/dvc/files/md5/ab/c");
        Assert.True((await raw.ExistsAsync()).Value);
    }

    [Fact]
    public async Task The_environment_supplies_the_connection_string_when_the_settings_do_not()
    {
        var store = new AzureBlobStoreProvider(Environment(("AZURE_STORAGE_CONNECTION_STRING", Azurite.ConnectionString))).Open(Location());

        await store.WriteAsync("k", new MemoryStream([7]));
        Assert.Equal(new BlobInfo("k", 1), await store.GetInfoAsync("k"));
    }

    [Fact]
    public void Account_name_and_key_open_the_account_endpoint()
    {
        var store = new AzureBlobStoreProvider(Environment(("AZURE_STORAGE_KEY", Convert.ToBase64String(new byte[32]))))
            .Open(Location(("account_name", "myaccount")));

        Assert.Equal("team/dvc/", Assert.IsType<AzureBlobStore>(store).Prefix);
    }

    [Theory]
    [InlineData(null, "connection_string")]
    [InlineData("myaccount", "account_key or sas_token")]
    public void Missing_credentials_name_the_key_to_set(string? account, string named)
    {
        var location = account is null ? Location() : Location(("account_name", account));

        var error = Assert.Throws<BlobStoreException>(() => new AzureBlobStoreProvider(Environment()).Open(location));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.Contains("AZURE_STORAGE_CONNECTION_STRING", error.Message, StringComparison.Ordinal);
        Assert.Contains("'origin'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unparseable_connection_string_fails_without_echoing_it()
    {
        const string secret = "AccountKey=c2VjcmV0LXZhbHVl;garbage";

        var error = Assert.Throws<BlobStoreException>(() => new AzureBlobStoreProvider(Environment()).Open(Location(("connection_string", secret))));

        Assert.DoesNotContain("c2VjcmV0LXZhbHVl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_azure_urls_are_accepted_and_di_registers_the_provider_once()
    {
        var provider = new AzureBlobStoreProvider();
        Assert.True(provider.CanOpen(new BlobStoreLocation("a", "azure://c/p")));
        Assert.False(provider.CanOpen(new BlobStoreLocation("a", "s3://b/p")));
        Assert.False(provider.CanOpen(new BlobStoreLocation("a", "/mnt/remote")));

        var services = new ServiceCollection();
        services.AddMlopsCore().AddAzureBlobStoreProvider().AddAzureBlobStoreProvider();
        using var built = services.BuildServiceProvider();
        Assert.Equal(["FileSystemBlobStoreProvider", "AzureBlobStoreProvider"], built.GetServices<BlobStoreProvider>().Select(p => p.GetType().Name));
    }
}
