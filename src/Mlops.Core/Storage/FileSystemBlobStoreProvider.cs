namespace Mlops.Core.Storage;

/// <summary>
/// Opens local folders as <see cref="FileSystemBlobStore"/>s: a path (relative paths resolve against
/// <see cref="BlobStoreLocation.BaseDirectory"/>, for DVC the <c>.dvc</c> folder) or a <c>file://</c> URL.
/// </summary>
public sealed class FileSystemBlobStoreProvider : BlobStoreProvider
{
    /// <inheritdoc />
    public override bool CanOpen(BlobStoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return location.Scheme is "" or "file";
    }

    /// <inheritdoc />
    public override BlobStore Open(BlobStoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (string.IsNullOrWhiteSpace(location.Url))
        {
            throw new BlobStoreException("File system", location.Name, null, "the location has no URL: set one to the folder that holds the objects.");
        }

        var path = location.Scheme == "file" ? new Uri(location.Url).LocalPath : location.Url;
        var root = System.IO.Path.GetFullPath(System.IO.Path.Combine(location.BaseDirectory ?? Environment.CurrentDirectory, path));
        return new FileSystemBlobStore(location.Name, root);
    }
}
