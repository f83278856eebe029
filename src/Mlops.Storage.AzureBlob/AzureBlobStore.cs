using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Mlops.Core.Resilience;
using Mlops.Core.Storage;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using BlobInfo = Mlops.Core.Storage.BlobInfo;

namespace Mlops.Storage.AzureBlob;

/// <summary>
/// A <see cref="BlobStore"/> on an Azure Blob Storage container, optionally below a key prefix.
/// </summary>
/// <remarks>
/// <para>Writes are block-blob uploads, which are atomic: the object appears only when the last block is
/// committed, so readers never see a partial object. Every call runs through a Polly
/// <see cref="ResiliencePipeline"/> (<see cref="RemoteResiliencePipeline.AddRemoteDefaults"/>) that retries only
/// transient failures (<see cref="IsTransient"/>); a retried write sends the content again from its start.</para>
/// <para>The container is created on the first write that finds it missing; constructing a store sends no request.</para>
/// </remarks>
public sealed class AzureBlobStore : BlobStore
{
    /// <summary>The backend's name in error messages.</summary>
    public const string Backend = "Azure Blob";

    /// <summary>The prefix of the key under which dependency injection registers each store's resilience pipeline (followed by the store's name).</summary>
    public const string PipelineKeyPrefix = "Mlops.Storage.AzureBlob:";

    private const int PageSize = 1000;
    private const int BlockSize = 8 * 1024 * 1024;

    private static readonly BlobUploadOptions UploadOptions = new()
    {
        TransferOptions = new StorageTransferOptions
        {
            // One Put Blob up to a block's size; larger content goes as blocks committed at the end (still atomic).
            InitialTransferSize = BlockSize,
            MaximumTransferSize = BlockSize,
            MaximumConcurrency = 4,
        },
    };

    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly ResiliencePipeline _pipeline;

    /// <summary>Creates a store from <paramref name="options"/>, with the SDK's retries off and a pipeline built from <see cref="AzureBlobStoreOptions.Resilience"/>.</summary>
    /// <exception cref="ArgumentException">The options are not valid; the message lists every problem.</exception>
    public AzureBlobStore(string name, AzureBlobStoreOptions options)
        : this(name, CreateContainerClient(name, options), options.Prefix, RemoteResiliencePipeline.Create(options.Resilience, IsTransient))
    {
    }

    /// <summary>Creates a store on <paramref name="container"/>.</summary>
    /// <param name="name">The store's name, used in error messages and logs.</param>
    /// <param name="container">The container client. Build it with <c>BlobClientOptions.Retry.MaxRetries = 0</c> so that the SDK's retries do not multiply the pipeline's.</param>
    /// <param name="prefix">The key prefix inside the container (a '/' is added when missing); empty for the whole container.</param>
    /// <param name="pipeline">The pipeline every call runs through; null for one with the defaults of <see cref="RemoteResilienceOptions"/>.</param>
    public AzureBlobStore(string name, BlobContainerClient container, string prefix, ResiliencePipeline? pipeline)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(prefix);
        if (!IsValidPrefix(prefix))
        {
            throw new ArgumentException($"The Azure Blob store '{name}' has an invalid prefix '{prefix}': use a relative path with '/' separators, such as 'team/dvc'.", nameof(prefix));
        }

        Name = name;
        _container = container;
        _prefix = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";
        _pipeline = pipeline ?? RemoteResiliencePipeline.Create(new RemoteResilienceOptions(), IsTransient);
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <summary>The container's name.</summary>
    public string ContainerName => _container.Name;

    /// <summary>The key prefix inside the container, ending with '/' (empty for the whole container).</summary>
    public string Prefix => _prefix;

    /// <summary>
    /// Says whether a failure may succeed when tried again: a 408, 429, 500, 502, 503 or 504 from the service, a
    /// failure to reach it (status 0), a dropped connection or a timeout. A 4xx such as 403 or 404 is not.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SourceReadException:
                    return false;
                case RequestFailedException { Status: not 0 } failed:
                    return failed.Status is 408 or 429 or 500 or 502 or 503 or 504;
                case HttpRequestException or IOException or SocketException or TimeoutException:
                    return true;
            }
        }

        return exception is RequestFailedException { Status: 0 };
    }

    /// <inheritdoc />
    public override async ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        await GetInfoAsync(key, cancellationToken).ConfigureAwait(false) is not null;

    /// <inheritdoc />
    public override async ValueTask<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default)
    {
        var blob = GetBlobClient(key);
        try
        {
            var properties = await ExecuteAsync(async ct => (await blob.GetPropertiesAsync(cancellationToken: ct).ConfigureAwait(false)).Value, cancellationToken).ConfigureAwait(false);
            return new BlobInfo(key, properties.ContentLength);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Error(key, "reading the object's properties", ex);
        }
    }

    /// <inheritdoc />
    public override async ValueTask<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var blob = GetBlobClient(key);
        BlobDownloadStreamingResult first;
        try
        {
            first = await ExecuteAsync(async ct => (await blob.DownloadStreamingAsync(new BlobDownloadOptions(), ct).ConfigureAwait(false)).Value, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new BlobNotFoundException(Backend, Name, key, ex);
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Error(key, "opening the object", ex);
        }

        var etag = first.Details.ETag;
        return new ResumingReadStream(
            first.Content,
            first,
            first.Details.ContentLength,
            async (offset, ct) =>
            {
                // The rest of the same version: a replaced object fails with 412 instead of mixing two versions.
                var options = new BlobDownloadOptions { Range = new HttpRange(offset), Conditions = new BlobRequestConditions { IfMatch = etag } };
                var rest = (await blob.DownloadStreamingAsync(options, ct).ConfigureAwait(false)).Value;
                return (rest.Content, rest);
            },
            _pipeline,
            ex => ex is RequestFailedException { Status: 412 }
                ? new BlobStoreException(Backend, Name, key, "the object was replaced while it was being read; read it again.", ex)
                : Error(key, "reading the object", ex));
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        var blob = GetBlobClient(key);
        ArgumentNullException.ThrowIfNull(content);
        var source = await RewindableContent.CreateAsync(content, Backend, Name, key, cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            try
            {
                await ExecuteAsync(
                    async ct =>
                    {
                        source.Rewind();
                        try
                        {
                            await blob.UploadAsync(source.Stream, UploadOptions, ct).ConfigureAwait(false);
                        }
                        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
                        {
                            await _container.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false);
                            source.Rewind();
                            await blob.UploadAsync(source.Stream, UploadOptions, ct).ConfigureAwait(false);
                        }

                        return true;
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsFailure(ex, cancellationToken))
            {
                source.ThrowIfSourceFailed(Backend, Name, key);
                throw Error(key, "writing the object", ex);
            }
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<BlobInfo> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        BlobKey.ValidatePrefix(prefix);
        var options = new GetBlobsOptions { Prefix = _prefix + prefix };
        string? continuation = null;
        do
        {
            Page<BlobItem>? page;
            try
            {
                page = await ExecuteAsync(
                    async ct =>
                    {
                        await foreach (var p in _container.GetBlobsAsync(options, ct).AsPages(continuation, PageSize).WithCancellation(ct).ConfigureAwait(false))
                        {
                            return p;
                        }

                        return null;
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                // No container yet: nothing was ever written.
                yield break;
            }
            catch (Exception ex) when (IsFailure(ex, cancellationToken))
            {
                throw Error(null, $"listing the keys under '{prefix}'", ex);
            }

            if (page is null)
            {
                yield break;
            }

            foreach (var item in page.Values)
            {
                if (item.Name.StartsWith(_prefix, StringComparison.Ordinal))
                {
                    yield return new BlobInfo(item.Name[_prefix.Length..], item.Properties.ContentLength ?? 0);
                }
            }

            continuation = page.ContinuationToken;
        }
        while (!string.IsNullOrEmpty(continuation));
    }

    /// <inheritdoc />
    public override async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var blob = GetBlobClient(key);
        try
        {
            return await ExecuteAsync(async ct => (await blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct).ConfigureAwait(false)).Value, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            return false;
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Error(key, "deleting the object", ex);
        }
    }

    /// <summary>Builds the container client <paramref name="options"/> describe, with the SDK's own retries off.</summary>
    /// <exception cref="ArgumentException">The options are not valid; the message lists every problem.</exception>
    internal static BlobContainerClient CreateContainerClient(string name, AzureBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = AzureBlobStoreOptionsValidator.GetFailures(name, options);
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.MaxRetries = 0;
        options.ConfigureClientOptions?.Invoke(clientOptions);
        var service = !string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new BlobServiceClient(options.ConnectionString, clientOptions)
            : options.Credential is not null
                ? new BlobServiceClient(options.ServiceUri!, options.Credential, clientOptions)
                : new BlobServiceClient(options.ServiceUri!, clientOptions);
        return service.GetBlobContainerClient(options.Container);
    }

    internal static bool IsValidPrefix(string prefix) =>
        prefix.Length == 0 || BlobKey.IsValid(prefix.EndsWith('/') ? prefix[..^1] : prefix);

    private BlobClient GetBlobClient(string key)
    {
        BlobKey.Validate(key);
        return _container.GetBlobClient(_prefix + key);
    }

    private ValueTask<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken) =>
        RemoteCall.ExecuteAsync(_pipeline, "Azure Blob Storage", operation, cancellationToken);

    private static bool IsFailure(Exception ex, CancellationToken cancellationToken) => RemoteCall.IsFailure(ex, cancellationToken);

    private BlobStoreException Error(string? key, string action, Exception ex)
    {
        var where = $"container '{_container.Name}' at {_container.Uri.GetLeftPart(UriPartial.Authority)}";
        var message = ex switch
        {
            RequestFailedException { Status: 401 or 403 } failed =>
                $"{action} was denied (HTTP {failed.Status}, {failed.ErrorCode}). Check the connection string's account key, the SAS, or the credential's role (Storage Blob Data Contributor) on {where}.",
            RequestFailedException { Status: 404 } failed =>
                $"{action} failed: {where} was not found (HTTP 404, {failed.ErrorCode}). Check the account and container names.",
            RequestFailedException { Status: not 0 } failed =>
                $"{action} failed (HTTP {failed.Status}, {failed.ErrorCode}). Check the connection string and the container name; the service said: {FirstLine(failed.Message)}",
            BrokenCircuitException =>
                $"{action} was not attempted: recent calls to {where} failed repeatedly, so calls are paused for a while. Check that the service is reachable, then try again.",
            TimeoutRejectedException =>
                $"{action} timed out. Check that {where} is reachable, or raise Resilience.AttemptTimeout / TotalTimeout.",
            _ when IsTransient(ex) =>
                $"{action} failed after retries ({FirstLine(ex.Message)}). Check the connection string and that {where} is reachable.",
            _ => $"{action} failed ({FirstLine(ex.Message)}). Check the connection string and {where}.",
        };
        return new BlobStoreException(Backend, Name, key, message, ex);
    }

    private static string FirstLine(string message) => RemoteCall.FirstLine(message);
}
