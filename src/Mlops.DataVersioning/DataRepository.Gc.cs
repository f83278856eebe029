using Mlops.Core.Git;
using Mlops.Core.Hashing;
using Mlops.Core.Storage;

namespace Mlops.DataVersioning;

public sealed partial class DataRepository
{
    /// <summary>
    /// Removes from the cache (and with <see cref="GcOptions.Cloud"/>, from a remote) every object that no pointer of the
    /// selected scope uses (<c>dvc gc</c>): the workspace's pointers are always kept, plus those of the named revisions and
    /// of every branch, tag or commit when asked. A directory keeps its manifest and every file the manifest lists.
    /// </summary>
    /// <exception cref="DataVersioningException">
    /// No scope was selected, or a used directory's manifest is neither in the cache nor on the remote (so the files it
    /// keeps are unknown). Nothing is removed then.
    /// </exception>
    public async Task<GcResult> GcAsync(GcOptions options, IProgress<DataProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Workspace && !options.AllBranches && !options.AllTags && !options.AllCommits && options.Revisions.Count == 0)
        {
            throw new DataVersioningException(
                "Garbage collection needs to know what to keep: select the workspace (Workspace, '-w'), Git revisions (Revisions, '--rev'), all branches (AllBranches, '-a'), all tags (AllTags, '-T') or all commits (AllCommits, '-A'). Nothing was removed.");
        }

        using var repositoryLock = await LockAsync(cancellationToken).ConfigureAwait(false);

        // The remote opens before anything goes, so a missing credential removes nothing.
        var remote = options.Cloud ? new ContentAddressedStore(GetRemoteStore(options.Remote)) : null;
        var outputs = LoadWorkspaceOutputs(LoadIgnoreRules());
        foreach (var revision in ResolveRevisions(options.Revisions, options.AllBranches, options.AllTags, options.AllCommits))
        {
            outputs.AddRange(LoadOutputsAtRevision(revision));
        }

        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in outputs.Where(o => o.Entry.Md5 is not null && o.Entry.UseCache).DistinctBy(o => o.Entry.Md5))
        {
            used.Add(output.Entry.Md5!);
            if (output.Entry.IsDirectory)
            {
                IReadOnlyList<DirectoryEntry> entries;
                try
                {
                    entries = await ReadManifestAnywhereAsync(output.Entry.Md5!, options.Remote ?? output.Entry.Remote, cancellationToken).ConfigureAwait(false);
                }
                catch (DataVersioningException ex)
                {
                    throw new DataVersioningException(
                        $"Cannot tell which files the directory '{output.Path}' ({output.Entry.Md5}) keeps: {ex.Message} Nothing was removed; fetch it first ('mlops fetch'), or narrow the scope.",
                        ex);
                }

                used.UnionWith(entries.Select(e => e.Md5));
            }
        }

        var (removed, bytes) = await CollectGarbageAsync(_cache, used, options.DryRun, progress, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> remoteRemoved = [];
        long remoteBytes = 0;
        if (remote is not null)
        {
            (remoteRemoved, remoteBytes) = await CollectGarbageAsync(remote, used, options.DryRun, progress, cancellationToken).ConfigureAwait(false);
        }

        return new GcResult(removed, bytes, remoteRemoved, remoteBytes);
    }

    private static async Task<(IReadOnlyList<string> Removed, long Bytes)> CollectGarbageAsync(
        ContentAddressedStore store, HashSet<string> used, bool dryRun, IProgress<DataProgress>? progress, CancellationToken cancellationToken)
    {
        var garbage = new List<BlobInfo>();
        await foreach (var item in store.ListObjectsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!used.Contains(item.Key))
            {
                garbage.Add(item);
            }
        }

        garbage.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        for (var i = 0; !dryRun && i < garbage.Count; i++)
        {
            await store.DeleteAsync(garbage[i].Key, cancellationToken).ConfigureAwait(false);
            progress?.Report(new DataProgress("gc", i + 1, garbage.Count, garbage[i].Key));
        }

        return (garbage.Select(g => g.Key).ToList(), garbage.Sum(g => g.Size));
    }

    /// <summary>
    /// The Git revisions a scope names, one per commit: <paramref name="revisions"/> as given, then every local branch,
    /// tag, and commit reachable from any reference. Shared by gc and by fetch and push.
    /// </summary>
    internal List<string> ResolveRevisions(IReadOnlyList<string> revisions, bool allBranches, bool allTags, bool allCommits)
    {
        if (revisions.Count == 0 && !allBranches && !allTags && !allCommits)
        {
            return [];
        }

        using var git = OpenGit() ?? throw new DataVersioningException("Revision scopes (branches, tags, commits, --rev) need Git, but this data repository does not use it (core.no_scm).");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        void Add(string revision, bool required)
        {
            try
            {
                if (seen.Add(git.ResolveCommit(revision)))
                {
                    result.Add(revision);
                }
            }
            catch (GitException) when (!required)
            {
                // A tag of a tree or blob names no commit: it has no pointers to keep.
            }
            catch (GitException ex)
            {
                throw new DataVersioningException(ex.Message, ex);
            }
        }

        foreach (var revision in revisions)
        {
            Add(revision, required: true);
        }

        foreach (var branch in allBranches ? git.ListBranches() : [])
        {
            Add(branch, required: false);
        }

        foreach (var tag in allTags ? git.ListTags() : [])
        {
            Add(tag, required: false);
        }

        if (allCommits)
        {
            using var repository = new LibGit2Sharp.Repository(git.WorkingDirectory);
            var tips = repository.Refs.Where(r => r.CanonicalName != "refs/stash").Cast<object>().ToList();
            if (repository.Head.Tip is { } head)
            {
                tips.Add(head);
            }

            var commits = tips.Count == 0 ? [] : repository.Commits.QueryBy(new LibGit2Sharp.CommitFilter { IncludeReachableFrom = tips }).ToList();
            foreach (var commit in commits)
            {
                if (seen.Add(commit.Sha))
                {
                    result.Add(commit.Sha);
                }
            }
        }

        return result;
    }
}

/// <summary>Options of <see cref="DataRepository.GcAsync"/>: what to keep (at least one scope), and where to collect.</summary>
public sealed record GcOptions
{
    /// <summary>Keeps the objects the workspace's pointers use (always kept; set it alone for <c>dvc gc -w</c>).</summary>
    public bool Workspace { get; init; }

    /// <summary>Also keeps the objects used at these Git revisions: branches, tags or commits (<c>--rev</c>).</summary>
    public IReadOnlyList<string> Revisions { get; init; } = [];

    /// <summary>Also keeps the objects used at the tip of every local branch (<c>-a</c>).</summary>
    public bool AllBranches { get; init; }

    /// <summary>Also keeps the objects used at every tag (<c>-T</c>).</summary>
    public bool AllTags { get; init; }

    /// <summary>Also keeps the objects used by every commit reachable from any reference (<c>-A</c>).</summary>
    public bool AllCommits { get; init; }

    /// <summary>Also removes the unused objects from the remote (<c>-c</c>).</summary>
    public bool Cloud { get; init; }

    /// <summary>The remote for <see cref="Cloud"/> (and for directory manifests missing from the cache); the default remote when null.</summary>
    public string? Remote { get; init; }

    /// <summary>Lists what would be removed without removing it.</summary>
    public bool DryRun { get; init; }
}

/// <summary>What a garbage collection removed (or, in a dry run, would remove).</summary>
/// <param name="Removed">The oids removed from the cache, in order.</param>
/// <param name="RemovedBytes">Their total size in bytes.</param>
/// <param name="RemovedFromRemote">The oids removed from the remote (empty without <see cref="GcOptions.Cloud"/>).</param>
/// <param name="RemovedFromRemoteBytes">Their total size in bytes.</param>
public sealed record GcResult(IReadOnlyList<string> Removed, long RemovedBytes, IReadOnlyList<string> RemovedFromRemote, long RemovedFromRemoteBytes);
