using System.Text;
using Mlops.Core.Git;
using Mlops.Core.Hashing;
using Mlops.DataVersioning.Formats;

namespace Mlops.DataVersioning;

public sealed partial class DataRepository
{
    /// <summary>
    /// Lists the tracked paths that differ between two versions (<c>dvc diff</c>): added, deleted, renamed and modified files,
    /// and directories (ending with '/') whose content changed.
    /// </summary>
    /// <param name="oldRevision">The first version: a Git revision (default <c>HEAD</c>).</param>
    /// <param name="newRevision">The second version: a Git revision, or null for the workspace.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <remarks>A directory whose manifest is not in the cache is compared as a whole.</remarks>
    public async Task<DiffResult> DiffAsync(string oldRevision = "HEAD", string? newRevision = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(oldRevision);
        var before = await CollectAtRevisionAsync(oldRevision, cancellationToken).ConfigureAwait(false);
        Dictionary<string, string> after;
        if (newRevision is null)
        {
            after = await CollectWorkspaceAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            after = await CollectAtRevisionAsync(newRevision, cancellationToken).ConfigureAwait(false);
        }

        var added = after.Where(kv => !before.ContainsKey(kv.Key)).Select(kv => new DiffEntry(kv.Key, null, kv.Value)).ToList();
        var deleted = before.Where(kv => !after.ContainsKey(kv.Key)).Select(kv => new DiffEntry(kv.Key, kv.Value, null)).ToList();
        var modified = before.Where(kv => after.TryGetValue(kv.Key, out var now) && now != kv.Value).Select(kv => new DiffEntry(kv.Key, kv.Value, after[kv.Key])).ToList();

        // A file that left one path and appeared at another with the same content moved.
        var renamed = new List<RenamedEntry>();
        var arrivals = added.Where(a => !a.Path.EndsWith('/')).OrderBy(a => a.Path, StringComparer.Ordinal)
            .GroupBy(a => a.NewMd5!).ToDictionary(g => g.Key, g => new Queue<DiffEntry>(g), StringComparer.Ordinal);
        var movedFrom = new HashSet<DiffEntry>();
        var movedTo = new HashSet<DiffEntry>();
        foreach (var gone in deleted.Where(d => !d.Path.EndsWith('/')).OrderBy(d => d.Path, StringComparer.Ordinal))
        {
            if (arrivals.TryGetValue(gone.OldMd5!, out var queue) && queue.TryDequeue(out var arrival))
            {
                renamed.Add(new RenamedEntry(gone.Path, arrival.Path, gone.OldMd5!));
                movedFrom.Add(gone);
                movedTo.Add(arrival);
            }
        }

        added.RemoveAll(movedTo.Contains);
        deleted.RemoveAll(movedFrom.Contains);

        static List<DiffEntry> Order(List<DiffEntry> entries) => entries.OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
        return new DiffResult(Order(added), Order(deleted), Order(modified), renamed);
    }

    private async Task<Dictionary<string, string>> CollectAtRevisionAsync(string revision, CancellationToken cancellationToken)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var output in LoadOutputsAtRevision(revision).Where(o => o.Entry.Md5 is not null))
        {
            IReadOnlyList<DirectoryEntry>? entries = null;
            if (output.Entry.IsDirectory)
            {
                entries = await ReadCachedManifestAsync(output.Entry.Md5!, cancellationToken).ConfigureAwait(false);
            }

            AddPaths(paths, output.Path, output.Entry.Md5!, output.Entry.IsDirectory, entries);
        }

        return paths;
    }

    /// <summary>Every output of every pointer file committed at a Git revision.</summary>
    internal List<Output> LoadOutputsAtRevision(string revision)
    {
        using var git = OpenGit() ?? throw new DataVersioningException($"Cannot read pointers at revision '{revision}': the repository does not use Git.");
        string commit;
        IReadOnlyList<GitTreeEntry> tree;
        try
        {
            commit = git.ResolveCommit(revision);
            tree = git.ListTree(commit, "", recursive: true);
        }
        catch (GitException ex)
        {
            throw new DataVersioningException(ex.Message, ex);
        }

        // The data repository may sit in a subfolder of the Git repository.
        var prefix = ToRelativeToGit(git, "x")[..^1];
        var outputs = new List<Output>();
        foreach (var entry in tree)
        {
            if (entry.Kind != GitEntryKind.File || !entry.Path.EndsWith(PointerFile.Extension, StringComparison.Ordinal) || !entry.Path.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var pointerPath = entry.Path[prefix.Length..];
            if (pointerPath.Split('/').Any(s => s is DvcFolderName or ".git") || NameOf(pointerPath) == PointerFile.Extension)
            {
                continue;
            }

            var bytes = git.ReadFile(commit, entry.Path);
            if (bytes is null)
            {
                continue;
            }

            var pointer = PointerFile.Parse(Encoding.UTF8.GetString(bytes), $"{pointerPath}@{revision}");
            for (var i = 0; i < pointer.Outputs.Count; i++)
            {
                outputs.Add(new Output(pointerPath, i, pointer, pointer.Outputs[i], ResolveOutputPath(pointerPath, pointer.Outputs[i])));
            }
        }

        outputs.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return outputs;
    }

    private async Task<Dictionary<string, string>> CollectWorkspaceAsync(CancellationToken cancellationToken)
    {
        var rules = LoadIgnoreRules();
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var output in LoadWorkspaceOutputs(rules))
            {
                var current = await HashWorkspaceAsync(output.Path, rules, null, cancellationToken).ConfigureAwait(false);
                if (current is null)
                {
                    continue;
                }

                AddPaths(paths, output.Path, current.Md5, current.Manifest is not null, current.Manifest?.Entries);
            }
        }
        finally
        {
            _state.Save();
        }

        return paths;
    }

    private static void AddPaths(Dictionary<string, string> paths, string path, string md5, bool isDirectory, IReadOnlyList<DirectoryEntry>? entries)
    {
        if (!isDirectory)
        {
            paths[path] = md5;
            return;
        }

        paths[path + "/"] = md5;
        foreach (var entry in entries ?? [])
        {
            paths[path + "/" + entry.RelativePath] = entry.Md5;
        }
    }
}
