namespace Mlops.Core.Storage;

/// <summary>
/// A store of keyed byte streams: the one seam behind caches, remotes and artifact stores.
/// </summary>
/// <remarks>
/// <para>Keys are relative paths with '/' separators (see <see cref="BlobKey"/>). Every write is atomic:
/// readers see the old object or the whole new one, never a part, and a failed or cancelled write
/// leaves nothing under the key.</para>
/// <para>Implementations raise <see cref="BlobNotFoundException"/> for a missing key and
/// <see cref="BlobStoreException"/> for any other failure, naming the backend and the key.</para>
/// </remarks>
public abstract class BlobStore
{
    /// <summary>The store's name, used in error messages and logs (for example the remote's name).</summary>
    public abstract string Name { get; }

    /// <summary>Says whether an object exists under <paramref name="key"/>.</summary>
    public abstract ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Returns the size and key of the object, or null when there is none.</summary>
    public abstract ValueTask<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Opens the object under <paramref name="key"/> for reading.</summary>
    /// <exception cref="BlobNotFoundException">There is no object under the key.</exception>
    public abstract ValueTask<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="content"/>, read to its end, under <paramref name="key"/>, atomically,
    /// replacing any object already there.
    /// </summary>
    public abstract ValueTask WriteAsync(string key, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Lists the objects whose keys start with <paramref name="prefix"/> (all of them for an empty prefix), in no set order.</summary>
    public abstract IAsyncEnumerable<BlobInfo> ListAsync(string prefix = "", CancellationToken cancellationToken = default);

    /// <summary>Deletes the object under <paramref name="key"/>; returns false when there was none.</summary>
    public abstract ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Writes the local file at <paramref name="path"/> under <paramref name="key"/>. Stores may do better than a stream copy.</summary>
    public virtual async ValueTask UploadFileAsync(string key, string path, CancellationToken cancellationToken = default)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            await WriteAsync(key, stream, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name} '{Name}'";
}

/// <summary>What a store knows of one object.</summary>
/// <param name="Key">The object's key.</param>
/// <param name="Size">The object's size in bytes.</param>
public sealed record BlobInfo(string Key, long Size);
