using System.IO.Abstractions;
using Mlops.Core.Storage;
using Mlops.DataVersioning.Formats;

namespace Mlops.DataVersioning;

/// <summary>
/// Turns a remote's configuration (<c>['remote "name"']</c> in <c>.dvc/config</c>) into a <see cref="BlobStore"/>.
/// Storage packages (Azure Blob, S3) derive from it for their URL schemes; the first factory that accepts a URL wins.
/// </summary>
public abstract class RemoteStoreFactory
{
    /// <summary>Says whether this factory handles the remote (usually by its URL scheme).</summary>
    public abstract bool CanCreate(RemoteConfig remote);

    /// <summary>Creates the store. <paramref name="configDirectory"/> is the <c>.dvc</c> folder, against which relative paths resolve.</summary>
    /// <exception cref="DataVersioningException">The configuration is incomplete; the message says which key to set (never its secret value).</exception>
    public abstract BlobStore Create(RemoteConfig remote, string configDirectory);
}

/// <summary>Remotes that are local folders: a path (relative paths are relative to <c>.dvc/</c>, as in DVC) or a <c>file://</c> URL.</summary>
public sealed class LocalRemoteStoreFactory : RemoteStoreFactory
{
    /// <inheritdoc />
    public override bool CanCreate(RemoteConfig remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        return remote.Scheme is "" or "file" || (OperatingSystem.IsWindows() && remote.Url.Length > 1 && remote.Url[1] == ':');
    }

    /// <inheritdoc />
    public override BlobStore Create(RemoteConfig remote, string configDirectory)
    {
        ArgumentNullException.ThrowIfNull(remote);
        if (string.IsNullOrWhiteSpace(remote.Url))
        {
            throw new DataVersioningException($"The {remote} has no url. Set one in .dvc/config: ['remote \"{remote.Name}\"'] url = /path/to/storage.");
        }

        var path = remote.Scheme == "file" ? new Uri(remote.Url).LocalPath : remote.Url;
        var root = Path.GetFullPath(Path.Combine(configDirectory, path));
        return new FileSystemBlobStore(remote.Name, new FileSystemBlobStoreOptions { RootPath = root }, new FileSystem());
    }
}
