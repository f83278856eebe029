namespace Mlops.Core.Git;

/// <summary>
/// Read access to a Git repository: revisions, files and trees at a revision, and the state of HEAD.
/// The default implementation uses LibGit2Sharp; open one with <see cref="Open"/>.
/// </summary>
/// <remarks>Failures are <see cref="GitException"/>s whose message says which repository, revision or path.</remarks>
public abstract class GitRepository : IDisposable
{
    /// <summary>The working directory's full path (the folder holding <c>.git</c>).</summary>
    public abstract string WorkingDirectory { get; }

    /// <summary>
    /// Opens the repository that contains <paramref name="path"/> (the folder itself or any parent).
    /// </summary>
    /// <exception cref="GitException">No Git repository contains the path.</exception>
    public static GitRepository Open(string path) => LibGit2Repository.Open(path);

    /// <summary>Resolves a revision (branch, tag, full or short sha, <c>HEAD~1</c>, …) to a full commit sha.</summary>
    /// <exception cref="GitException">The revision names no commit, or the repository has no commits.</exception>
    public abstract string ResolveCommit(string revision);

    /// <summary>Returns the bytes of the file at <paramref name="path"/> (relative, with '/') at <paramref name="revision"/>, or null when it has no such file.</summary>
    /// <exception cref="GitException">The revision names no commit, or the path is a folder.</exception>
    public abstract byte[]? ReadFile(string revision, string path);

    /// <summary>Lists the entries of the folder at <paramref name="path"/> (the root when empty) at <paramref name="revision"/>.</summary>
    /// <param name="revision">The revision.</param>
    /// <param name="path">A folder, relative, with '/'; the root when empty.</param>
    /// <param name="recursive">Lists every file below instead of one level.</param>
    /// <exception cref="GitException">The revision names no commit, or the folder does not exist at that revision.</exception>
    public abstract IReadOnlyList<GitTreeEntry> ListTree(string revision, string path = "", bool recursive = false);

    /// <summary>Returns HEAD's commit, branch and whether the working tree has uncommitted changes.</summary>
    /// <exception cref="GitException">The repository has no commits.</exception>
    public abstract GitHeadInfo GetHead();

    /// <summary>Says whether Git tracks <paramref name="path"/> (relative to the working directory) in its index.</summary>
    public abstract bool IsTracked(string path);

    /// <summary>
    /// Returns those of <paramref name="paths"/> (relative to the working directory) that Git tracks in its index, in
    /// their order: <see cref="IsTracked"/> for many paths at once.
    /// </summary>
    public virtual IReadOnlyList<string> WhichTracked(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return paths.Where(IsTracked).ToList();
    }

    /// <summary>Lists the names of local branches.</summary>
    public abstract IReadOnlyList<string> ListBranches();

    /// <summary>Lists the names of tags.</summary>
    public abstract IReadOnlyList<string> ListTags();

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the repository handle.</summary>
    protected abstract void Dispose(bool disposing);
}

/// <summary>One entry of a tree at a revision.</summary>
/// <param name="Path">The path relative to the repository root, with '/'.</param>
/// <param name="Kind">File, folder or submodule.</param>
/// <param name="ObjectId">The Git object id (sha) of the blob or tree.</param>
/// <param name="IsExecutable">Whether the file has Git's executable mode.</param>
public sealed record GitTreeEntry(string Path, GitEntryKind Kind, string ObjectId, bool IsExecutable);

/// <summary>What a tree entry is.</summary>
public enum GitEntryKind
{
    /// <summary>A file (blob), including a symbolic link.</summary>
    File,

    /// <summary>A folder (tree).</summary>
    Directory,

    /// <summary>A submodule (a commit of another repository).</summary>
    Submodule,
}

/// <summary>The state of HEAD.</summary>
/// <param name="Commit">HEAD's full commit sha.</param>
/// <param name="Branch">The checked-out branch, or null when HEAD is detached.</param>
/// <param name="IsDirty">Whether tracked files differ from HEAD (untracked files don't count).</param>
/// <param name="RemoteUrl">The URL of the remote named <c>origin</c>, when there is one.</param>
public sealed record GitHeadInfo(string Commit, string? Branch, bool IsDirty, string? RemoteUrl);

/// <summary>A Git operation failed; the message names the repository, revision or path.</summary>
public sealed class GitException : MlopsException
{
    /// <summary>Creates an exception with no message.</summary>
    public GitException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public GitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public GitException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
