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

        return await IsFullyCachedAsync(output.Entry.Md5, cancellationToken).ConfigureAwait(false) ? null : OutputState.NotInCache;
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

    private async Task<bool> IsFullyCachedAsync(string oid, CancellationToken cancellationToken)
    {
        if (!InCache(oid))
        {
            return false;
        }

        if (!oid.EndsWith(Mlops.Core.Hashing.DirectoryManifest.DirSuffix, StringComparison.Ordinal))
        {
            return true;
        }

        var entries = await ReadCachedManifestAsync(oid, cancellationToken).ConfigureAwait(false);
        return entries is not null && entries.All(e => InCache(e.Md5));
    }
}
