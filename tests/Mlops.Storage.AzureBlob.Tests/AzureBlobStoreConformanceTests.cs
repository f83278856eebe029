using Azure.Storage.Blobs;
using Mlops.Conformance;
using Mlops.Core.Resilience;
using Mlops.Core.Storage;

namespace Mlops.Storage.AzureBlob.Tests;

/// <summary>The conformance kit on a fresh Azurite container per test (created by the store's first write).</summary>
public sealed class AzureBlobStoreConformanceTests : BlobStoreConformanceTests
{
    private readonly string _container = Azurite.NewContainerName();

    protected override Task<BlobStore> CreateStoreAsync() =>
        Task.FromResult<BlobStore>(new AzureBlobStore("azurite", new AzureBlobStoreOptions
        {
            ConnectionString = Azurite.ConnectionString,
            Container = _container,
        }));

    protected override Task DisposeStoreAsync(BlobStore store) => Azurite.DeleteContainerAsync(_container);
}

/// <summary>The conformance kit below a fresh random prefix of a shared container, as a remote <c>azure://container/some/prefix</c> is.</summary>
public sealed class PrefixedAzureBlobStoreConformanceTests : BlobStoreConformanceTests
{
    private const string SharedContainer = "mlops-conformance-shared";
    private readonly string _prefix = $"runs/{Guid.NewGuid():N}";
    private BlobContainerClient? _client;

    protected override async Task<BlobStore> CreateStoreAsync()
    {
        _client = Azurite.Service().GetBlobContainerClient(SharedContainer);
        await _client.CreateIfNotExistsAsync();

        // A neighbour outside the prefix that the store must never list, read or delete.
        await _client.GetBlobClient("runs/neighbour").UploadAsync(BinaryData.FromString("not mine"), overwrite: true);
        return new AzureBlobStore("azurite-prefixed", _client, _prefix, RemoteResiliencePipeline.Create(new RemoteResilienceOptions(), AzureBlobStore.IsTransient));
    }

    protected override async Task DisposeStoreAsync(BlobStore store)
    {
        await foreach (var blob in _client!.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = _prefix + "/" }))
        {
            await _client.DeleteBlobIfExistsAsync(blob.Name);
        }
    }
}
