using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Mlops.Core.Storage;

/// <summary>A <see cref="BlobStore"/> held in memory: for tests and short-lived work.</summary>
public sealed class InMemoryBlobStore : BlobStore
{
    private const string Backend = "In-memory";
    private readonly ConcurrentDictionary<string, byte[]> _objects = new(StringComparer.Ordinal);

    /// <summary>Creates an empty store.</summary>
    public InMemoryBlobStore(string name = "memory")
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <summary>The number of objects held.</summary>
    public int Count => _objects.Count;

    /// <inheritdoc />
    public override ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        BlobKey.Validate(key);
        return ValueTask.FromResult(_objects.ContainsKey(key));
    }

    /// <inheritdoc />
    public override ValueTask<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default)
    {
        BlobKey.Validate(key);
        return ValueTask.FromResult(_objects.TryGetValue(key, out var bytes) ? new BlobInfo(key, bytes.Length) : null);
    }

    /// <inheritdoc />
    public override ValueTask<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        BlobKey.Validate(key);
        return _objects.TryGetValue(key, out var bytes)
            ? ValueTask.FromResult<Stream>(new MemoryStream(bytes, writable: false))
            : throw new BlobNotFoundException(Backend, Name, key);
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        BlobKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);

        // Only a complete copy is published, so a failed read leaves the old object in place.
        _objects[key] = buffer.ToArray();
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<BlobInfo> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        BlobKey.ValidatePrefix(prefix);
        foreach (var (key, bytes) in _objects)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return new BlobInfo(key, bytes.Length);
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        BlobKey.Validate(key);
        return ValueTask.FromResult(_objects.TryRemove(key, out _));
    }
}
