using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mlops.Core.Storage;
using Polly.Registry;

namespace Mlops.Storage.S3.Tests;

public sealed class DependencyInjectionTests : IAsyncLifetime
{
    private readonly string _bucket = S3rver.NewBucketName();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => S3rver.DeleteBucketAsync(_bucket);

    [Fact]
    public async Task Named_store_resolves_as_a_keyed_blob_store_with_its_own_pipeline_and_works()
    {
        var services = new ServiceCollection();
        services.AddMlopsCore().AddS3BlobStore("origin", o =>
        {
            o.ServiceUrl = S3rver.Url;
            o.AccessKey = S3rver.AccessKey;
            o.SecretKey = S3rver.SecretKey;
            o.ForcePathStyle = true;
            o.Bucket = _bucket;
            o.Prefix = "dvc";
        });
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var store = provider.GetRequiredKeyedService<BlobStore>("origin");

        var s3 = Assert.IsType<S3BlobStore>(store);
        Assert.Equal(("origin", _bucket, "dvc/"), (s3.Name, s3.Bucket, s3.Prefix));
        Assert.Same(store, provider.GetRequiredService<BlobStore>());
        Assert.NotNull(provider.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(S3BlobStore.PipelineKeyPrefix + "origin"));

        await store.WriteAsync("k", new MemoryStream([1, 2, 3]));
        Assert.Equal(new BlobInfo("k", 3), await store.GetInfoAsync("k"));
    }

    [Fact]
    public void Missing_bucket_fails_at_start_naming_the_store()
    {
        var error = ValidateAtStart(o => o.ServiceUrl = S3rver.Url);

        Assert.Contains("'origin'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Bucket", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_region_and_service_url_fails_at_start_naming_the_store()
    {
        var error = ValidateAtStart(o => o.Bucket = "data");

        Assert.Contains("'origin'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Region", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Half_a_key_pair_and_bad_limits_fail_at_start()
    {
        var error = ValidateAtStart(o =>
        {
            (o.Region, o.Bucket, o.AccessKey) = ("eu-west-1", "data", "AKIA…");
            o.Resilience.MaxRetryAttempts = -1;
        });

        Assert.Contains("SecretKey", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxRetryAttempts", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UPPER")]
    [InlineData("ab")]
    [InlineData("under_score")]
    public void Invalid_bucket_name_fails_at_start(string bucket)
    {
        var error = ValidateAtStart(o => (o.Region, o.Bucket) = ("eu-west-1", bucket));

        Assert.Contains($"'{bucket}'", error.Message, StringComparison.Ordinal);
    }

    private static OptionsValidationException ValidateAtStart(Action<S3BlobStoreOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddMlopsCore().AddS3BlobStore("origin", configure);
        using var provider = services.BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }
}
