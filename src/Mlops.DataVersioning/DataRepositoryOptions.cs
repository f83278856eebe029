using Mlops.Core.Storage;

namespace Mlops.DataVersioning;

/// <summary>Options of a <see cref="DataRepository"/>.</summary>
public sealed class DataRepositoryOptions
{
    /// <summary>The repository's folder (the one holding <c>.dvc</c>) or any folder below it. Required with dependency injection.</summary>
    public string RepositoryPath { get; set; } = "";

    /// <summary>How long a writing operation waits for another process's lock before it fails with "locked by process N". Default 10 seconds.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many transfers run at once in fetch, push and pull when the call does not say. Default four per processor, as DVC.</summary>
    public int Jobs { get; set; } = 4 * Environment.ProcessorCount;

    /// <summary>
    /// Flushes every object written to the cache to the disk before it gets its final name. A killed process never leaves a
    /// partial object either way; this also survives a power loss, at the cost of one disk flush per file.
    /// </summary>
    public bool FlushToDisk { get; set; }

    /// <summary>
    /// Open remotes' URLs as blob stores, for example <c>new AzureBlobStoreProvider()</c> (Mlops.Storage.AzureBlob) for
    /// <c>azure://</c> or <c>new S3BlobStoreProvider()</c> (Mlops.Storage.S3) for <c>s3://</c>; the first that accepts a URL wins.
    /// Local folders always open, after these.
    /// </summary>
    public IList<BlobStoreProvider> BlobStoreProviders { get; } = [];

    /// <summary>Blob stores to use for named remotes instead of what <c>.dvc/config</c> says (for example a store built by a host).</summary>
    public IDictionary<string, BlobStore> Remotes { get; } = new Dictionary<string, BlobStore>(StringComparer.Ordinal);
}

/// <summary>Options of <see cref="DataRepository.InitAsync(string, DataRepositoryInitOptions?, CancellationToken)"/>.</summary>
public sealed record DataRepositoryInitOptions
{
    /// <summary>Initialises without Git (<c>core.no_scm = True</c>): no <c>.gitignore</c> lines and no Git checks.</summary>
    public bool NoScm { get; init; }

    /// <summary>Initialises again over an existing <c>.dvc</c> folder, keeping its cache.</summary>
    public bool Force { get; init; }
}

/// <summary>Progress of a long operation.</summary>
/// <param name="Operation">What is being done: "hash", "add", "checkout", "push", "fetch", …</param>
/// <param name="Completed">Items (files or objects) done so far.</param>
/// <param name="Total">Items in all, or 0 when not known yet.</param>
/// <param name="Path">The item being worked on, when there is one.</param>
/// <param name="Bytes">Bytes done of the current item, for large files.</param>
public sealed record DataProgress(string Operation, long Completed, long Total, string? Path = null, long Bytes = 0);
