using Azure.Core;
using Azure.Storage.Blobs;
using Mlops.Core.Resilience;

namespace Mlops.Storage.AzureBlob;

/// <summary>Options of an <see cref="AzureBlobStore"/>: where the container is, how to sign in, and how calls are retried.</summary>
public sealed class AzureBlobStoreOptions
{
    /// <summary>
    /// The storage account's connection string (for example Azurite's development one). Set this, or
    /// <see cref="ServiceUri"/> and, unless the container is public or the URI carries a SAS, <see cref="Credential"/>.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The blob service endpoint, for example <c>https://account.blob.core.windows.net</c>; used when <see cref="ConnectionString"/> is not set.</summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>The Microsoft Entra credential used with <see cref="ServiceUri"/> (for example <c>DefaultAzureCredential</c>).</summary>
    public TokenCredential? Credential { get; set; }

    /// <summary>The container that holds the objects; created on the first write when missing.</summary>
    public string Container { get; set; } = "";

    /// <summary>A key prefix inside the container (a remote <c>azure://container/some/prefix</c> has <c>some/prefix</c>); empty for the whole container.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>How calls are protected: timeouts, retries of transient failures, circuit breaker.</summary>
    public RemoteResilienceOptions Resilience { get; set; } = new();

    /// <summary>
    /// Adjusts the SDK client's options after the store has set its own (the SDK's retries are off because the
    /// resilience pipeline retries), for example to set a proxy or a transport.
    /// </summary>
    public Action<BlobClientOptions>? ConfigureClientOptions { get; set; }
}
