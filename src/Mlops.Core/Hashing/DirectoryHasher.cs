namespace Mlops.Core.Hashing;

/// <summary>Computes the DVC directory hash of a folder on the local disk.</summary>
public static class DirectoryHasher
{
    /// <summary>
    /// Hashes every file below <paramref name="directory"/> (in parallel) and returns the manifest.
    /// Empty folders don't appear, as in DVC.
    /// </summary>
    /// <param name="directory">The folder to hash.</param>
    /// <param name="include">Decides, by relative path with '/', which files count; all of them when null (DVC leaves out what <c>.dvcignore</c> matches).</param>
    /// <param name="progress">Told the number of files hashed so far.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <exception cref="MlopsException">The folder does not exist or cannot be read.</exception>
    public static async Task<DirectoryManifest> HashDirectoryAsync(
        string directory,
        Func<string, bool>? include = null,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
        {
            throw new MlopsException($"Cannot hash the directory '{directory}': it does not exist.");
        }

        var files = new List<(string FullPath, string RelativePath, long Size)>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        foreach (var info in new DirectoryInfo(root).EnumerateFiles("*", options))
        {
            var relative = Path.GetRelativePath(root, info.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (include is null || include(relative))
            {
                files.Add((info.FullName, relative, info.Length));
            }
        }

        var hashes = await FileHasher.HashFilesAsync(files.Select(f => f.FullPath).ToArray(), progress: progress, cancellationToken: cancellationToken).ConfigureAwait(false);
        return DirectoryManifest.Create(files.Select((f, i) => new DirectoryEntry(f.RelativePath, hashes[i], f.Size)));
    }
}
