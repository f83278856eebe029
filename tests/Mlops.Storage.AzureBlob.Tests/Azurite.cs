using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Mlops.Core.Resilience;

namespace Mlops.Storage.AzureBlob.Tests;

/// <summary>The Azurite server the tests run against, from MLOPS_TEST_AZURE_BLOB (set by ./eng/test.sh).</summary>
internal static class Azurite
{
    public const string Variable = "MLOPS_TEST_AZURE_BLOB";

    /// <summary>The connection string; fails the test (never skips it) when the variable is missing.</summary>
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set, so there is no Azurite to test against. Run ./eng/test.sh, which starts Azurite on 127.0.0.1 and sets it, or set it to an Azurite connection string.");

    /// <summary>Fast retries, so fault-injection tests take milliseconds.</summary>
    public static RemoteResilienceOptions FastRetries => new() { RetryBaseDelay = TimeSpan.FromMilliseconds(10), MaxRetryAttempts = 4 };

    public static string NewContainerName() => "mlops-test-" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>A service client with the SDK's retries off (as the store's own options build it), optionally over <paramref name="handler"/>.</summary>
    public static BlobServiceClient Service(HttpMessageHandler? handler = null, string? connectionString = null)
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 0;
        if (handler is not null)
        {
            options.Transport = new HttpClientTransport(new HttpClient(handler));
        }

        return new BlobServiceClient(connectionString ?? ConnectionString, options);
    }

    public static async Task DeleteContainerAsync(string container) =>
        await Service().GetBlobContainerClient(container).DeleteIfExistsAsync();
}
