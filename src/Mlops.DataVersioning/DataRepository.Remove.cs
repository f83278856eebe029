using Mlops.DataVersioning.Formats;

namespace Mlops.DataVersioning;

public sealed partial class DataRepository
{
    /// <summary>
    /// Stops tracking outputs (<c>dvc remove</c>): deletes their pointer file and their <c>.gitignore</c> lines
    /// (and a <c>.gitignore</c> left empty). The workspace data and the cache stay as they are.
    /// </summary>
    /// <param name="path">An output or its pointer file, relative to the repository root.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <returns>The paths of the outputs no longer tracked.</returns>
    /// <exception cref="DataVersioningException">No pointer file tracks the path.</exception>
    public async Task<IReadOnlyList<string>> RemoveAsync(string path, CancellationToken cancellationToken = default)
    {
        var relative = ToRelative(path);
        using var repositoryLock = await LockAsync(cancellationToken).ConfigureAwait(false);
        var pointerPath = relative.EndsWith(PointerFile.Extension, StringComparison.Ordinal) ? relative : relative + PointerFile.Extension;
        var pointerFull = ToFull(pointerPath);
        if (!File.Exists(pointerFull))
        {
            throw new DataVersioningException($"No pointer file tracks '{relative}': '{pointerPath}' does not exist.");
        }

        var pointer = PointerFile.Load(pointerFull);
        var removed = pointer.Outputs.Select(o => ResolveOutputPath(pointerPath, o)).ToList();
        File.Delete(pointerFull);
        if (UsesGit)
        {
            foreach (var output in removed)
            {
                GitIgnoreFile.RemoveEntry(Path.Combine(ToFull(ParentOf(output)), GitIgnoreFile.FileName), GitIgnoreFile.EntryFor(NameOf(output)));
            }
        }

        return removed;
    }
}
