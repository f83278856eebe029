using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Mlops.Core.Resilience;
using Mlops.Core.Storage;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Mlops.Storage.S3;

/// <summary>
/// A <see cref="BlobStore"/> on an Amazon S3 (or S3-compatible) bucket, optionally below a key prefix.
/// </summary>
/// <remarks>
/// <para>A write is one PutObject, which is atomic: the object appears whole or not at all. Every call runs through
/// a Polly <see cref="ResiliencePipeline"/> (<see cref="RemoteResiliencePipeline.AddRemoteDefaults"/>) that retries
/// only transient failures (<see cref="IsTransient"/>); a retried write sends the content again from its start.
/// Uploads are sent unchunked (<c>UseChunkEncoding = false</c>), which S3 and the compatible services accept alike.</para>
/// <para>The bucket is created on the first write that finds it missing; constructing a store sends no request.</para>
/// </remarks>
public sealed class S3BlobStore : BlobStore
{
    /// <summary>The backend's name in error messages.</summary>
    public const string Backend = "S3";

    /// <summary>The prefix of the key under which dependency injection registers each store's resilience pipeline (followed by the store's name).</summary>
    public const string PipelineKeyPrefix = "Mlops.Storage.S3:";

    private const int PageSize = 1000;

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly ResiliencePipeline _pipeline;

    /// <summary>Creates a store from <paramref name="options"/>, with the SDK's retries off and a pipeline built from <see cref="S3BlobStoreOptions.Resilience"/>.</summary>
    /// <exception cref="ArgumentException">The options are not valid; the message lists every problem.</exception>
    public S3BlobStore(string name, S3BlobStoreOptions options)
        : this(name, CreateClient(name, options), options.Bucket, options.Prefix, RemoteResiliencePipeline.Create(options.Resilience, IsTransient))
    {
    }

    /// <summary>Creates a store on <paramref name="bucket"/> through <paramref name="client"/>.</summary>
    /// <param name="name">The store's name, used in error messages and logs.</param>
    /// <param name="client">The S3 client. Configure it with <c>MaxErrorRetry = 0</c> so that the SDK's retries do not multiply the pipeline's.</param>
    /// <param name="bucket">The bucket's name.</param>
    /// <param name="prefix">The key prefix inside the bucket (a '/' is added when missing); empty for the whole bucket.</param>
    /// <param name="pipeline">The pipeline every call runs through; null for one with the defaults of <see cref="RemoteResilienceOptions"/>.</param>
    public S3BlobStore(string name, IAmazonS3 client, string bucket, string prefix, ResiliencePipeline? pipeline)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentNullException.ThrowIfNull(prefix);
        if (!IsValidPrefix(prefix))
        {
            throw new ArgumentException($"The S3 store '{name}' has an invalid prefix '{prefix}': use a relative path with '/' separators, such as 'team/dvc'.", nameof(prefix));
        }

        Name = name;
        _client = client;
        _bucket = bucket;
        _prefix = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";
        _pipeline = pipeline ?? RemoteResiliencePipeline.Create(new RemoteResilienceOptions(), IsTransient);
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <summary>The bucket's name.</summary>
    public string Bucket => _bucket;

    /// <summary>The key prefix inside the bucket, ending with '/' (empty for the whole bucket).</summary>
    public string Prefix => _prefix;

    /// <summary>
    /// Says whether a failure may succeed when tried again: a 408, 429 or 5xx from the service, a dropped connection,
    /// or a timeout that is not the caller's cancellation. A 4xx such as 403 or 404 is not.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SourceReadException:
                    return false;
                case AmazonServiceException { StatusCode: not 0 } failed:
                    var status = (int)failed.StatusCode;
                    return status is 408 or 429 or >= 500;
                case HttpRequestException or IOException or SocketException or TimeoutException:
                    return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    public override async ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        await GetInfoAsync(key, cancellationToken).ConfigureAwait(false) is not null;

    /// <inheritdoc />
    public override async ValueTask<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default)
    {
        var objectKey = GetObjectKey(key);
        try
        {
            var metadata = await ExecuteAsync(ct => _client.GetObjectMetadataAsync(_bucket, objectKey, ct), cancellationToken).ConfigureAwait(false);
            return new BlobInfo(key, metadata.ContentLength);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Error(key, "reading the object's metadata", ex);
        }
    }

    /// <inheritdoc />
    public override async ValueTask<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var objectKey = GetObjectKey(key);
        GetObjectResponse first;
        try
        {
            first = await ExecuteAsync(ct => _client.GetObjectAsync(_bucket, objectKey, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw new BlobNotFoundException(Backend, Name, key, ex);
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Error(key, "opening the object", ex);
        }

        var length = first.ContentLength;
        var etag = first.ETag;
        return new ResumingReadStream(
            first.ResponseStream,
            first,
            length,
            async (offset, ct) =>
            {
                // The rest of the same version: a replaced object fails with 412 instead of mixing two versions.
                var request = new GetObjectRequest { BucketName = _bucket, Key = objectKey, ByteRange = new ByteRange(offset, length - 1), EtagToMatch = etag };
                var rest = await _client.GetObjectAsync(request, ct).ConfigureAwait(false);
                return (rest.ResponseStream, rest);
            },
            _pipeline,
            ex => ex is AmazonS3Exception { StatusCode: HttpStatusCode.PreconditionFailed }
                ? new BlobStoreException(Backend, Name, key, "the object was replaced while it was being read; read it again.", ex)
                : Error(key, "reading the object", ex));
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        var objectKey = GetObjectKey(key);
        ArgumentNullException.ThrowIfNull(content);
        var source = await RewindableContent.CreateAsync(content, Backend, Name, key, cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            try
            {
                await ExecuteAsync(
                    async ct =>
                    {
                        try
                        {
                            return await PutAsync(objectKey, source, ct).ConfigureAwait(false);
                        }
                        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
                        {
                            await CreateBucketAsync(ct).ConfigureAwait(false);
                            return await PutAsync(objectKey, source, ct).ConfigureAwait(false);
                        }
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
        string? continuation = null;
        do
        {
            var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix + prefix, ContinuationToken = continuation, MaxKeys = PageSize };
            ListObjectsV2Response page;
            try
            {
                page = await ExecuteAsync(ct => _client.ListObjectsV2Async(request, ct), cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
            {
                // No bucket yet: nothing was ever written.
                yield break;
            }
            catch (Exception ex) when (IsFailure(ex, cancellationToken))
            {
                throw Error(null, $"listing the keys under '{prefix}'", ex);
            }

            foreach (var item in page.S3Objects ?? [])
            {
                if (item.Key.StartsWith(_prefix, StringComparison.Ordinal))
                {
                    yield return new BlobInfo(item.Key[_prefix.Length..], item.Size ?? 0);
                }
            }

            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (!string.IsNullOrEmpty(continuation));
    }

    /// <inheritdoc />
    /// <remarks>S3 does not say whether a deleted object existed, so the store asks first; a concurrent writer may slip in between.</remarks>
    public override async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var objectKey = GetObjectKey(key);
        if (!await ExistsAsync(key, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        try
        {
            await ExecuteAsync(ct => _client.DeleteObjectAsync(_bucket, objectKey, ct), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Error(key, "deleting the object", ex);
        }
    }

    /// <summary>Builds the client <paramref name="options"/> describe, with the SDK's own retries off.</summary>
    /// <exception cref="ArgumentException">The options are not valid; the message lists every problem.</exception>
    internal static AmazonS3Client CreateClient(string name, S3BlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = S3BlobStoreOptionsValidator.GetFailures(name, options);
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            MaxErrorRetry = 0,

            // Checksums only where S3 requires them: compatible services often cannot read the trailing checksums
            // that the SDK otherwise sends (the payload is still covered by its SigV4 signature).
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.ServiceUrl is not null)
        {
            config.ServiceURL = options.ServiceUrl.ToString();
            config.AuthenticationRegion = string.IsNullOrWhiteSpace(options.Region) ? "us-east-1" : options.Region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }

        options.ConfigureClient?.Invoke(config);
        return string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    internal static bool IsValidPrefix(string prefix) =>
        prefix.Length == 0 || BlobKey.IsValid(prefix.EndsWith('/') ? prefix[..^1] : prefix);

    private async Task<bool> PutAsync(string objectKey, RewindableContent source, CancellationToken cancellationToken)
    {
        source.Rewind();
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = objectKey,
            InputStream = source.Stream,
            AutoCloseStream = false,
            UseChunkEncoding = false,
        };
        await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task CreateBucketAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.PutBucketAsync(new PutBucketRequest { BucketName = _bucket, UseClientRegion = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
            // Another writer created it first (some compatible services say "exists" even to its owner). If it is
            // someone else's, the write that follows is denied and reported as such.
        }
    }

    private string GetObjectKey(string key)
    {
        BlobKey.Validate(key);
        return _prefix + key;
    }

    private ValueTask<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken) =>
        RemoteCall.ExecuteAsync(_pipeline, "S3", operation, cancellationToken);

    private static bool IsFailure(Exception ex, CancellationToken cancellationToken) => RemoteCall.IsFailure(ex, cancellationToken);

    private BlobStoreException Error(string? key, string action, Exception ex)
    {
        var where = $"bucket '{_bucket}'";
        var message = ex switch
        {
            AmazonServiceException { StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized } failed =>
                $"{action} was denied (HTTP {(int)failed.StatusCode}, {failed.ErrorCode}). Check the access key and secret key (or the role the default credentials resolve to) and its permissions on {where}.",
            AmazonServiceException { StatusCode: HttpStatusCode.NotFound } failed =>
                $"{action} failed: {where} was not found (HTTP 404, {failed.ErrorCode}). Check the bucket name, the region and the ServiceUrl.",
            AmazonServiceException { StatusCode: not 0 } failed =>
                $"{action} failed (HTTP {(int)failed.StatusCode}, {failed.ErrorCode}). Check the ServiceUrl/region and {where}; the service said: {FirstLine(failed.Message)}",
            BrokenCircuitException =>
                $"{action} was not attempted: recent calls to {where} failed repeatedly, so calls are paused for a while. Check that the service is reachable, then try again.",
            TimeoutRejectedException =>
                $"{action} timed out. Check that {where} is reachable, or raise Resilience.AttemptTimeout / TotalTimeout.",
            _ when IsTransient(ex) =>
                $"{action} failed after retries ({FirstLine(ex.Message)}). Check the ServiceUrl/region and that {where} is reachable.",
            _ => $"{action} failed ({FirstLine(ex.Message)}). Check the ServiceUrl/region, the credentials and {where}.",
        };
        return new BlobStoreException(Backend, Name, key, message, ex);
    }

    private static string FirstLine(string message) => RemoteCall.FirstLine(message);
}
