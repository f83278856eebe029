using LibGit2Sharp;

namespace Mlops.Core.Git;

/// <summary>The <see cref="GitRepository"/> implementation on LibGit2Sharp.</summary>
internal sealed class LibGit2Repository : GitRepository
{
    private readonly Repository _repository;

    private LibGit2Repository(Repository repository)
    {
        _repository = repository;
        WorkingDirectory = Path.TrimEndingDirectorySeparator(repository.Info.WorkingDirectory ?? repository.Info.Path);
    }

    public override string WorkingDirectory { get; }

    public static new LibGit2Repository Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        var discovered = Repository.Discover(full);
        if (discovered is null)
        {
            throw new GitException($"'{full}' is not inside a Git repository. Run 'git init' there first, or open a folder that is inside one.");
        }

        try
        {
            return new LibGit2Repository(new Repository(discovered));
        }
        catch (LibGit2SharpException ex)
        {
            throw new GitException($"Cannot open the Git repository at '{discovered}': {ex.Message}", ex);
        }
    }

    public override string ResolveCommit(string revision) => LookupCommit(revision).Sha;

    public override byte[]? ReadFile(string revision, string path)
    {
        var commit = LookupCommit(revision);
        var entry = commit[NormalizePath(path)];
        if (entry is null)
        {
            return null;
        }

        if (entry.TargetType != TreeEntryTargetType.Blob)
        {
            throw new GitException($"'{path}' at revision '{revision}' is a {entry.TargetType.ToString().ToLowerInvariant()}, not a file.");
        }

        var blob = (Blob)entry.Target;
        using var content = blob.GetContentStream();
        using var buffer = new MemoryStream(checked((int)blob.Size));
        content.CopyTo(buffer);
        return buffer.ToArray();
    }

    public override IReadOnlyList<GitTreeEntry> ListTree(string revision, string path = "", bool recursive = false)
    {
        var commit = LookupCommit(revision);
        var normalized = NormalizePath(path);
        Tree tree;
        if (normalized.Length == 0)
        {
            tree = commit.Tree;
        }
        else
        {
            var entry = commit[normalized];
            if (entry is null || entry.TargetType != TreeEntryTargetType.Tree)
            {
                throw new GitException($"There is no folder '{path}' at revision '{revision}' in '{WorkingDirectory}'.");
            }

            tree = (Tree)entry.Target;
        }

        var entries = new List<GitTreeEntry>();
        Collect(tree, normalized, recursive, entries);
        return entries;
    }

    public override GitHeadInfo GetHead()
    {
        var tip = _repository.Head.Tip ?? throw NoCommits();
        var branch = _repository.Info.IsHeadDetached ? null : _repository.Head.FriendlyName;
        var dirty = _repository.RetrieveStatus(new StatusOptions { IncludeUntracked = false, RecurseUntrackedDirs = false }).IsDirty;
        var remote = _repository.Network.Remotes["origin"]?.Url;
        return new GitHeadInfo(tip.Sha, branch, dirty, remote);
    }

    public override bool IsTracked(string path) => _repository.Index[NormalizePath(path)] is not null;

    public override IReadOnlyList<string> WhichTracked(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var index = _repository.Index;
        if (index.Count >= paths.Count)
        {
            return base.WhichTracked(paths);
        }

        // Fewer index entries than paths (a data folder of many files, a repository of some code): one pass over the
        // index instead of a lookup per path.
        var tracked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in index)
        {
            tracked.Add(NormalizePath(entry.Path));
        }

        return paths.Where(p => tracked.Contains(NormalizePath(p))).ToList();
    }

    public override IReadOnlyList<string> ListBranches() =>
        _repository.Branches.Where(b => !b.IsRemote).Select(b => b.FriendlyName).ToArray();

    public override IReadOnlyList<string> ListTags() => _repository.Tags.Select(t => t.FriendlyName).ToArray();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _repository.Dispose();
        }
    }

    private static void Collect(Tree tree, string prefix, bool recursive, List<GitTreeEntry> entries)
    {
        foreach (var entry in tree)
        {
            var path = prefix.Length == 0 ? entry.Name : prefix + "/" + entry.Name;
            var kind = entry.TargetType switch
            {
                TreeEntryTargetType.Tree => GitEntryKind.Directory,
                TreeEntryTargetType.GitLink => GitEntryKind.Submodule,
                _ => GitEntryKind.File,
            };
            if (recursive && kind == GitEntryKind.Directory)
            {
                Collect((Tree)entry.Target, path, recursive, entries);
            }
            else
            {
                entries.Add(new GitTreeEntry(path, kind, entry.Target.Sha, entry.Mode == Mode.ExecutableFile));
            }
        }
    }

    private Commit LookupCommit(string revision)
    {
        ArgumentException.ThrowIfNullOrEmpty(revision);
        if (_repository.Head.Tip is null && !_repository.Refs.Any())
        {
            throw NoCommits();
        }

        try
        {
            // "^{commit}" peels annotated tags to the commit they name.
            return _repository.Lookup<Commit>(revision + "^{commit}") ?? throw UnknownRevision(revision, null);
        }
        catch (LibGit2SharpException ex)
        {
            throw UnknownRevision(revision, ex);
        }
    }

    private GitException NoCommits() =>
        new($"The Git repository at '{WorkingDirectory}' has no commits yet. Commit something first ('git commit').");

    private GitException UnknownRevision(string revision, Exception? inner) =>
        new($"The revision '{revision}' names no commit in the Git repository at '{WorkingDirectory}'. Use a branch, a tag, a commit sha or an expression such as 'HEAD~1'.", inner);

    private static string NormalizePath(string path) => path.Replace('\\', '/').Trim('/');
}
