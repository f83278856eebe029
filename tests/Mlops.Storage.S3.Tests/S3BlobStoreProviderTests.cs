using Microsoft.Extensions.DependencyInjection;
using Mlops.Core.Storage;

namespace Mlops.Storage.S3.Tests;

public sealed class S3BlobStoreProviderTests : IAsyncLifetime
{
    private readonly string _bucket = S3rver.NewBucketName();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => S3rver.DeleteBucketAsync(_bucket);

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    private BlobStoreLocation Location(params (string Key, string Value)[] settings) =>
        new("origin", $"s3://{_bucket}/team/dvc/") { Settings = settings.ToDictionary(s => s.Key, s => s.Value) };

    [Fact]
    public async Task Dvc_settings_open_the_bucket_path_style_below_the_url_prefix()
    {
        var store = new S3BlobStoreProvider(Environment()).Open(Location(
            ("endpointurl", S3rver.Url.ToString()), ("access_key_id", S3rver.AccessKey), ("secret_access_key", S3rver.SecretKey)));

        var s3 = Assert.IsType<S3BlobStore>(store);
        Assert.Equal((_bucket, "team/dvc/"), (s3.Bucket, s3.Prefix));
        await store.WriteAsync("files/md5/ab/c", new MemoryStream([1, 2, 3]));
        using var client = S3rver.Client();
        var metadata = await client.GetObjectMetadataAsync(_bucket, "team/dvc/files/md5/ab/c");
        Assert.Equal(3, metadata.ContentLength);
    }

    [Fact]
    public async Task The_environment_supplies_endpoint_and_keys_when_the_settings_do_not()
    {
        var environment = Environment(("AWS_ENDPOINT_URL", S3rver.Url.ToString()), ("AWS_ACCESS_KEY_ID", S3rver.AccessKey), ("AWS_SECRET_ACCESS_KEY", S3rver.SecretKey));
        var store = new S3BlobStoreProvider(environment).Open(Location());

        await store.WriteAsync("k", new MemoryStream([7]));
        Assert.Equal(new BlobInfo("k", 1), await store.GetInfoAsync("k"));
    }

    [Theory]
    [InlineData(null, null, "access_key_id and secret_access_key")]
    [InlineData("AKIAEXAMPLEID", null, "secret_access_key")]
    [InlineData(null, "example-secret-value", "access_key_id")]
    public void Missing_credentials_name_the_key_to_set_and_never_print_a_value(string? accessKey, string? secretKey, string named)
    {
        var settings = new List<(string, string)>();
        if (accessKey is not null)
        {
            settings.Add(("access_key_id", accessKey));
        }

        if (secretKey is not null)
        {
            settings.Add(("secret_access_key", secretKey));
        }

        var error = Assert.Throws<BlobStoreException>(() => new S3BlobStoreProvider(Environment()).Open(Location([.. settings])));

        Assert.Contains("set " + named + " ", error.Message, StringComparison.Ordinal);
        Assert.Contains("AWS_ACCESS_KEY_ID", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAEXAMPLEID", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("example-secret-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_s3_urls_are_accepted_and_di_registers_the_provider_once()
    {
        var provider = new S3BlobStoreProvider();
        Assert.True(provider.CanOpen(new BlobStoreLocation("a", "s3://b/p")));
        Assert.False(provider.CanOpen(new BlobStoreLocation("a", "azure://c/p")));

        var services = new ServiceCollection();
        services.AddMlopsCore().AddS3BlobStoreProvider().AddS3BlobStoreProvider();
        using var built = services.BuildServiceProvider();
        Assert.Equal(["FileSystemBlobStoreProvider", "S3BlobStoreProvider"], built.GetServices<BlobStoreProvider>().Select(p => p.GetType().Name));
    }
}
