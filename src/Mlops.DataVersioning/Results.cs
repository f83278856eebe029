namespace Mlops.DataVersioning;

/// <summary>An output written by add or commit.</summary>
/// <param name="Path">The output's path relative to the repository root, with '/'.</param>
/// <param name="PointerPath">The pointer file's path relative to the repository root.</param>
/// <param name="Md5">The recorded hash (ending in <c>.dir</c> for a directory).</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="FileCount">The number of files, for a directory.</param>
public sealed record TrackedOutput(string Path, string PointerPath, string Md5, long Size, int? FileCount);

/// <summary>How an output differs from its pointer.</summary>
public enum OutputState
{
    /// <summary>The workspace data differs from the recorded hash.</summary>
    Modified,

    /// <summary>The pointer records no hash yet.</summary>
    New,

    /// <summary>The data is missing from the workspace.</summary>
    Deleted,

    /// <summary>The workspace matches the pointer but the cache lacks the object (run commit, or fetch).</summary>
    NotInCache,
}

/// <summary>One changed output.</summary>
/// <param name="Path">The output's path relative to the repository root.</param>
/// <param name="PointerPath">Its pointer file.</param>
/// <param name="State">How it changed.</param>
public sealed record OutputStatus(string Path, string PointerPath, OutputState State);

/// <summary>The result of a status: every output that is not up to date.</summary>
/// <param name="Changes">The outputs that changed, by pointer file then output.</param>
public sealed record StatusReport(IReadOnlyList<OutputStatus> Changes)
{
    /// <summary>True when data and pointers agree and the cache has every object.</summary>
    public bool IsClean => Changes.Count == 0;
}

/// <summary>Options of a checkout.</summary>
public sealed record CheckoutOptions
{
    /// <summary>Outputs or pointer files to check out (relative to the repository root); all when empty.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    /// <summary>Overwrites and deletes workspace data even when the cache has no copy of it.</summary>
    public bool Force { get; init; }
}

/// <summary>What a checkout changed in the workspace, by file path relative to the repository root.</summary>
/// <param name="Added">Files that did not exist.</param>
/// <param name="Modified">Files replaced by the recorded version.</param>
/// <param name="Deleted">Files removed because the recorded directory does not have them.</param>
/// <param name="Missing">Outputs that could not be checked out because the cache lacks their objects (fetch or pull them).</param>
public sealed record CheckoutResult(IReadOnlyList<string> Added, IReadOnlyList<string> Modified, IReadOnlyList<string> Deleted, IReadOnlyList<string> Missing)
{
    /// <summary>Whether nothing had to change and nothing is missing.</summary>
    public bool IsUnchanged => Added.Count == 0 && Modified.Count == 0 && Deleted.Count == 0 && Missing.Count == 0;
}

/// <summary>A path that differs between two versions.</summary>
/// <param name="Path">The path relative to the repository root; a directory ends with '/'.</param>
/// <param name="OldMd5">The hash in the first version, when it had the path.</param>
/// <param name="NewMd5">The hash in the second version, when it has the path.</param>
public sealed record DiffEntry(string Path, string? OldMd5, string? NewMd5);

/// <summary>A file that moved with its content unchanged.</summary>
/// <param name="OldPath">Where it was.</param>
/// <param name="NewPath">Where it is.</param>
/// <param name="Md5">Its hash.</param>
public sealed record RenamedEntry(string OldPath, string NewPath, string Md5);

/// <summary>The differences between two versions of the tracked data.</summary>
/// <param name="Added">Paths only the second version has.</param>
/// <param name="Deleted">Paths only the first version has.</param>
/// <param name="Modified">Paths with different content.</param>
/// <param name="Renamed">Files that moved.</param>
public sealed record DiffResult(IReadOnlyList<DiffEntry> Added, IReadOnlyList<DiffEntry> Deleted, IReadOnlyList<DiffEntry> Modified, IReadOnlyList<RenamedEntry> Renamed)
{
    /// <summary>Whether the versions hold the same data.</summary>
    public bool IsEmpty => Added.Count == 0 && Deleted.Count == 0 && Modified.Count == 0 && Renamed.Count == 0;
}

/// <summary>Options of fetch, push and pull.</summary>
public sealed record TransferOptions
{
    /// <summary>The remote's name; the output's own <c>remote:</c>, then <c>core.remote</c>, when null.</summary>
    public string? Remote { get; init; }

    /// <summary>How many transfers run at once; <see cref="DataRepositoryOptions.Jobs"/> when null.</summary>
    public int? Jobs { get; init; }

    /// <summary>Outputs or pointer files to transfer (relative to the repository root); all when empty.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    /// <summary>
    /// Git revisions (branches, tags, shas) whose committed pointers are transferred too, besides the workspace's
    /// (like <c>dvc push --all-tags</c>, one revision at a time). Checkout, in pull, only uses the workspace's.
    /// </summary>
    public IReadOnlyList<string> Revisions { get; init; } = [];

    /// <summary>Also transfers the objects used at the tip of every local branch (<c>--all-branches</c>).</summary>
    public bool AllBranches { get; init; }

    /// <summary>Also transfers the objects used at every tag (<c>--all-tags</c>).</summary>
    public bool AllTags { get; init; }

    /// <summary>Also transfers the objects used by every commit reachable from any reference (<c>--all-commits</c>).</summary>
    public bool AllCommits { get; init; }

    /// <summary>With pull: overwrite workspace data that is not in the cache.</summary>
    public bool Force { get; init; }
}

/// <summary>What a fetch or push did.</summary>
/// <param name="Transferred">Objects copied.</param>
/// <param name="UpToDate">Objects that were already there.</param>
public sealed record TransferResult(int Transferred, int UpToDate);

/// <summary>What a pull did: the fetch, then the checkout.</summary>
/// <param name="Transfer">The fetch.</param>
/// <param name="Checkout">The checkout.</param>
public sealed record PullResult(TransferResult Transfer, CheckoutResult Checkout);

/// <summary>How the cache and a remote differ for the objects the workspace's pointers use.</summary>
/// <param name="Remote">The remote compared with.</param>
/// <param name="New">In the cache, not on the remote (push them).</param>
/// <param name="Deleted">On the remote, not in the cache (fetch them).</param>
/// <param name="Missing">Neither in the cache nor on the remote.</param>
public sealed record RemoteStatusReport(string Remote, IReadOnlyList<string> New, IReadOnlyList<string> Deleted, IReadOnlyList<string> Missing)
{
    /// <summary>Whether cache and remote agree.</summary>
    public bool IsInSync => New.Count == 0 && Deleted.Count == 0 && Missing.Count == 0;
}
