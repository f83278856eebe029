using System.Buffers;
using System.Security.Cryptography;
using Mlops.Core.Git;
using Mlops.Core.Hashing;
using Mlops.DataVersioning.Formats;
using Mlops.DataVersioning.Internal;

namespace Mlops.DataVersioning;

public sealed partial class DataRepository
{
    /// <summary>
    /// Tracks a file or a directory: hashes it, copies (or links) its bytes into the cache, writes the
    /// <c>.dvc</c> pointer beside it and a <c>/name</c> line in the <c>.gitignore</c> of its folder.
    /// Adding it again after a change records the new version, keeping the pointer's other keys.
    /// </summary>
    /// <param name="path">The file or directory, relative to the repository root.</param>
    /// <param name="progress">Told of files hashed and copied.</param>
    /// <param name="cancellationToken">Stops the work; what was copied into the cache stays valid.</param>
    /// <exception cref="DataVersioningException">
    /// The path does not exist, is outside the repository, is tracked by Git, lies inside (or contains) an output another pointer tracks,
    /// or the repository is locked by another process.
    /// </exception>
    public async Task<TrackedOutput> AddAsync(string path, IProgress<DataProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var relative = ToRelative(path);
        using var repositoryLock = await LockAsync(cancellationToken).ConfigureAwait(false);
        var ingested = new List<DirectoryManifest>();
        TrackedOutput tracked;
        try
        {
            tracked = await CheckAndIngestAsync(relative, ingested, progress, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            SaveState(ingested);
            throw;
        }

        // Two independent files: the state is saved while the pointer is written.
        var saving = Task.Run(() => SaveState(ingested), CancellationToken.None);
        try
        {
            return WritePointer(relative, tracked);
        }
        finally
        {
            await saving.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Records the current workspace data of tracked outputs in their pointers and the cache (<c>dvc commit</c>):
    /// for every output whose data changed, or the given ones.
    /// </summary>
    /// <param name="targets">Outputs or pointer files; every changed output when empty.</param>
    /// <param name="progress">Told of files hashed.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <returns>The outputs whose pointer changed.</returns>
    public async Task<IReadOnlyList<TrackedOutput>> CommitAsync(IReadOnlyList<string>? targets = null, IProgress<DataProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using var repositoryLock = await LockAsync(cancellationToken).ConfigureAwait(false);
        var ingested = new List<DirectoryManifest>();
        try
        {
            var rules = LoadIgnoreRules();
            var outputs = Filter(LoadWorkspaceOutputs(rules), targets ?? [], ToRelative);
            var committed = new List<TrackedOutput>();
            foreach (var output in outputs.Where(o => o.Entry.UseCache))
            {
                if (!Directory.Exists(ToFull(output.Path)) && FileStatus.Get(ToFull(output.Path)) is null)
                {
                    throw new DataVersioningException($"Cannot commit '{output.Path}': it does not exist in the workspace. Check it out ('mlops checkout') or remove '{output.PointerPath}'.");
                }

                var tracked = await IngestAsync(output.Path, rules, ingested, progress, cancellationToken).ConfigureAwait(false);
                if (tracked.Md5 != output.Entry.Md5 || tracked.Size != output.Entry.Size)
                {
                    var pointer = PointerFile.Load(ToFull(output.PointerPath));
                    pointer.SetOutput(output.Index, pointer.Outputs[output.Index] with { Md5 = tracked.Md5, Size = tracked.Size, FileCount = tracked.FileCount, IsLegacy = false });
                    pointer.Save(ToFull(output.PointerPath));
                    committed.Add(tracked with { Path = output.Path, PointerPath = output.PointerPath });
                }
            }

            return committed;
        }
        finally
        {
            SaveState(ingested);
        }
    }

    /// <summary>
    /// Saves the state, with the folders whose objects were all just put into the cache known complete (see
    /// <see cref="FolderStamp"/>; gc, which removes objects, waits for the repository lock). Stamped last, so that fewer
    /// cache folders were written within the racy window and the next status rechecks fewer.
    /// </summary>
    private void SaveState(List<DirectoryManifest> ingested)
    {
        foreach (var manifest in ingested)
        {
            if (StampCacheFolders(manifest.Entries) is { } stamps)
            {
                _state.RecordComplete(manifest.Md5, stamps);
            }
        }

        _state.Save();
    }

    /// <summary>Refuses what cannot be added (see <see cref="AddAsync"/>), then puts the data into the cache.</summary>
    private async Task<TrackedOutput> CheckAndIngestAsync(string relative, List<DirectoryManifest> ingested, IProgress<DataProgress>? progress, CancellationToken cancellationToken)
    {
        var full = ToFull(relative);
        if (relative.Length == 0 || relative.Split('/').Any(s => s is ".git" or DvcFolderName))
        {
            throw new DataVersioningException($"Cannot add '{relative}': the repository root, '.git' and '.dvc' cannot be tracked. Add a data file or folder.");
        }

        if (relative.EndsWith(PointerFile.Extension, StringComparison.Ordinal) && File.Exists(full))
        {
            throw new DataVersioningException($"Cannot add '{relative}': it is a pointer file. Add the data it points to instead.");
        }

        var isDirectory = Directory.Exists(full);
        if (!isDirectory && FileStatus.Get(full) is null)
        {
            throw new DataVersioningException($"Cannot add '{relative}': it does not exist.");
        }

        var rules = LoadIgnoreRules();
        if (rules.IsIgnored(relative, isDirectory))
        {
            throw new DataVersioningException($"Cannot add '{relative}': .dvcignore excludes it. Remove the matching pattern from .dvcignore first.");
        }

        // Opening Git (loading libgit2 the first time) overlaps the walks below.
        var opening = Task.Run(OpenGit, cancellationToken);
        List<(string Full, string Relative)>? files;
        try
        {
            CheckNotInsideOutput(relative, rules);

            // One walk of the folder serves the Git check and the ingest.
            files = isDirectory ? EnumerateDataFiles(relative, rules) : null;
        }
        catch
        {
            // The check's error is the one to report: close the repository, or observe its own error.
            _ = opening.ContinueWith(
                static t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        t.Result?.Dispose();
                    }
                    else
                    {
                        _ = t.Exception;
                    }
                },
                TaskScheduler.Default);
            throw;
        }

        using (var git = await opening.ConfigureAwait(false))
        {
            if (git is not null)
            {
                CheckNotTrackedByGit(git, relative, files);
            }
        }

        return await IngestAsync(relative, rules, ingested, progress, cancellationToken, files).ConfigureAwait(false);
    }

    /// <summary>Writes (or updates) the pointer of an ingested output and its <c>.gitignore</c> line.</summary>
    private TrackedOutput WritePointer(string relative, TrackedOutput tracked)
    {
        var full = ToFull(relative);
        var isDirectory = tracked.FileCount is not null;
        var pointerPath = relative + PointerFile.Extension;
        var pointerFull = ToFull(pointerPath);
        PointerFile pointer;
        var entry = new PointerOutput { Path = NameOf(relative), Md5 = tracked.Md5, Size = tracked.Size, FileCount = tracked.FileCount, IsExecutable = IsExecutable(full, isDirectory) };
        if (File.Exists(pointerFull))
        {
            pointer = PointerFile.Load(pointerFull);
            var index = -1;
            for (var i = 0; i < pointer.Outputs.Count; i++)
            {
                if (ResolveOutputPath(pointerPath, pointer.Outputs[i]) == relative)
                {
                    index = i;
                }
            }

            if (index < 0)
            {
                pointer = PointerFile.Create(pointerFull, entry);
            }
            else
            {
                var old = pointer.Outputs[index];
                pointer.SetOutput(index, old with { Md5 = entry.Md5, Size = entry.Size, FileCount = entry.FileCount, IsLegacy = false, IsExecutable = entry.IsExecutable ?? (old.IsExecutable is null ? null : false) });
            }
        }
        else
        {
            pointer = PointerFile.Create(pointerFull, entry);
        }

        pointer.Save(pointerFull);
        if (UsesGit)
        {
            GitIgnoreFile.AddEntry(Path.Combine(Path.GetDirectoryName(full)!, GitIgnoreFile.FileName), GitIgnoreFile.EntryFor(NameOf(relative)));
        }

        return tracked with { PointerPath = pointerPath };
    }

    private static bool? IsExecutable(string full, bool isDirectory)
    {
        if (isDirectory || OperatingSystem.IsWindows())
        {
            return null;
        }

        return (File.GetUnixFileMode(full) & UnixFileMode.UserExecute) != 0 ? true : null;
    }

    private void CheckNotInsideOutput(string relative, IgnoreRules rules)
    {
        // A parent folder tracked by its own pointer: the file belongs to that output.
        for (var parent = ParentOf(relative); parent.Length > 0; parent = ParentOf(parent))
        {
            var pointerFull = ToFull(parent + PointerFile.Extension);
            if (File.Exists(pointerFull) && PointerFile.Load(pointerFull).Outputs.Any(o => ResolveOutputPath(parent + PointerFile.Extension, o) == parent))
            {
                throw new DataVersioningException(
                    $"Cannot add '{relative}': it is inside '{parent}', which '{parent}{PointerFile.Extension}' already tracks. Change the file and add (or commit) the whole folder: DataRepository.AddAsync(\"{parent}\") ('mlops add {parent}').");
            }
        }

        foreach (var output in LoadWorkspaceOutputs(rules))
        {
            if (output.Path.StartsWith(relative + "/", StringComparison.Ordinal))
            {
                throw new DataVersioningException(
                    $"Cannot add '{relative}': it contains '{output.Path}', which '{output.PointerPath}' already tracks. Remove that pointer first (and its line in .gitignore), or add the inner data only.");
            }
        }
    }

    private void CheckNotTrackedByGit(GitRepository git, string relative, List<(string Full, string Relative)>? files)
    {
        var isDirectory = files is not null;
        var prefix = ToRelativeToGit(git, relative);
        var tracked = isDirectory
            ? git.WhichTracked(files!.Select(f => prefix + f.Relative[relative.Length..]).ToList()).Select(p => relative + p[prefix.Length..]).ToList()
            : git.IsTracked(prefix) ? [relative] : [];
        if (tracked.Count > 0)
        {
            var what = isDirectory ? $"Git already tracks files inside '{relative}' ({Describe(tracked, 5)})" : $"Git already tracks '{relative}'";
            throw new DataVersioningException(
                $"Cannot add '{relative}': {what}. Stop tracking it in Git first: git rm -r --cached \"{relative}\" && git commit -m \"Stop tracking {relative}\", then add it again.",
                tracked);
        }
    }

    private string ToRelativeToGit(GitRepository git, string relative)
    {
        var gitRoot = Path.TrimEndingDirectorySeparator(git.WorkingDirectory);
        return Path.GetRelativePath(gitRoot, ToFull(relative)).Replace(Path.DirectorySeparatorChar, '/');
    }

    /// <summary>Puts a workspace file or folder into the cache and returns what its pointer should record.</summary>
    /// <param name="relative">The file or folder, relative to the root.</param>
    /// <param name="rules">What <c>.dvcignore</c> excludes.</param>
    /// <param name="ingested">Gets the manifest of a folder once all its objects are in the cache.</param>
    /// <param name="progress">Told of files copied.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <param name="files">The folder's files when the caller has listed them already.</param>
    private async Task<TrackedOutput> IngestAsync(string relative, IgnoreRules rules, List<DirectoryManifest> ingested, IProgress<DataProgress>? progress, CancellationToken cancellationToken, List<(string Full, string Relative)>? files = null)
    {
        var full = ToFull(relative);

        // Temporary files are written here, then renamed into their two-hex-digit folder.
        Directory.CreateDirectory(ObjectsDirectory);
        if (!Directory.Exists(full))
        {
            var (md5, size) = IngestFile(full, relative, null, progress, cancellationToken);
            return new TrackedOutput(relative, relative + PointerFile.Extension, md5, size, null);
        }

        files ??= EnumerateDataFiles(relative, rules);
        var foldersAtStart = SnapshotCacheFolders();
        var entries = new DirectoryEntry[files.Count];
        var done = 0;
        await Parallel.ForAsync(0, files.Count, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount }, (i, ct) =>
        {
            var (md5, size) = IngestFile(files[i].Full, files[i].Relative, foldersAtStart, null, ct);
            entries[i] = new DirectoryEntry(files[i].Relative[(relative.Length + 1)..], md5, size);
            var count = Interlocked.Increment(ref done);
            progress?.Report(new DataProgress("add", count, files.Count, files[i].Relative));
            return ValueTask.CompletedTask;
        }).ConfigureAwait(false);

        var manifest = DirectoryManifest.Create(entries);
        WriteCacheObject(manifest.Md5, manifest.Json.Span, lookFirst: true);
        ingested.Add(manifest);

        return new TrackedOutput(relative, relative + PointerFile.Extension, manifest.Md5, manifest.Size, manifest.FileCount);
    }

    /// <summary>
    /// Puts one workspace file into the cache: cloned, hard-linked or copied (hashing as it copies) to a temporary
    /// name inside the cache, made read-only, then renamed to its final name. The source is never moved or deleted.
    /// A small file whose object's folder was missing from <paramref name="foldersAtStart"/> is stored without a look-up first.
    /// </summary>
    private (string Md5, long Size) IngestFile(string full, string relative, CacheFolders? foldersAtStart, IProgress<DataProgress>? progress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var status = FileStatus.Get(full) ?? throw new DataVersioningException($"Cannot add '{relative}': it disappeared while it was being added.");
        var known = _state.Lookup(relative, status);
        if (known is not null && InCache(known))
        {
            return (known, status.Size);
        }

        var hashedAt = StateCache.NowNs();
        if (status is { IsRegular: true, Size: < RawFile.SmallFileSize } && _linker.CopiesFirst)
        {
            (string Md5, long Size)? small;
            try
            {
                small = TryIngestSmallFile(full, status, foldersAtStart);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new DataVersioningException($"Cannot add '{relative}' to the cache '{CacheDirectory}': {ex.Message}", ex);
            }

            if (small is { } hashed)
            {
                Interlocked.Increment(ref _hashCount);

                // Recorded under the status read before: a write while it was read gave the file a new modification
                // time (the entry no longer matches it), or one within the racy window of hashedAt (not trusted).
                if (hashed.Size == status.Size)
                {
                    _state.Record(relative, status, hashed.Md5, hashedAt);
                }

                return hashed;
            }
        }

        var md5 = "";
        var temp = Path.Combine(ObjectsDirectory, $".{Guid.NewGuid():N}.tmp");
        var sharesInode = false;
        try
        {
            foreach (var type in _linker.Types)
            {
                if (type == LinkType.Reflink && _linker.TryReflink(full, temp))
                {
                    md5 = FileHasher.HashFile(temp, cancellationToken);
                    MakeReadOnly(temp);
                    break;
                }

                if (type == LinkType.Hardlink && _linker.TryHardlink(full, temp))
                {
                    sharesInode = true;
                    md5 = FileHasher.HashFile(temp, cancellationToken);
                    MakeReadOnly(temp);
                    break;
                }

                if (type is LinkType.Copy or LinkType.Symlink)
                {
                    md5 = CopyWithHash(full, temp, relative, progress, cancellationToken);
                    break;
                }
            }

            if (md5.Length == 0)
            {
                md5 = CopyWithHash(full, temp, relative, progress, cancellationToken);
            }

            Interlocked.Increment(ref _hashCount);
            var final = CachePath(md5);
            if (File.Exists(final))
            {
                File.Delete(temp);
                if (sharesInode)
                {
                    // The workspace file was made read-only through the link; point it at the existing object instead.
                    _linker.Link(final, full);
                }
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(final)!);
                File.Move(temp, final, overwrite: true);
            }

            if (_linker.Types[0] == LinkType.Symlink)
            {
                _linker.Link(final, full);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            FileLinker.TryDelete(temp);
            throw new DataVersioningException($"Cannot add '{relative}' to the cache '{CacheDirectory}': {ex.Message}", ex);
        }
        catch
        {
            FileLinker.TryDelete(temp);
            throw;
        }

        var after = FileStatus.Get(full);
        if (after is { } now && (sharesInode || _linker.Types[0] == LinkType.Symlink || now == status))
        {
            _state.Record(relative, now, md5, hashedAt);
        }

        return (md5, status.Size);
    }

    /// <summary>
    /// Copies <paramref name="source"/> to the new, read-only file <paramref name="destination"/> in one read pass and returns
    /// the md5 of the bytes written. Above one block, the next block is read and this one written on another thread while this
    /// one is hashed: md5 is the bottleneck, so the copy costs little more than hashing alone.
    /// </summary>
    private string CopyWithHash(string source, string destination, string relative, IProgress<DataProgress>? progress, CancellationToken cancellationToken)
    {
        const int BlockSize = 1 << 20;
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var current = ArrayPool<byte>.Shared.Rent(BlockSize);
        var next = ArrayPool<byte>.Shared.Rent(BlockSize);
        Task<int>? pending = null;
        try
        {
            using var input = File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            using (var output = CreateReadOnlyFile(destination))
            {
                var handle = output.SafeFileHandle;
                var pipelined = RandomAccess.GetLength(input) > BlockSize;
                long offset = 0;
                var read = RandomAccess.Read(input, current.AsSpan(0, BlockSize), 0);
                while (read > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (pipelined)
                    {
                        var (block, count, at, target) = (current, read, offset, next);
                        pending = Task.Run(() =>
                        {
                            RandomAccess.Write(handle, block.AsSpan(0, count), at);
                            return RandomAccess.Read(input, target.AsSpan(0, BlockSize), at + count);
                        });
                        md5.AppendData(current, 0, read);
                        offset += read;
                        read = pending.GetAwaiter().GetResult();
                        pending = null;
                        (current, next) = (next, current);
                        progress?.Report(new DataProgress("add", 0, 1, relative, offset));
                    }
                    else
                    {
                        md5.AppendData(current, 0, read);
                        RandomAccess.Write(handle, current.AsSpan(0, read), offset);
                        offset += read;
                        read = RandomAccess.Read(input, current.AsSpan(0, BlockSize), offset);
                    }
                }

                if (_options.FlushToDisk)
                {
                    output.Flush(flushToDisk: true);
                }
            }

            if (OperatingSystem.IsWindows())
            {
                File.SetAttributes(destination, FileAttributes.ReadOnly);
            }
        }
        finally
        {
            // A block still being written when something failed keeps its buffers: the pool must not hand them out again.
            if (pending is null)
            {
                ArrayPool<byte>.Shared.Return(current);
                ArrayPool<byte>.Shared.Return(next);
            }
        }

        return Convert.ToHexStringLower(md5.GetHashAndReset());
    }

    /// <summary>Creates a new file that is read-only from the start (on Unix, one system call instead of a create and a chmod).</summary>
    private static FileStream CreateReadOnlyFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        return new FileStream(path, options);
    }

    private static void MakeReadOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            File.SetAttributes(path, FileAttributes.ReadOnly);
        }
        else
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
    }
}
