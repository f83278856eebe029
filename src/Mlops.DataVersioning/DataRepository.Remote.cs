using System.Collections.Concurrent;
using Mlops.Core.Hashing;
using Mlops.Core.Storage;
using Mlops.DataVersioning.Formats;
using Mlops.DataVersioning.Internal;

namespace Mlops.DataVersioning;

public sealed partial class DataRepository
{
    private static readonly FileSystemBlobStoreProvider LocalProvider = new();

    /// <summary>Returns the blob store of a remote: one given in <see cref="DataRepositoryOptions.Remotes"/>, else opened from <c>.dvc/config</c> by the first <see cref="DataRepositoryOptions.BlobStoreProviders"/> that accepts its URL.</summary>
    /// <exception cref="DataVersioningException">The remote is not configured, no provider handles its URL, or its settings are incomplete (the message names the key to set, never a secret).</exception>
    public BlobStore GetRemoteStore(string? name = null)
    {
        name ??= Config.DefaultRemote
            ?? throw new DataVersioningException("No remote was named and no default remote is configured. Add one with 'mlops remote add -d NAME URL' (or 'dvc remote add -d'), or name one.");
        lock (_remoteStores)
        {
            if (_remoteStores.TryGetValue(name, out var store))
            {
                return store;
            }

            if (!_options.Remotes.TryGetValue(name, out store))
            {
                var location = RemoteLocation(Config.GetRemote(name) ?? throw UnknownRemote(name));
                try
                {
                    store = FindProvider(location).Open(location);
                }
                catch (BlobStoreException ex)
                {
                    throw new DataVersioningException($"Cannot open the remote '{name}': {ex.Message}", ex);
                }
            }

            _remoteStores[name] = store;
            return store;
        }
    }

    /// <summary>A remote as a blob-store location: its section's keys (<c>config.local</c> merged in), relative paths against <c>.dvc/</c> as in DVC.</summary>
    private BlobStoreLocation RemoteLocation(RemoteConfig config) =>
        new(config.Name, config.Url) { Settings = config.Options, BaseDirectory = DvcDirectory };

    private BlobStoreProvider FindProvider(BlobStoreLocation location) =>
        _options.BlobStoreProviders.Append(LocalProvider).FirstOrDefault(p => p.CanOpen(location))
        ?? throw new DataVersioningException(
            $"No store handles the URL scheme '{location.Scheme}' of remote {location}. Reference the storage package for it (Mlops.Storage.S3 for s3://, Mlops.Storage.AzureBlob for azure://) and add its provider (DataRepositoryOptions.BlobStoreProviders, or AddS3BlobStoreProvider() / AddAzureBlobStoreProvider()).");

    private DataVersioningException UnknownRemote(string name) =>
        new($"The remote '{name}' is not configured in '{Path.Combine(DvcDirectory, "config")}'. Configured: {(Config.RemoteNames.Count == 0 ? "none" : string.Join(", ", Config.RemoteNames))}. Add it with 'mlops remote add {name} URL'.");

    /// <summary>
    /// Uploads the cache objects the workspace's pointers use to a remote (<c>dvc push</c>), <c>jobs</c> at a time.
    /// A directory's <c>.dir</c> object goes up only after all of its files did.
    /// </summary>
    /// <exception cref="DataVersioningException">Some objects are missing from the cache or failed to upload; the message names them, the rest was pushed.</exception>
    public async Task<TransferResult> PushAsync(TransferOptions? options = null, IProgress<DataProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new TransferOptions();
        using var repositoryLock = await LockAsync(cancellationToken).ConfigureAwait(false);
        var outputs = CollectForTransfer(options).Where(o => o.Entry.CanPush);
        var transferred = 0;
        var upToDate = 0;
        var failures = new ConcurrentBag<string>();
        foreach (var group in outputs.GroupBy(o => options.Remote ?? o.Entry.Remote ?? Config.DefaultRemote ?? ""))
        {
            var store = GetRemoteStore(group.Key.Length == 0 ? null : group.Key);
            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            var dirs = new List<(Output Output, IReadOnlyList<DirectoryEntry> Entries)>();
            foreach (var output in group)
            {
                if (!output.Entry.IsDirectory)
                {
                    files.TryAdd(output.Entry.Md5!, output.Path);
                    continue;
                }

                var entries = await ReadCachedManifestAsync(output.Entry.Md5!, cancellationToken).ConfigureAwait(false);
                if (entries is null)
                {
                    failures.Add($"{output.Path} ({output.Entry.Md5}): not in the cache");
                    continue;
                }

                dirs.Add((output, entries));
                foreach (var entry in entries)
                {
                    files.TryAdd(entry.Md5, output.Path + "/" + entry.RelativePath);
                }
            }

            var failed = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
            var done = 0;
            var total = files.Count + dirs.Count;
            await Parallel.ForEachAsync(files, TransferParallelism(options, cancellationToken), async (file, ct) =>
            {
                var outcome = await UploadAsync(store, file.Key, file.Value, ct).ConfigureAwait(false);
                if (outcome is null)
                {
                    failed[file.Key] = true;
                    failures.Add($"{file.Value} ({file.Key}): not in the cache");
                }
                else if (outcome.Value)
                {
                    Interlocked.Increment(ref transferred);
                }
                else
                {
                    Interlocked.Increment(ref upToDate);
                }

                progress?.Report(new DataProgress("push", Interlocked.Increment(ref done), total, file.Value));
            }).ConfigureAwait(false);

            // A .dir object on a remote promises every file of it: it goes last, and only when they all went.
            foreach (var (output, entries) in dirs)
            {
                if (entries.Any(e => failed.ContainsKey(e.Md5)))
                {
                    failures.Add($"{output.Path} ({output.Entry.Md5}): not pushed because some of its files are missing");
                    continue;
                }

                var outcome = await UploadAsync(store, output.Entry.Md5!, output.Path, cancellationToken).ConfigureAwait(false);
                if (outcome == true)
                {
                    transferred++;
                }
                else if (outcome == false)
                {
                    upToDate++;
                }

                progress?.Report(new DataProgress("push", Interlocked.Increment(ref done), total, output.Path));
            }
        }

        ThrowIfFailed("push", failures);
        return new TransferResult(transferred, upToDate);
    }

    /// <summary>
    /// Downloads the objects the workspace's pointers use from a remote into the cache (<c>dvc fetch</c>), <c>jobs</c> at a time.
    /// Every object is checked against its md5 as it arrives; a corrupt one never enters the cache.
    /// </summary>
    /// <exception cref="DataVersioningException">Some objects are missing on the remote or corrupt; the message names them, the rest was fetched.</exception>
    public async Task<TransferResult> FetchAsync(TransferOptions? options = null, IProgress<DataProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new TransferOptions();
        using var repositoryLock = await LockAsync(cancellationToken).ConfigureAwait(false);
        return await FetchLockedAsync(options, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Fetches, then checks out (<c>dvc pull</c>).</summary>
    /// <exception cref="DataVersioningException">The fetch failed for some objects (nothing is checked out then), or the checkout would lose data not in the cache.</exception>
    public async Task<PullResult> PullAsync(TransferOptions? options = null, IProgress<DataProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new TransferOptions();
        using var repositoryLock = await LockAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // What the fetch stores, checkout need not look for.
            var stored = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
            var transfer = await FetchLockedAsync(options, progress, cancellationToken, stored).ConfigureAwait(false);
            var checkout = await CheckoutLockedAsync(new CheckoutOptions { Targets = options.Targets, Force = options.Force }, progress, cancellationToken, stored).ConfigureAwait(false);
            return new PullResult(transfer, checkout);
        }
        finally
        {
            _state.Save();
        }
    }

    /// <summary>
    /// Compares the cache with a remote for the objects the workspace's pointers use (<c>dvc status -c</c>): new (only in the cache),
    /// deleted (only on the remote), missing (in neither).
    /// </summary>
    public async Task<RemoteStatusReport> RemoteStatusAsync(string? remote = null, IReadOnlyList<string>? targets = null, CancellationToken cancellationToken = default)
    {
        var name = remote ?? Config.DefaultRemote;
        var store = new ContentAddressedStore(GetRemoteStore(name));
        var objects = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var output in Filter(LoadWorkspaceOutputs(LoadIgnoreRules()), targets ?? [], ToRelative).Where(o => o.Entry.Md5 is not null && o.Entry.UseCache))
        {
            objects.TryAdd(output.Entry.Md5!, output.Path);
            if (output.Entry.IsDirectory)
            {
                IReadOnlyList<DirectoryEntry>? entries;
                try
                {
                    entries = await ReadManifestAnywhereAsync(output.Entry.Md5!, name, cancellationToken).ConfigureAwait(false);
                }
                catch (DataVersioningException)
                {
                    entries = null;
                }

                foreach (var entry in entries ?? [])
                {
                    objects.TryAdd(entry.Md5, output.Path + "/" + entry.RelativePath);
                }
            }
        }

        var newer = new ConcurrentBag<string>();
        var deleted = new ConcurrentBag<string>();
        var missing = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(objects, TransferParallelism(new TransferOptions(), cancellationToken), async (item, ct) =>
        {
            var local = InCache(item.Key);
            var onRemote = await store.ExistsAsync(item.Key, ct).ConfigureAwait(false);
            if (local && !onRemote)
            {
                newer.Add(item.Value);
            }
            else if (!local && onRemote)
            {
                deleted.Add(item.Value);
            }
            else if (!local && !onRemote)
            {
                missing.Add(item.Value);
            }
        }).ConfigureAwait(false);

        return new RemoteStatusReport(name!, Sorted(newer), Sorted(deleted), Sorted(missing));
    }

    /// <summary>Fetches what the options select; the objects it stored in the cache are added to <paramref name="stored"/>.</summary>
    private async Task<TransferResult> FetchLockedAsync(TransferOptions options, IProgress<DataProgress>? progress, CancellationToken cancellationToken, ConcurrentDictionary<string, bool>? stored = null)
    {
        var outputs = CollectForTransfer(options);
        var transferred = 0;
        var upToDate = 0;
        var failures = new ConcurrentBag<string>();
        foreach (var group in outputs.GroupBy(o => options.Remote ?? o.Entry.Remote ?? Config.DefaultRemote ?? ""))
        {
            var store = GetRemoteStore(group.Key.Length == 0 ? null : group.Key);
            var foldersAtStart = SnapshotCacheFolders();
            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var output in group)
            {
                if (!output.Entry.IsDirectory)
                {
                    files.TryAdd(output.Entry.Md5!, output.Path);
                    continue;
                }

                // The manifest first: it says which files to fetch.
                var outcome = await DownloadAsync(store, output.Entry.Md5!, output.Path, null, failures, cancellationToken).ConfigureAwait(false);
                if (outcome is null)
                {
                    continue;
                }

                _ = outcome.Value ? transferred++ : upToDate++;
                IReadOnlyList<DirectoryEntry>? entries;
                try
                {
                    entries = await ReadCachedManifestAsync(output.Entry.Md5!, cancellationToken).ConfigureAwait(false);
                }
                catch (DataVersioningException ex)
                {
                    failures.Add($"{output.Path} ({output.Entry.Md5}): {ex.Message}");
                    continue;
                }

                foreach (var entry in entries ?? [])
                {
                    files.TryAdd(entry.Md5, output.Path + "/" + entry.RelativePath);
                }
            }

            var done = 0;
            await Parallel.ForEachAsync(files, TransferParallelism(options, cancellationToken), async (file, ct) =>
            {
                var outcome = await DownloadAsync(store, file.Key, file.Value, foldersAtStart, failures, ct).ConfigureAwait(false);
                if (outcome == true)
                {
                    Interlocked.Increment(ref transferred);
                    stored?.TryAdd(file.Key, true);
                }
                else if (outcome == false)
                {
                    Interlocked.Increment(ref upToDate);
                }

                progress?.Report(new DataProgress("fetch", Interlocked.Increment(ref done), files.Count, file.Value));
            }).ConfigureAwait(false);
        }

        ThrowIfFailed("fetch", failures);
        return new TransferResult(transferred, upToDate);
    }

    /// <summary>The outputs a transfer is about: the workspace's and those of the requested revisions, one entry per object.</summary>
    private List<Output> CollectForTransfer(TransferOptions options)
    {
        var all = LoadWorkspaceOutputs(LoadIgnoreRules());
        foreach (var revision in ResolveRevisions(options.Revisions, options.AllBranches, options.AllTags, options.AllCommits))
        {
            all.AddRange(LoadOutputsAtRevision(revision));
        }

        return Filter(all, options.Targets, ToRelative)
            .Where(o => o.Entry.Md5 is not null && o.Entry.UseCache)
            .DistinctBy(o => (o.Entry.Md5, o.Entry.Remote))
            .ToList();
    }

    /// <summary>Uploads one cache object; true when copied, false when the remote had it, null when the cache lacks it.</summary>
    private async Task<bool?> UploadAsync(BlobStore store, string oid, string name, CancellationToken cancellationToken)
    {
        var key = ContentAddressedStore.GetKey(oid);
        if (await store.ExistsAsync(key, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var cached = FindInCache(oid);
        if (cached is null)
        {
            return null;
        }

        try
        {
            await store.UploadFileAsync(key, cached, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobStoreException ex)
        {
            throw new DataVersioningException($"Cannot push '{name}' ({oid}) to '{store.Name}': {ex.Message}", ex);
        }

        return true;
    }

    /// <summary>
    /// Downloads one object into the cache, verified; true when copied, false when the cache had it, null on failure
    /// (recorded). An object whose folder was missing from <paramref name="foldersAtStart"/> is not looked for first.
    /// </summary>
    private async Task<bool?> DownloadAsync(BlobStore store, string oid, string name, CacheFolders? foldersAtStart, ConcurrentBag<string> failures, CancellationToken cancellationToken)
    {
        if ((foldersAtStart?.MayHave(oid) ?? true) && InCache(oid))
        {
            return false;
        }

        try
        {
            if (store is FileSystemBlobStore local && TryDownloadSmallObject(local, oid))
            {
                return true;
            }

            var stream = await new ContentAddressedStore(store).OpenReadAsync(oid, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                await _cache.WriteAsync(oid, stream, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (BlobNotFoundException)
        {
            failures.Add($"{name} ({oid}): missing on remote '{store.Name}'");
        }
        catch (ContentHashMismatchException ex)
        {
            failures.Add($"{name} ({oid}): corrupt on remote '{store.Name}' (its content has md5 {ex.ActualMd5}); it was not stored in the cache");
        }

        return null;
    }

    private ParallelOptions TransferParallelism(TransferOptions options, CancellationToken cancellationToken) => new()
    {
        CancellationToken = cancellationToken,
        MaxDegreeOfParallelism = Math.Max(1, options.Jobs ?? _options.Jobs),
    };

    private static void ThrowIfFailed(string operation, ConcurrentBag<string> failures)
    {
        if (failures.IsEmpty)
        {
            return;
        }

        var list = failures.OrderBy(f => f, StringComparer.Ordinal).ToList();
        throw new DataVersioningException(
            $"{list.Count} object(s) failed to {operation}: {string.Join("; ", list.Take(20))}{(list.Count > 20 ? $"; and {list.Count - 20} more" : "")}. Everything else was transferred; fix these and run {operation} again.",
            list);
    }

    private static List<string> Sorted(IEnumerable<string> items)
    {
        var list = items.ToList();
        list.Sort(StringComparer.Ordinal);
        return list;
    }
}
