using Mlops.DataVersioning.Formats;
using Mlops.DataVersioning.Internal;

namespace Mlops.DataVersioning;

public sealed partial class DataRepository
{
    /// <summary>
    /// Compares the workspace with the pointers (<c>dvc status</c>): outputs whose data is modified or deleted,
    /// that have no hash yet (new), or whose objects the cache lacks. Unchanged files are not read again.
    /// </summary>
    /// <param name="targets">Outputs or pointer files; all when null or empty.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public async Task<StatusReport> StatusAsync(IReadOnlyList<string>? targets = null, CancellationToken cancellationToken = default)
    {
        var rules = LoadIgnoreRules();
        var outputs = Filter(LoadWorkspaceOutputs(rules), targets ?? [], ToRelative);
        var changes = new List<OutputStatus>();
        try
        {
            foreach (var output in outputs)
            {
                var state = await GetStateAsync(output, rules, cancellationToken).ConfigureAwait(false);
                if (state is { } changed)
                {
                    changes.Add(new OutputStatus(output.Path, output.PointerPath, changed));
                }
            }
        }
        finally
        {
            _state.Save();
        }

        return new StatusReport(changes);
    }

    private async Task<OutputState?> GetStateAsync(Output output, IgnoreRules rules, CancellationToken cancellationToken)
    {
        var current = await HashWorkspaceAsync(output.Path, rules, null, cancellationToken).ConfigureAwait(false);
        if (output.Entry.Md5 is null)
        {
            return current is null ? OutputState.Deleted : OutputState.New;
        }

        if (current is null)
        {
            return OutputState.Deleted;
        }

        if (!Matches(output.Entry, current, ToFull(output.Path)))
        {
            return OutputState.Modified;
        }

        if (!output.Entry.UseCache)
        {
            return null;
        }

        return await IsFullyCachedAsync(output.Entry.Md5, current.Manifest, cancellationToken).ConfigureAwait(false) ? null : OutputState.NotInCache;
    }

    /// <summary>Whether the workspace data has the recorded hash (for a DVC 2 pointer, also its CRLF-blind hash).</summary>
    private static bool Matches(PointerOutput entry, WorkspaceHash current, string full)
    {
        if (current.Md5 == entry.Md5)
        {
            return true;
        }

        return entry.IsLegacy && current.Manifest is null && LegacyHash.Dos2UnixMd5(full) == entry.Md5;
    }

    /// <summary>
    /// Whether the cache holds the object and, for a directory, every file of it. <paramref name="workspace"/> is the
    /// workspace's manifest when it has this very hash: its entries are then the cached manifest's, which need not be read.
    /// </summary>
    private async Task<bool> IsFullyCachedAsync(string oid, Mlops.Core.Hashing.DirectoryManifest? workspace, CancellationToken cancellationToken)
    {
        if (!InCache(oid))
        {
            return false;
        }

        if (!oid.EndsWith(Mlops.Core.Hashing.DirectoryManifest.DirSuffix, StringComparison.Ordinal))
        {
            return true;
        }

        // A folder whose stamp still holds has lost no object since every object was last known to be there.
        var stamps = HasLegacyCacheLayout ? null : _state.CompleteFolders(oid);
        HashSet<string>? recheck = null;
        if (stamps is not null)
        {
            recheck = new HashSet<string>(StringComparer.Ordinal);
            foreach (var stamp in stamps)
            {
                if (!stamp.Holds(FileStatus.GetFolder(CacheFolder(stamp.Folder))))
                {
                    recheck.Add(stamp.Folder);
                }
            }

            if (recheck.Count == 0)
            {
                return true;
            }
        }

        var entries = workspace?.Md5 == oid ? workspace.Entries : await ReadCachedManifestAsync(oid, cancellationToken).ConfigureAwait(false);
        if (entries is null)
        {
            return false;
        }

        // Stamped before any object is looked at, so that a removal after its look shows in the stamp.
        var fresh = StampCacheFolders(entries);

        // One stat per file: spread over the cores.
        var missing = 0;
        Parallel.For(0, entries.Count, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount }, (i, loop) =>
        {
            var md5 = entries[i].Md5;
            if ((recheck is null || recheck.Contains(md5[..2])) && !InCache(md5))
            {
                Interlocked.Increment(ref missing);
                loop.Stop();
            }
        });

        if (missing == 0 && fresh is not null)
        {
            _state.RecordComplete(oid, fresh);
        }

        return missing == 0;
    }
}
