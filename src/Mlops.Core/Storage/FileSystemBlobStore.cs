using System.IO.Abstractions;
using System.Runtime.CompilerServices;

namespace Mlops.Core.Storage;

/// <summary>Options of a <see cref="FileSystemBlobStore"/>.</summary>
public sealed class FileSystemBlobStoreOptions
{
    /// <summary>The folder that holds the objects; created on the first write.</summary>
    public string RootPath { get; set; } = "";

    /// <summary>Makes every written object read-only, as DVC does with its cache, so an edit through a link cannot corrupt it.</summary>
    public bool MakeReadOnly { get; set; }

    /// <summary>
    /// Flushes every object to the disk before it gets its final name, so that it also survives a power loss. Off by
    /// default, as in DVC: a killed process never leaves a partial object either way (temporary name, then rename), and
    /// one disk flush per object makes pushing thousands of small files many times slower.
    /// </summary>
    public bool FlushToDisk { get; set; }
}

/// <summary>
/// A <see cref="BlobStore"/> on a folder, through <see cref="IFileSystem"/>. Keys map to paths below
/// the root. A write goes to a temporary file beside its target (flushed to disk with
/// <see cref="FileSystemBlobStoreOptions.FlushToDisk"/>), then is renamed over the target, so a killed
/// process never leaves a partial object under its final name.
/// </summary>
public sealed class FileSystemBlobStore : BlobStore
{
    private const string Backend = "File system";
    private const string TempSuffix = ".tmp";

    private readonly IFileSystem _fileSystem;
    private readonly string _root;
    private readonly bool _makeReadOnly;
    private readonly bool _flushToDisk;

    /// <summary>Creates a store on the local disk.</summary>
    public FileSystemBlobStore(string name, string rootPath)
        : this(name, new FileSystemBlobStoreOptions { RootPath = rootPath }, new FileSystem())
    {
    }

    /// <summary>Creates a store on <paramref name="fileSystem"/>.</summary>
    public FileSystemBlobStore(string name, FileSystemBlobStoreOptions options, IFileSystem fileSystem)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(fileSystem);
        if (string.IsNullOrWhiteSpace(options.RootPath))
        {
            throw new ArgumentException($"The file-system blob store '{name}' needs a RootPath.", nameof(options));
        }

        Name = name;
        _fileSystem = fileSystem;
        _root = fileSystem.Path.GetFullPath(options.RootPath);
        _makeReadOnly = options.MakeReadOnly;
        _flushToDisk = options.FlushToDisk;
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <summary>The full path of the root folder.</summary>
    public string RootPath => _root;

    /// <summary>The full path where the object under <paramref name="key"/> lives, for callers that link files instead of copying them.</summary>
    public string GetPath(string key)
    {
        BlobKey.Validate(key);
        return _fileSystem.Path.Combine(_root, key.Replace('/', _fileSystem.Path.DirectorySeparatorChar));
    }

    /// <inheritdoc />
    public override ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_fileSystem.File.Exists(GetPath(key)));

    /// <inheritdoc />
    public override ValueTask<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default)
    {
        var info = _fileSystem.FileInfo.New(GetPath(key));
        return ValueTask.FromResult(info.Exists ? new BlobInfo(key, info.Length) : null);
    }

    /// <inheritdoc />
    public override ValueTask<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = GetPath(key);
        try
        {
            Stream stream = _fileSystem.FileStream.New(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return ValueTask.FromResult(stream);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(Backend, Name, key, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BlobStoreException(Backend, Name, key, $"cannot read '{path}': {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        await WriteAtomicallyAsync(key, async temp =>
        {
            var stream = _fileSystem.FileStream.New(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await content.CopyToAsync(stream, 1 << 20, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (_flushToDisk)
                {
                    stream.Flush(flushToDisk: true);
                }
            }
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async ValueTask UploadFileAsync(string key, string path, CancellationToken cancellationToken = default)
    {
        // A file copy lets the OS copy in the kernel (copy_file_range) instead of through our buffers.
        await WriteAtomicallyAsync(key, temp =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            _fileSystem.File.Copy(path, temp);
            if (_flushToDisk)
            {
                using var stream = _fileSystem.FileStream.New(temp, FileMode.Open, FileAccess.ReadWrite);
                stream.Flush(flushToDisk: true);
            }

            return Task.CompletedTask;
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<BlobInfo> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        BlobKey.ValidatePrefix(prefix);
        var slash = prefix.LastIndexOf('/');
        var folder = slash < 0 ? _root : _fileSystem.Path.Combine(_root, prefix[..slash]);
        if (!_fileSystem.Directory.Exists(folder))
        {
            yield break;
        }

        var separator = _fileSystem.Path.DirectorySeparatorChar;
        foreach (var file in _fileSystem.DirectoryInfo.New(folder).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (IsTemporary(file.Name))
            {
                continue;
            }

            var key = _fileSystem.Path.GetRelativePath(_root, file.FullName).Replace(separator, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return new BlobInfo(key, file.Length);
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = GetPath(key);
        try
        {
            if (!_fileSystem.File.Exists(path))
            {
                return ValueTask.FromResult(false);
            }

            // Read-only objects must be made writable first where the OS insists (Windows).
            _fileSystem.File.SetAttributes(path, FileAttributes.Normal);
            _fileSystem.File.Delete(path);
            return ValueTask.FromResult(true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BlobStoreException(Backend, Name, key, $"cannot delete '{path}': {ex.Message}", ex);
        }
    }

    private async Task WriteAtomicallyAsync(string key, Func<string, Task> writeTemporary)
    {
        var path = GetPath(key);
        var directory = _fileSystem.Path.GetDirectoryName(path)!;
        var temp = _fileSystem.Path.Combine(directory, $".{_fileSystem.Path.GetFileName(path)}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            _fileSystem.Directory.CreateDirectory(directory);
            await writeTemporary(temp).ConfigureAwait(false);
            if (_makeReadOnly)
            {
                _fileSystem.File.SetAttributes(temp, FileAttributes.ReadOnly);
            }

            _fileSystem.File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex)
        {
            TryDelete(temp);
            if (ex is IOException or UnauthorizedAccessException)
            {
                throw new BlobStoreException(Backend, Name, key, $"cannot write '{path}': {ex.Message}", ex);
            }

            throw;
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            if (_fileSystem.File.Exists(path))
            {
                _fileSystem.File.SetAttributes(path, FileAttributes.Normal);
                _fileSystem.File.Delete(path);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary file is never read as an object.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static bool IsTemporary(string fileName) =>
        fileName.StartsWith('.') && fileName.EndsWith(TempSuffix, StringComparison.Ordinal) && fileName.Length > 34;
}
