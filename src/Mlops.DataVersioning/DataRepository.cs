using System.IO.Abstractions;
using System.IO.Enumeration;
using System.Text;
using System.Text.Json;
using Mlops.Core.Git;
using Mlops.Core.Hashing;
using Mlops.Core.Storage;
using Mlops.DataVersioning.Formats;
using Mlops.DataVersioning.Internal;

namespace Mlops.DataVersioning;

/// <summary>
/// A data repository in DVC 3's format beside a Git repository: tracks files and directories through
/// <c>.dvc</c> pointer files, keeps their bytes in a content-addressed cache (<c>.dvc/cache</c>) and on
/// remotes, and reads any tracked file at any Git revision.
/// </summary>
/// <remarks>
/// <para>Paths given to its methods are relative to the repository root (or absolute, inside it).</para>
/// <para>Operations that change the workspace or the cache take the repository lock (<c>.dvc/tmp/lock</c>):
/// a second process waits up to <see cref="DataRepositoryOptions.LockTimeout"/>, then fails with "locked by process N".</para>
/// </remarks>
public sealed partial class DataRepository
{
    /// <summary>The name of DVC's folder.</summary>
    public const string DvcFolderName = ".dvc";

    private readonly DataRepositoryOptions _options;
    private readonly FileSystemBlobStore _cacheStore;
    private readonly ContentAddressedStore _cache;
    private readonly FileLinker _linker;
    private readonly StateCache _state;
    private readonly Dictionary<string, BlobStore> _remoteStores = new(StringComparer.Ordinal);
    private int _hashCount;
    private bool? _hasLegacyCacheLayout;

    private DataRepository(string root, DvcConfig config, DataRepositoryOptions options)
    {
        Root = root;
        DvcDirectory = Path.Combine(root, DvcFolderName);
        Config = config;
        _options = options;
        var cacheDir = config.Get("cache", "dir");
        CacheDirectory = cacheDir is null ? Path.Combine(DvcDirectory, "cache") : Path.GetFullPath(Path.Combine(DvcDirectory, cacheDir));
        _cacheStore = new FileSystemBlobStore("cache", new FileSystemBlobStoreOptions { RootPath = CacheDirectory, MakeReadOnly = true, FlushToDisk = options.FlushToDisk }, new FileSystem());
        _cache = new ContentAddressedStore(_cacheStore);
        _linker = new FileLinker(config.CacheTypes);
        _state = new StateCache(Path.Combine(DvcDirectory, "tmp", "mlops-state.bin"));
        UsesGit = !IsTrue(config.Get("core", "no_scm"));
    }

    /// <summary>The repository root: the folder holding <c>.dvc</c>.</summary>
    public string Root { get; }

    /// <summary>The <c>.dvc</c> folder.</summary>
    public string DvcDirectory { get; }

    /// <summary>The cache folder (<c>.dvc/cache</c> unless <c>cache.dir</c> says otherwise).</summary>
    public string CacheDirectory { get; }

    /// <summary>The configuration: <c>.dvc/config</c> with <c>.dvc/config.local</c> merged over it. May hold credentials: don't print it.</summary>
    public DvcConfig Config { get; }

    /// <summary>Whether the repository works with Git (false after an init with <see cref="DataRepositoryInitOptions.NoScm"/>).</summary>
    public bool UsesGit { get; }

    /// <summary>The number of files hashed by this instance so far (unchanged files known to the state cache are not hashed).</summary>
    internal int HashCount => Volatile.Read(ref _hashCount);

    /// <summary>
    /// Creates a data repository in <paramref name="path"/>: <c>.dvc/config</c>, <c>.dvc/.gitignore</c> and <c>.dvcignore</c>,
    /// as <c>dvc init</c> does. The folder must be the root of a Git repository unless <see cref="DataRepositoryInitOptions.NoScm"/>.
    /// </summary>
    /// <exception cref="DataVersioningException">The folder is not a Git repository root, or already holds <c>.dvc</c> (without Force).</exception>
    public static Task<DataRepository> InitAsync(string path, DataRepositoryInitOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new DataRepositoryInitOptions();
        cancellationToken.ThrowIfCancellationRequested();
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (!Directory.Exists(root))
        {
            throw new DataVersioningException($"Cannot initialise a data repository in '{root}': the folder does not exist.");
        }

        if (!options.NoScm && !Directory.Exists(Path.Combine(root, ".git")) && !File.Exists(Path.Combine(root, ".git")))
        {
            throw new DataVersioningException(
                $"'{root}' is not the root of a Git repository. Run 'git init' there first, or initialise without Git (NoScm = true, 'mlops init --no-scm').");
        }

        var dvc = Path.Combine(root, DvcFolderName);
        if (Directory.Exists(dvc) && !options.Force)
        {
            throw new DataVersioningException($"'{dvc}' exists already: the folder is a data repository. Open it with DataRepository.Open, or initialise again with Force = true.");
        }

        Directory.CreateDirectory(dvc);
        var config = DvcConfig.Load(Path.Combine(dvc, "config"));
        if (options.NoScm)
        {
            config.Set("core", "no_scm", "True");
        }

        config.Save(Path.Combine(dvc, "config"));
        foreach (var entry in new[] { "/config.local", "/tmp", "/cache" })
        {
            GitIgnoreFile.AddEntry(Path.Combine(dvc, GitIgnoreFile.FileName), entry);
        }

        var dvcignore = Path.Combine(root, IgnoreRules.DvcIgnoreFileName);
        if (!File.Exists(dvcignore))
        {
            AtomicFile.WriteAllText(dvcignore, IgnoreRules.DefaultDvcIgnore);
        }

        return Task.FromResult(Open(root));
    }

    /// <summary>Opens the data repository that contains <paramref name="path"/> (the folder holding <c>.dvc</c>, or any folder below it).</summary>
    /// <exception cref="DataVersioningException">No folder at or above the path holds <c>.dvc</c>, or its config cannot be read.</exception>
    public static DataRepository Open(string path, DataRepositoryOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var start = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        for (var current = start; current is not null; current = Path.GetDirectoryName(current))
        {
            if (Directory.Exists(Path.Combine(current, DvcFolderName)))
            {
                var dvc = Path.Combine(current, DvcFolderName);
                var config = DvcConfig.Load(Path.Combine(dvc, "config")).MergedWith(DvcConfig.Load(Path.Combine(dvc, "config.local")));
                return new DataRepository(current, config, options ?? new DataRepositoryOptions());
            }
        }

        throw new DataVersioningException($"No data repository at or above '{start}': no folder there holds '.dvc'. Initialise one with DataRepository.InitAsync ('mlops init').");
    }

    // ---- paths ----

    /// <summary>Turns a path given by a caller into a path relative to the root, with '/'; empty for the root.</summary>
    internal string ToRelative(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(Root, path));
        var relative = Path.GetRelativePath(Root, full);
        if (relative == ".")
        {
            return "";
        }

        if (Path.IsPathRooted(relative) || relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new DataVersioningException($"'{path}' is outside the data repository '{Root}'. Use a path inside it.");
        }

        return relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    internal string ToFull(string relative) =>
        relative.Length == 0 ? Root : Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    private static string ParentOf(string relative)
    {
        var slash = relative.LastIndexOf('/');
        return slash < 0 ? "" : relative[..slash];
    }

    private static string NameOf(string relative) => relative[(relative.LastIndexOf('/') + 1)..];

    private static string Join(string folder, string name) => folder.Length == 0 ? name : folder + "/" + name;

    /// <summary>Resolves an output's path (relative to its pointer's folder) to a path relative to the root.</summary>
    private static string ResolveOutputPath(string pointerPath, PointerOutput output)
    {
        var path = output.Path.Replace('\\', '/');
        if (path.StartsWith('/') || (path.Length > 1 && path[1] == ':') || path.Contains("://", StringComparison.Ordinal))
        {
            throw new DataVersioningException($"The pointer '{pointerPath}' tracks '{output.Path}', which is outside the repository. External outputs are not supported; track data inside the repository.");
        }

        var segments = new List<string>(ParentOf(pointerPath).Split('/', StringSplitOptions.RemoveEmptyEntries));
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count == 0)
                {
                    throw new DataVersioningException($"The pointer '{pointerPath}' tracks '{output.Path}', which escapes the repository. Fix its 'path'.");
                }

                segments.RemoveAt(segments.Count - 1);
                continue;
            }

            segments.Add(segment);
        }

        return segments.Count == 0
            ? throw new DataVersioningException($"The pointer '{pointerPath}' tracks the repository root itself ('{output.Path}'). Track a file or folder inside it.")
            : string.Join('/', segments);
    }

    internal string CachePath(string oid) => _cacheStore.GetPath(ContentAddressedStore.GetKey(oid));

    /// <summary>The object's file in the cache, in DVC 3's layout or else DVC 2's; null when the cache lacks it.</summary>
    private string? FindInCache(string oid)
    {
        var path = CachePath(oid);
        if (File.Exists(path))
        {
            return path;
        }

        if (!HasLegacyCacheLayout)
        {
            return null;
        }

        var legacy = Path.Combine(CacheDirectory, oid[..2], oid[2..]);
        return File.Exists(legacy) ? legacy : null;
    }

    /// <summary>
    /// Whether the cache has DVC 2's two-hex-digit folders at its top (looked at once): a cache without them costs no second
    /// stat per object that is missing, as every object is during a pull into a fresh clone.
    /// </summary>
    private bool HasLegacyCacheLayout => _hasLegacyCacheLayout ??= Directory.Exists(CacheDirectory)
        && Directory.EnumerateDirectories(CacheDirectory).Any(d => Path.GetFileName(d) is { Length: 2 } name && name.All(char.IsAsciiHexDigitLower));

    private bool InCache(string oid) => FindInCache(oid) is not null;

    /// <summary>
    /// The cache's object folders as they are now (see <see cref="CacheFolders"/>); null when the cache also has DVC 2's
    /// layout, whose folders may hold an object the new layout's lack.
    /// </summary>
    private CacheFolders? SnapshotCacheFolders() => HasLegacyCacheLayout ? null : CacheFolders.Snapshot(ObjectsDirectory);

    /// <summary>The cache's <c>files/md5</c> folder, parent of the 256 object folders.</summary>
    private string ObjectsDirectory => Path.Combine(CacheDirectory, "files", "md5");

    /// <summary>The cache folder of the objects whose md5 starts with these two hex digits.</summary>
    private string CacheFolder(string prefix) => _cacheStore.GetPath(ContentAddressedStore.Prefix + prefix);

    /// <summary>
    /// Stamps the cache folders holding these files' objects (see <see cref="FolderStamp"/>); null when one is missing or
    /// the cache also has DVC 2's layout, where a stamp of the new layout's folders would prove nothing.
    /// </summary>
    private FolderStamp[]? StampCacheFolders(IReadOnlyList<DirectoryEntry> entries)
    {
        if (HasLegacyCacheLayout)
        {
            return null;
        }

        var prefixes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            prefixes.Add(entry.Md5[..2]);
        }

        var stampedAt = StateCache.NowNs();
        var stamps = new FolderStamp[prefixes.Count];
        var i = 0;
        foreach (var prefix in prefixes)
        {
            if (FileStatus.GetFolder(CacheFolder(prefix)) is not { } status)
            {
                return null;
            }

            stamps[i++] = new FolderStamp(prefix, status.Inode, status.MtimeNs, stampedAt);
        }

        return stamps;
    }

    private static bool IsTrue(string? value) => value is not null && (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1" || value.Equals("yes", StringComparison.OrdinalIgnoreCase));

    private IgnoreRules LoadIgnoreRules() => IgnoreRules.Load(Path.Combine(Root, IgnoreRules.DvcIgnoreFileName));

    private Task<RepositoryLock> LockAsync(CancellationToken cancellationToken) =>
        RepositoryLock.AcquireAsync(Path.Combine(DvcDirectory, "tmp", "lock"), _options.LockTimeout, cancellationToken);

    private GitRepository? OpenGit()
    {
        if (!UsesGit)
        {
            return null;
        }

        try
        {
            return GitRepository.Open(Root);
        }
        catch (GitException ex)
        {
            throw new DataVersioningException($"The data repository '{Root}' uses Git, but Git cannot open it: {ex.Message}", ex);
        }
    }

    // ---- pointers in the workspace ----

    /// <summary>An output of a pointer file.</summary>
    internal sealed record Output(string PointerPath, int Index, PointerFile Pointer, PointerOutput Entry, string Path);

    /// <summary>
    /// Every output of every pointer file in the workspace (skipping <c>.git</c>, <c>.dvc</c> and what <c>.dvcignore</c>
    /// matches). A tracked folder is not walked: it holds data, and a pointer inside an output is not allowed (as in DVC).
    /// </summary>
    internal List<Output> LoadWorkspaceOutputs(IgnoreRules rules)
    {
        var outputs = new List<Output>();
        var tracked = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        pending.Push("");
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = true };
        var folders = new List<string>();
        while (pending.Count > 0)
        {
            var folder = pending.Pop();
            folders.Clear();
            foreach (var (name, kind) in ListPointersAndFolders(ToFull(folder), options))
            {
                var relative = Join(folder, name);
                if (kind == EntryKind.Folder)
                {
                    if (name is not (".git" or DvcFolderName) && !rules.IsIgnored(relative, isDirectory: true))
                    {
                        folders.Add(relative);
                    }
                }
                else if (name.EndsWith(PointerFile.Extension, StringComparison.Ordinal) && name.Length > PointerFile.Extension.Length && !rules.IsIgnored(relative))
                {
                    var pointer = PointerFile.Load(ToFull(relative));
                    for (var i = 0; i < pointer.Outputs.Count; i++)
                    {
                        var output = new Output(relative, i, pointer, pointer.Outputs[i], ResolveOutputPath(relative, pointer.Outputs[i]));
                        outputs.Add(output);
                        tracked.Add(output.Path);
                    }
                }
            }

            // After the folder's own pointers: they name the subfolders that are outputs.
            foreach (var subfolder in folders)
            {
                if (!tracked.Contains(subfolder))
                {
                    pending.Push(subfolder);
                }
            }
        }

        outputs.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return outputs;
    }

    private static List<Output> Filter(List<Output> outputs, IReadOnlyList<string> targets, Func<string, string> normalize)
    {
        if (targets.Count == 0)
        {
            return outputs;
        }

        var normalized = targets.Select(normalize).ToArray();
        var selected = outputs.Where(o => normalized.Any(t =>
            t.Length == 0 || o.Path == t || o.PointerPath == t || o.Path.StartsWith(t + "/", StringComparison.Ordinal))).ToList();
        var unmatched = normalized.Where(t => !selected.Any(o => t.Length == 0 || o.Path == t || o.PointerPath == t || o.Path.StartsWith(t + "/", StringComparison.Ordinal))).ToArray();
        if (unmatched.Length > 0)
        {
            throw new DataVersioningException($"No pointer file tracks {string.Join(", ", unmatched.Select(t => $"'{t}'"))}. Add it first, or name a tracked output or its .dvc file.", unmatched);
        }

        return selected;
    }

    // ---- hashing the workspace ----

    /// <summary>The current hash of a workspace output, or null when it does not exist.</summary>
    internal sealed record WorkspaceHash(string Md5, long Size, DirectoryManifest? Manifest, IReadOnlyList<(string Full, string Relative)>? Files);

    internal async Task<WorkspaceHash?> HashWorkspaceAsync(string relative, IgnoreRules rules, IProgress<DataProgress>? progress, CancellationToken cancellationToken)
    {
        var full = ToFull(relative);
        if (Directory.Exists(full))
        {
            var files = EnumerateDataFiles(relative, rules);
            var hashes = await HashFilesAsync(files, progress, cancellationToken).ConfigureAwait(false);
            var entries = new DirectoryEntry[files.Count];
            for (var i = 0; i < entries.Length; i++)
            {
                entries[i] = new DirectoryEntry(files[i].Relative[(relative.Length + 1)..], hashes[i].Md5, hashes[i].Size);
            }

            var manifest = DirectoryManifest.Create(entries);
            return new WorkspaceHash(manifest.Md5, manifest.Size, manifest, files);
        }

        if (FileStatus.Get(full) is null)
        {
            return null;
        }

        var single = await HashFilesAsync([(full, relative)], progress, cancellationToken).ConfigureAwait(false);
        return new WorkspaceHash(single[0].Md5, single[0].Size, null, null);
    }

    /// <summary>The files below a workspace folder that count (not ignored), by full path and path relative to the root, in no set order.</summary>
    /// <remarks>Reads directory listings only (no stat per file). A link to a folder is skipped; a link to a file counts.</remarks>
    internal List<(string Full, string Relative)> EnumerateDataFiles(string folder, IgnoreRules rules)
    {
        var files = new List<(string, string)>();
        var pending = new Stack<string>();
        pending.Push(folder);
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = false };
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            var currentFull = ToFull(current);
            foreach (var (name, kind) in ListFolder(currentFull, options))
            {
                var relative = Join(current, name);
                if (kind == EntryKind.LinkToFolder || rules.IsIgnored(relative, kind == EntryKind.Folder) || (kind == EntryKind.File && IsOurTemporaryFile(name)))
                {
                    continue;
                }

                if (kind == EntryKind.Folder)
                {
                    pending.Push(relative);
                }
                else
                {
                    files.Add((Path.Join(currentFull, name), relative));
                }
            }
        }

        return files;
    }

    private enum EntryKind
    {
        File,
        Folder,
        LinkToFolder,
    }

    private sealed record FolderEntry(string Name, EntryKind Kind);

    /// <summary>
    /// A folder's entries and their kinds, from the directory listing alone: <c>IsDirectory</c> stats only a link (to
    /// follow it), and the attributes (an lstat) are read for folders only, to tell a link to a folder. Entries are a
    /// class, not a tuple: a generic enumerator over a value type would be JIT-compiled in every fresh process.
    /// </summary>
    private static FileSystemEnumerable<FolderEntry> ListFolder(string full, EnumerationOptions options) =>
        new(full, static (ref FileSystemEntry entry) => new FolderEntry(
            entry.FileName.ToString(),
            !entry.IsDirectory ? EntryKind.File
            : (entry.Attributes & FileAttributes.ReparsePoint) != 0 ? EntryKind.LinkToFolder
            : EntryKind.Folder), options);

    /// <summary>
    /// A folder's subfolders and pointer files only: the thousands of data files of a folder not yet tracked (the one
    /// being added) are passed over in the listing, without a string or an entry each.
    /// </summary>
    private static FileSystemEnumerable<FolderEntry> ListPointersAndFolders(string full, EnumerationOptions options)
    {
        var entries = ListFolder(full, options);
        entries.ShouldIncludePredicate = static (ref FileSystemEntry entry) =>
            entry.IsDirectory || entry.FileName.EndsWith(PointerFile.Extension, StringComparison.Ordinal);
        return entries;
    }

    /// <summary>
    /// Whether a file name is one of our temporary names (<c>.name.&lt;32 hex&gt;.tmp</c>), left behind only when a
    /// process was killed mid-write; such a file is never data.
    /// </summary>
    internal static bool IsOurTemporaryFile(string name)
    {
        if (name.Length < 39 || name[0] != '.' || !name.EndsWith(".tmp", StringComparison.Ordinal) || name[^37] != '.')
        {
            return false;
        }

        foreach (var c in name.AsSpan(name.Length - 36, 32))
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Hashes files through the state cache: only files whose inode, mtime or size changed are read.</summary>
    private async Task<(string Md5, long Size)[]> HashFilesAsync(IReadOnlyList<(string Full, string Relative)> files, IProgress<DataProgress>? progress, CancellationToken cancellationToken)
    {
        var results = new (string Md5, long Size)[files.Count];
        var found = new FileStatus?[files.Count];

        // One stat per file, spread over the cores; the md5s of unchanged files come from the state cache.
        Parallel.For(0, files.Count, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            found[i] = FileStatus.Get(files[i].Full);
            if (found[i] is { } status && _state.Lookup(files[i].Relative, status) is { } known)
            {
                results[i] = (known, status.Size);
            }
        });
        // Plain loops, not LINQ over value types: each such generic instantiation is JIT-compiled in a fresh process.
        var statuses = new FileStatus[files.Count];
        var toHash = new List<int>();
        for (var i = 0; i < files.Count; i++)
        {
            statuses[i] = found[i] ?? throw new DataVersioningException($"'{files[i].Relative}' disappeared while it was being hashed. Try again.");
            if (results[i].Md5 is null)
            {
                toHash.Add(i);
            }
        }

        if (toHash.Count > 0)
        {
            var hashedAt = StateCache.NowNs();
            var total = toHash.Count;
            var hashes = await FileHasher.HashFilesAsync(
                toHash.Select(i => files[i].Full).ToArray(),
                progress: progress is null ? null : new SynchronousProgress<int>(n => progress.Report(new DataProgress("hash", n, total))),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _hashCount, toHash.Count);
            for (var k = 0; k < toHash.Count; k++)
            {
                var i = toHash[k];
                results[i] = (hashes[k], statuses[i].Size);
                if (FileStatus.Get(files[i].Full) == statuses[i])
                {
                    _state.Record(files[i].Relative, statuses[i], hashes[k], hashedAt);
                }
            }
        }

        return results;
    }

    /// <summary>Reads a directory manifest (<c>.dir</c> object) and checks that no entry escapes its directory.</summary>
    internal static IReadOnlyList<DirectoryEntry> ParseManifest(ReadOnlySpan<byte> json, string oid)
    {
        var entries = new List<DirectoryEntry>();
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            foreach (var element in document.RootElement.EnumerateArray())
            {
                var md5 = element.GetProperty("md5").GetString() ?? "";
                var relpath = element.GetProperty("relpath").GetString() ?? "";
                if (!IsSafeRelativePath(relpath))
                {
                    throw new DataVersioningException(
                        $"The directory manifest {oid} has an entry '{relpath}' that points outside its directory (absolute, or with '..'). The object is corrupt or hostile and was not used; remove it from the cache and fetch a good copy.");
                }

                if (!ContentAddressedStore.IsValidOid(md5) || md5.EndsWith(DirectoryManifest.DirSuffix, StringComparison.Ordinal))
                {
                    throw new DataVersioningException($"The directory manifest {oid} has an entry '{relpath}' whose md5 '{md5}' is not valid. The object is corrupt; fetch a good copy.");
                }

                entries.Add(new DirectoryEntry(relpath, md5));
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            throw new DataVersioningException($"The directory manifest {oid} is not a valid DVC manifest ({ex.Message}). The object is corrupt; remove it from the cache and fetch a good copy.", ex);
        }

        return entries;
    }

    private static bool IsSafeRelativePath(string path)
    {
        if (path.Length == 0 || path[0] == '/' || path[0] == '\\' || (path.Length > 1 && path[1] == ':') || path.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var segment in path.Split('/', '\\'))
        {
            if (segment is "" or "." or "..")
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads a directory manifest from the cache; null when the cache lacks it.</summary>
    private async Task<IReadOnlyList<DirectoryEntry>?> ReadCachedManifestAsync(string oid, CancellationToken cancellationToken)
    {
        var path = FindInCache(oid);
        if (path is null)
        {
            return null;
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return ParseManifest(bytes, oid);
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread, at once.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private static string Describe(IEnumerable<string> paths, int max = 10)
    {
        var list = paths.ToList();
        var builder = new StringBuilder(string.Join(", ", list.Take(max).Select(p => $"'{p}'")));
        if (list.Count > max)
        {
            builder.Append(" and ").Append(list.Count - max).Append(" more");
        }

        return builder.ToString();
    }
}
