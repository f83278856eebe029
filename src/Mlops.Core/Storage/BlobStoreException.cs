namespace Mlops.Core.Storage;

/// <summary>A blob store operation failed; the message names the backend, the store and the key.</summary>
public class BlobStoreException : MlopsException
{
    /// <summary>Creates an exception with no message.</summary>
    public BlobStoreException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public BlobStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public BlobStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception that names the backend, store and key.</summary>
    /// <param name="backend">The kind of store, for example "file system", "Azure Blob" or "S3".</param>
    /// <param name="storeName">The store's name.</param>
    /// <param name="key">The key the operation was about, if any.</param>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public BlobStoreException(string backend, string storeName, string? key, string message, Exception? innerException = null)
        : base(Format(backend, storeName, key, message), innerException)
    {
        Backend = backend;
        StoreName = storeName;
        Key = key;
    }

    /// <summary>The kind of store, for example "file system", "Azure Blob" or "S3".</summary>
    public string? Backend { get; }

    /// <summary>The store's name.</summary>
    public string? StoreName { get; }

    /// <summary>The key the operation was about, if any.</summary>
    public string? Key { get; }

    private static string Format(string backend, string storeName, string? key, string message) =>
        key is null
            ? $"{backend} store '{storeName}': {message}"
            : $"{backend} store '{storeName}', key '{key}': {message}";
}

/// <summary>No object exists under the key.</summary>
public sealed class BlobNotFoundException : BlobStoreException
{
    /// <summary>Creates an exception with no message.</summary>
    public BlobNotFoundException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public BlobNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public BlobNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the backend, store and missing key.</summary>
    public BlobNotFoundException(string backend, string storeName, string key, Exception? innerException = null)
        : base(backend, storeName, key, "no object exists under this key.", innerException)
    {
    }
}
