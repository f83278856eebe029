using Amazon.S3;
using Mlops.Core.Resilience;

namespace Mlops.Storage.S3;

/// <summary>Options of an <see cref="S3BlobStore"/>: where the bucket is, how to sign in, and how calls are retried.</summary>
public sealed class S3BlobStoreOptions
{
    /// <summary>The endpoint of an S3-compatible service (MinIO, Ceph, s3rver, …); null for Amazon S3 itself, located by <see cref="Region"/>.</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>The AWS region, for example <c>eu-west-1</c>. Required for Amazon S3; with <see cref="ServiceUrl"/> it is the signing region (default <c>us-east-1</c>).</summary>
    public string? Region { get; set; }

    /// <summary>The bucket that holds the objects; created on the first write when missing.</summary>
    public string Bucket { get; set; } = "";

    /// <summary>A key prefix inside the bucket (a remote <c>s3://bucket/some/prefix</c> has <c>some/prefix</c>); empty for the whole bucket.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>The access key id; with <see cref="SecretKey"/>. When both are null the SDK's default credential chain is used (environment, profile, instance role).</summary>
    public string? AccessKey { get; set; }

    /// <summary>The secret access key that goes with <see cref="AccessKey"/>.</summary>
    public string? SecretKey { get; set; }

    /// <summary>Addresses the bucket in the path (<c>host/bucket/key</c>) instead of the host name; most S3-compatible services need it.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>How calls are protected: timeouts, retries of transient failures, circuit breaker.</summary>
    public RemoteResilienceOptions Resilience { get; set; } = new();

    /// <summary>
    /// Adjusts the SDK client's configuration after the store has set its own (the SDK's retries are off because the
    /// resilience pipeline retries), for example to set a proxy or an HTTP client factory.
    /// </summary>
    public Action<AmazonS3Config>? ConfigureClient { get; set; }
}
