using Mlops.Conformance;
using Mlops.Core.Storage;

namespace Mlops.Storage.S3.Tests;

/// <summary>The conformance kit on a fresh s3rver bucket per test (created by the store's first write).</summary>
public sealed class S3BlobStoreConformanceTests : BlobStoreConformanceTests
{
    private readonly string _bucket = S3rver.NewBucketName();

    protected override Task<BlobStore> CreateStoreAsync() =>
        Task.FromResult<BlobStore>(new S3BlobStore("s3rver", S3rver.Options(_bucket)));

    protected override Task DisposeStoreAsync(BlobStore store) => S3rver.DeleteBucketAsync(_bucket);
}

/// <summary>The conformance kit below a fresh random prefix of a bucket, as a remote <c>s3://bucket/some/prefix</c> is.</summary>
public sealed class PrefixedS3BlobStoreConformanceTests : BlobStoreConformanceTests
{
    private readonly string _bucket = S3rver.NewBucketName();

    protected override async Task<BlobStore> CreateStoreAsync()
    {
        using var client = S3rver.Client();
        await client.PutBucketAsync(_bucket);

        // A neighbour outside the prefix that the store must never list, read or delete.
        await client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = _bucket, Key = "runs/neighbour", ContentBody = "not mine", UseChunkEncoding = false });
        return new S3BlobStore("s3rver-prefixed", S3rver.Options(_bucket, $"runs/{Guid.NewGuid():N}"));
    }

    protected override Task DisposeStoreAsync(BlobStore store) => S3rver.DeleteBucketAsync(_bucket);
}
