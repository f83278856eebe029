namespace Mlops.Core.Storage;

/// <summary>Content did not hash to the md5 it was stored or fetched under; it was not stored.</summary>
public sealed class ContentHashMismatchException : BlobStoreException
{
    /// <summary>Creates an exception with no message.</summary>
    public ContentHashMismatchException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public ContentHashMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public ContentHashMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the object and both hashes.</summary>
    public ContentHashMismatchException(string storeName, string key, string expectedMd5, string actualMd5)
        : base("Content-addressed", storeName, key, $"the content has md5 {actualMd5}, not {expectedMd5}: it is corrupt and was not stored. Fetch it again from a good copy.")
    {
        ExpectedMd5 = expectedMd5;
        ActualMd5 = actualMd5;
    }

    /// <summary>The md5 the content should have had.</summary>
    public string? ExpectedMd5 { get; }

    /// <summary>The md5 it had.</summary>
    public string? ActualMd5 { get; }
}
