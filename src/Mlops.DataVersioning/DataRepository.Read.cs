using System.Text;
using Mlops.Core.Git;
using Mlops.Core.Hashing;
using Mlops.Core.Lineage;
using Mlops.Core.Storage;
using Mlops.DataVersioning.Formats;

namespace Mlops.DataVersioning;

public sealed partial class DataRepository
{
    /// <summary>
    /// Opens a tracked file — or a file inside a tracked directory — as it was at a Git revision (branch, tag, sha,
    /// <c>HEAD~1</c>), or as the workspace's pointers say when <paramref name="revision"/> is null. The pointer is read
    /// at that revision; the bytes come from the cache, else from the remote. The workspace is not touched.
    /// </summary>
    /// <param name="path">The file, relative to the repository root.</param>
    /// <param name="revision">A Git revision; null for the workspace's pointers.</param>
    /// <param name="remote">The remote to read from when the cache lacks the object; the output's own, then the default, when null.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <exception cref="DataVersioningException">No pointer tracks the path at that revision, or no store has its object.</exception>
    public async Task<Stream> OpenAsync(string path, string? revision = null, string? remote = null, CancellationToken cancellationToken = default)
    {
        var (target, oid, output, commit) = await ResolveAsync(path, revision, remote, cancellationToken).ConfigureAwait(false);
        var stream = await OpenObjectAsync(target, oid, output, revision, remote, cancellationToken).ConfigureAwait(false);

        // An active tracking run records what it read (Mlops.Tracking listens).
        DataLineage.Report(new DataRead(target, commit ?? DataLineage.Workspace, oid));
        return stream;
    }

    private async Task<Stream> OpenObjectAsync(string target, string oid, PointerOutput output, string? revision, string? remote, CancellationToken cancellationToken)
    {
        var cached = FindInCache(oid);
        if (cached is not null)
        {
            return new FileStream(cached, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }

        var remoteName = remote ?? output.Remote ?? Config.DefaultRemote;
        if (remoteName is not null)
        {
            var store = new ContentAddressedStore(GetRemoteStore(remoteName));
            try
            {
                return await store.OpenReadAsync(oid, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobNotFoundException)
            {
            }
        }

        if (revision is null && CurrentHash(target) is { } current && current == oid)
        {
            return new FileStream(ToFull(target), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }

        throw new DataVersioningException(
            $"'{target}'{At(revision)} (object {oid}) is neither in the cache{(remoteName is null ? " and no remote is configured" : $" nor on remote '{remoteName}'")}. Fetch or pull it, or push it from the machine that has it.");
    }

    /// <summary>Reads all bytes of a tracked file at a revision; see <see cref="OpenAsync"/>.</summary>
    public async Task<byte[]> ReadAllBytesAsync(string path, string? revision = null, string? remote = null, CancellationToken cancellationToken = default)
    {
        var stream = await OpenAsync(path, revision, remote, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    /// <summary>
    /// Returns where the object of a tracked file (or a file inside a tracked directory) at a revision lives on a remote:
    /// the remote's URL followed by <c>/files/md5/xx/yyyy</c> (a full path for a local remote), like <c>dvc get-url</c>.
    /// </summary>
    /// <exception cref="DataVersioningException">The path is not tracked at that revision, or there is no such remote.</exception>
    public async Task<string> GetUrlAsync(string path, string? revision = null, string? remote = null, CancellationToken cancellationToken = default)
    {
        var (_, oid, output, _) = await ResolveAsync(path, revision, remote, cancellationToken).ConfigureAwait(false);
        var name = remote ?? output.Remote ?? Config.DefaultRemote
            ?? throw new DataVersioningException("No remote was named and no default remote is configured. Add one with 'mlops remote add -d NAME URL', or name one.");
        var key = ContentAddressedStore.GetKey(oid);
        if (_options.Remotes.TryGetValue(name, out var given))
        {
            return given is FileSystemBlobStore local ? local.GetPath(key) : $"{given.Name}:{key}";
        }

        var location = RemoteLocation(Config.GetRemote(name) ?? throw UnknownRemote(name));
        if (LocalProvider.CanOpen(location))
        {
            return ((FileSystemBlobStore)LocalProvider.Open(location)).GetPath(key);
        }

        return location.Url.TrimEnd('/') + "/" + key;
    }

    /// <summary>Finds the object of a tracked path at a revision: the pointer at that revision, and the manifest entry for a file in a tracked directory.</summary>
    private async Task<(string Target, string Oid, PointerOutput Output, string? Commit)> ResolveAsync(string path, string? revision, string? remote, CancellationToken cancellationToken)
    {
        var target = ToRelative(path);
        if (target.Length == 0)
        {
            throw new DataVersioningException("Name a tracked file, not the repository root.");
        }

        using var git = revision is null ? null : OpenGit() ?? throw new DataVersioningException($"Cannot read '{target}' at revision '{revision}': the repository does not use Git.");
        string? commit = null;
        if (git is not null)
        {
            try
            {
                commit = git.ResolveCommit(revision!);
            }
            catch (GitException ex)
            {
                throw new DataVersioningException(ex.Message, ex);
            }
        }

        string? ReadPointerText(string pointerPath)
        {
            if (git is null)
            {
                var full = ToFull(pointerPath);
                return File.Exists(full) ? File.ReadAllText(full, Encoding.UTF8) : null;
            }

            var bytes = git.ReadFile(commit!, ToRelativeToGit(git, pointerPath));
            return bytes is null ? null : Encoding.UTF8.GetString(bytes);
        }

        for (var candidate = target; candidate.Length > 0; candidate = ParentOf(candidate))
        {
            var pointerPath = candidate + PointerFile.Extension;
            var text = ReadPointerText(pointerPath);
            if (text is null)
            {
                continue;
            }

            var pointer = PointerFile.Parse(text, revision is null ? pointerPath : $"{pointerPath}@{revision}");
            var output = pointer.Outputs.FirstOrDefault(o => ResolveOutputPath(pointerPath, o) == candidate);
            if (output is null)
            {
                continue;
            }

            if (output.Md5 is null)
            {
                throw new DataVersioningException($"'{pointerPath}'{At(revision)} records no hash for '{candidate}' yet. Commit it first ('mlops commit').");
            }

            if (candidate == target)
            {
                if (output.IsDirectory)
                {
                    throw new DataVersioningException($"'{target}'{At(revision)} is a tracked directory. Open a file inside it, for example '{target}/<file>'.");
                }

                return (target, output.Md5, output, commit);
            }

            var manifest = await ReadManifestAnywhereAsync(output.Md5, remote ?? output.Remote, cancellationToken).ConfigureAwait(false);
            var inner = target[(candidate.Length + 1)..];
            var entry = manifest.FirstOrDefault(e => e.RelativePath == inner)
                ?? throw new DataVersioningException($"The directory '{candidate}'{At(revision)} has no file '{inner}'.");
            return (target, entry.Md5, output, commit);
        }

        throw new DataVersioningException($"No pointer file tracks '{target}'{At(revision)}. Add it ('mlops add {target}'), or check the path and revision.");
    }

    private async Task<IReadOnlyList<DirectoryEntry>> ReadManifestAnywhereAsync(string oid, string? remote, CancellationToken cancellationToken)
    {
        var cached = await ReadCachedManifestAsync(oid, cancellationToken).ConfigureAwait(false);
        if (cached is not null)
        {
            return cached;
        }

        var remoteName = remote ?? Config.DefaultRemote
            ?? throw new DataVersioningException($"The directory manifest {oid} is not in the cache and no remote is configured. Fetch it, or configure a remote.");
        using var buffer = new MemoryStream();
        try
        {
            var stream = await new ContentAddressedStore(GetRemoteStore(remoteName)).OpenReadAsync(oid, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (BlobNotFoundException ex)
        {
            throw new DataVersioningException($"The directory manifest {oid} is neither in the cache nor on remote '{remoteName}'. Push it from the machine that has it.", ex);
        }

        var bytes = buffer.ToArray();
        if (FileHasher.HashBytes(bytes) + DirectoryManifest.DirSuffix != oid)
        {
            throw new DataVersioningException($"The directory manifest {oid} on remote '{remoteName}' is corrupt (its md5 differs). It was not used; push a good copy.");
        }

        return ParseManifest(bytes, oid);
    }

    private string? CurrentHash(string relative)
    {
        var status = Internal.FileStatus.Get(ToFull(relative));
        return status is { } s ? _state.Lookup(relative, s) ?? FileHasher.HashFile(ToFull(relative)) : null;
    }

    private static string At(string? revision) => revision is null ? "" : $" at revision '{revision}'";
}
