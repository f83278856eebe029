using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Mlops.Core.Resilience;

namespace Mlops.Storage.S3.Tests;

/// <summary>The s3rver the tests run against, from MLOPS_TEST_S3_URL / _ACCESS_KEY / _SECRET_KEY (set by ./eng/test.sh).</summary>
internal static class S3rver
{
    public static Uri Url => new(Require("MLOPS_TEST_S3_URL"));

    public static string AccessKey => Require("MLOPS_TEST_S3_ACCESS_KEY");

    public static string SecretKey => Require("MLOPS_TEST_S3_SECRET_KEY");

    /// <summary>Fast retries, so fault-injection tests take milliseconds.</summary>
    public static RemoteResilienceOptions FastRetries => new() { RetryBaseDelay = TimeSpan.FromMilliseconds(10), MaxRetryAttempts = 4 };

    public static string NewBucketName() => "mlops-test-" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>Options for a store on s3rver.</summary>
    public static S3BlobStoreOptions Options(string bucket, string prefix = "") => new()
    {
        ServiceUrl = Url,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
        ForcePathStyle = true,
        Bucket = bucket,
        Prefix = prefix,
    };

    /// <summary>A client configured as the store configures its own, optionally over <paramref name="handler"/>.</summary>
    public static AmazonS3Client Client(HttpMessageHandler? handler = null, string? accessKey = null, string? secretKey = null)
    {
        var options = Options("unused");
        options.AccessKey = accessKey ?? AccessKey;
        options.SecretKey = secretKey ?? SecretKey;
        if (handler is not null)
        {
            options.ConfigureClient = config => config.HttpClientFactory = new HandlerHttpClientFactory(handler);
        }

        return S3BlobStore.CreateClient("test", options);
    }

    public static async Task DeleteBucketAsync(string bucket)
    {
        using var client = Client();
        try
        {
            string? continuation = null;
            do
            {
                var page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, ContinuationToken = continuation });
                foreach (var item in page.S3Objects ?? [])
                {
                    await client.DeleteObjectAsync(bucket, item.Key);
                }

                continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
            }
            while (continuation is not null);
            await client.DeleteBucketAsync(bucket);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
        {
        }
    }

    private static string Require(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{variable} is not set, so there is no S3-compatible server to test against. Run ./eng/test.sh, which starts s3rver on 127.0.0.1 and sets MLOPS_TEST_S3_URL, MLOPS_TEST_S3_ACCESS_KEY and MLOPS_TEST_S3_SECRET_KEY.");

    /// <summary>Gives the SDK an HttpClient over the fault-injecting handler.</summary>
    private sealed class HandlerHttpClientFactory(HttpMessageHandler handler) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler, disposeHandler: false);

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
    }
}
