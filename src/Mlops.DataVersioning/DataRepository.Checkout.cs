using Mlops.Core.Hashing;
using Mlops.DataVersioning.Internal;

namespace Mlops.DataVersioning;

public sealed partial class DataRepository
{
    /// <summary>
    /// Makes the workspace match the pointers, from the cache (<c>dvc checkout</c>). It refuses, before changing
    /// anything, to overwrite or delete workspace data the cache has no copy of, and names those files, unless
    /// <see cref="CheckoutOptions.Force"/>.
    /// </summary>
    /// <exception cref="DataVersioningException">Workspace data not in the cache would be lost (the message and <see cref="DataVersioningException.Paths"/> name the files).</exception>
    public async Task<CheckoutResult> CheckoutAsync(CheckoutOptions? options = null, IProgress<DataProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new CheckoutOptions();
        using var repositoryLock = await LockAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await CheckoutLockedAsync(options, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _state.Save();
        }
    }

    private sealed record CheckoutAction(string Relative, string? Object, bool IsExecutable, char Kind, string? Md5 = null);

    /// <summary>Checks out what the options select; the objects in <paramref name="stored"/> were just stored in the cache (by a pull's fetch).</summary>
    private async Task<CheckoutResult> CheckoutLockedAsync(CheckoutOptions options, IProgress<DataProgress>? progress, CancellationToken cancellationToken, IReadOnlyDictionary<string, bool>? stored = null)
    {
        var rules = LoadIgnoreRules();
        var outputs = Filter(LoadWorkspaceOutputs(rules), options.Targets, ToRelative);
        var actions = new List<CheckoutAction>();
        var folderRemovals = new List<string>();
        var unsafeLosses = new List<string>();
        var missing = new List<string>();

        foreach (var output in outputs.Where(o => o.Entry.Md5 is not null && o.Entry.UseCache))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var md5 = output.Entry.Md5!;
            var full = ToFull(output.Path);
            if (!output.Entry.IsDirectory)
            {
                var cached = FindInCache(md5);
                if (cached is null)
                {
                    missing.Add(output.Path);
                    continue;
                }

                if (Directory.Exists(full))
                {
                    await CheckLossesAsync(EnumerateDataFiles(output.Path, rules), unsafeLosses, cancellationToken).ConfigureAwait(false);
                    folderRemovals.Add(output.Path);
                    actions.Add(new CheckoutAction(output.Path, cached, output.Entry.IsExecutable == true, 'M', md5));
                }
                else if (FileStatus.Get(full) is not null)
                {
                    var current = await HashWorkspaceAsync(output.Path, rules, null, cancellationToken).ConfigureAwait(false);
                    if (current is not null && !Matches(output.Entry, current, full))
                    {
                        if (!InCache(current.Md5))
                        {
                            unsafeLosses.Add(output.Path);
                        }

                        actions.Add(new CheckoutAction(output.Path, cached, output.Entry.IsExecutable == true, 'M', md5));
                    }
                }
                else
                {
                    actions.Add(new CheckoutAction(output.Path, cached, output.Entry.IsExecutable == true, 'A', md5));
                }

                continue;
            }

            var entries = await ReadCachedManifestAsync(md5, cancellationToken).ConfigureAwait(false);
            var objects = new Dictionary<string, string>(StringComparer.Ordinal);
            if (entries is null || !FindAllInCache(entries, objects, stored))
            {
                missing.Add(output.Path);
                continue;
            }

            var workspace = new Dictionary<string, string>(StringComparer.Ordinal);
            if (File.Exists(full))
            {
                await CheckLossesAsync([(full, output.Path)], unsafeLosses, cancellationToken).ConfigureAwait(false);
                actions.Add(new CheckoutAction(output.Path, null, false, 'D'));
            }
            else if (Directory.Exists(full))
            {
                var files = EnumerateDataFiles(output.Path, rules);
                var hashes = await HashFilesAsync(files, null, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < files.Count; i++)
                {
                    workspace[files[i].Relative] = hashes[i].Md5;
                }
            }

            var wanted = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                var relative = output.Path + "/" + entry.RelativePath;
                wanted.Add(relative);
                if (workspace.TryGetValue(relative, out var existing))
                {
                    if (existing != entry.Md5)
                    {
                        if (!InCache(existing))
                        {
                            unsafeLosses.Add(relative);
                        }

                        actions.Add(new CheckoutAction(relative, objects[entry.Md5], false, 'M', entry.Md5));
                    }
                }
                else
                {
                    actions.Add(new CheckoutAction(relative, objects[entry.Md5], false, 'A', entry.Md5));
                }
            }

            foreach (var (relative, hash) in workspace)
            {
                if (!wanted.Contains(relative))
                {
                    if (!InCache(hash))
                    {
                        unsafeLosses.Add(relative);
                    }

                    actions.Add(new CheckoutAction(relative, null, false, 'D'));
                }
            }
        }

        if (unsafeLosses.Count > 0 && !options.Force)
        {
            unsafeLosses.Sort(StringComparer.Ordinal);
            throw new DataVersioningException(
                $"Checkout would overwrite or delete workspace data that is not in the cache: {Describe(unsafeLosses)}. Nothing was changed. Keep it with 'add' or 'commit', move it away, or check out with Force = true ('--force') to discard it.",
                unsafeLosses);
        }

        // Deletions first, so a file can take the place of a removed folder.
        foreach (var folder in folderRemovals)
        {
            DeleteTree(ToFull(folder));
        }

        var added = new List<string>();
        var modified = new List<string>();
        var deleted = new List<string>();
        foreach (var action in actions.Where(a => a.Kind == 'D'))
        {
            var full = ToFull(action.Relative);
            MakeWritable(full);
            File.Delete(full);
            RemoveEmptyParents(ParentOf(action.Relative), outputs);
            deleted.Add(action.Relative);
        }

        var done = 0;
        var linkActions = actions.Where(a => a.Kind != 'D').ToList();
        await Parallel.ForEachAsync(linkActions, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount }, (action, ct) =>
        {
            var full = ToFull(action.Relative);
            try
            {
                var linkedAt = StateCache.NowNs();
                _linker.Link(action.Object!, full);
                if (action.Md5 is not null && FileStatus.Get(full) is { } status)
                {
                    // What was just written is known: the next status need not read it (once its mtime is safely past).
                    _state.Record(action.Relative, status, action.Md5, linkedAt);
                }

                if (action.IsExecutable && !OperatingSystem.IsWindows() && new FileInfo(full).LinkTarget is null)
                {
                    File.SetUnixFileMode(full, File.GetUnixFileMode(full) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new DataVersioningException($"Cannot check out '{action.Relative}': {ex.Message}", ex);
            }

            progress?.Report(new DataProgress("checkout", Interlocked.Increment(ref done), linkActions.Count, action.Relative));
            return ValueTask.CompletedTask;
        }).ConfigureAwait(false);

        foreach (var action in linkActions)
        {
            (action.Kind == 'A' ? added : modified).Add(action.Relative);
        }

        RemoveStrayTemporaryFiles(linkActions.Select(a => ParentOf(a.Relative)).Distinct(StringComparer.Ordinal));

        // Code point order (the ordinal one but for surrogates), by precompiled code: see DirectoryManifest.Create.
        added.Sort(CodePointComparer.Instance);
        modified.Sort(CodePointComparer.Instance);
        deleted.Sort(CodePointComparer.Instance);
        return new CheckoutResult(added, modified, deleted, missing);
    }

    /// <summary>Finds every entry's object in the cache (one stat each, but for those just <paramref name="stored"/>); false when one is missing.</summary>
    private bool FindAllInCache(IReadOnlyList<DirectoryEntry> entries, Dictionary<string, string> objects, IReadOnlyDictionary<string, bool>? stored)
    {
        foreach (var entry in entries)
        {
            if (!objects.ContainsKey(entry.Md5))
            {
                if ((stored is not null && stored.ContainsKey(entry.Md5) ? CachePath(entry.Md5) : FindInCache(entry.Md5)) is not { } path)
                {
                    return false;
                }

                objects[entry.Md5] = path;
            }
        }

        return true;
    }

    /// <summary>
    /// Deletes the temporary files a killed checkout left in these folders (never data: see <see cref="IsOurTemporaryFile"/>).
    /// Safe under the repository lock, which every writer of the workspace holds.
    /// </summary>
    private void RemoveStrayTemporaryFiles(IEnumerable<string> folders)
    {
        var options = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = 0 };
        foreach (var folder in folders)
        {
            var full = ToFull(folder);
            foreach (var (name, kind) in ListFolder(full, options))
            {
                if (kind == EntryKind.File && IsOurTemporaryFile(name))
                {
                    FileLinker.TryDelete(Path.Join(full, name));
                }
            }
        }
    }

    private async Task CheckLossesAsync(IReadOnlyList<(string Full, string Relative)> files, List<string> losses, CancellationToken cancellationToken)
    {
        var hashes = await HashFilesAsync(files, null, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < files.Count; i++)
        {
            if (!InCache(hashes[i].Md5))
            {
                losses.Add(files[i].Relative);
            }
        }
    }

    private void RemoveEmptyParents(string folder, List<Output> outputs)
    {
        // Up to, not including, the output's own folder: checkout keeps a tracked directory even when it is empty.
        while (folder.Length > 0 && !outputs.Any(o => o.Path == folder))
        {
            var full = ToFull(folder);
            if (!Directory.Exists(full) || Directory.EnumerateFileSystemEntries(full).Any())
            {
                return;
            }

            Directory.Delete(full);
            folder = ParentOf(folder);
        }
    }

    private static void MakeWritable(string path)
    {
        if (OperatingSystem.IsWindows() && File.Exists(path))
        {
            File.SetAttributes(path, FileAttributes.Normal);
        }
    }

    private static void DeleteTree(string path)
    {
        foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
        {
            MakeWritable(file);
        }

        Directory.Delete(path, recursive: true);
    }
}
