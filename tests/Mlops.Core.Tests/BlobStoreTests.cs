using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Mlops.Core.Storage;

namespace Mlops.Core.Tests;

public sealed class FileSystemBlobStoreConformanceTests : BlobStoreConformanceTests, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    protected override Task<BlobStore> CreateStoreAsync() =>
        Task.FromResult<BlobStore>(new FileSystemBlobStore("local", _temp.Combine("store")));
}

public sealed class MockFileSystemBlobStoreConformanceTests : BlobStoreConformanceTests
{
    private readonly MockFileSystem _fileSystem = new();

    protected override Task<BlobStore> CreateStoreAsync() =>
        Task.FromResult<BlobStore>(new FileSystemBlobStore("mock", new FileSystemBlobStoreOptions { RootPath = "/store" }, _fileSystem));

    protected override Task<string> CreateLocalFileAsync(byte[] content)
    {
        _fileSystem.AddFile("/upload/source.bin", new MockFileData(content));
        return Task.FromResult("/upload/source.bin");
    }

    protected override bool LocalFileExists(string path) => _fileSystem.File.Exists(path);

    protected override void DeleteLocalFile(string path) => _fileSystem.File.Delete(path);
}

public sealed class InMemoryBlobStoreConformanceTests : BlobStoreConformanceTests
{
    protected override Task<BlobStore> CreateStoreAsync() => Task.FromResult<BlobStore>(new InMemoryBlobStore());
}

public sealed class FileSystemBlobStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Read_only_store_makes_objects_read_only_and_can_still_replace_and_delete_them()
    {
        var store = new FileSystemBlobStore("cache", new FileSystemBlobStoreOptions { RootPath = _temp.Combine("cache"), MakeReadOnly = true }, new FileSystem());

        await store.WriteAsync("files/md5/ac/bd", new MemoryStream("foo"u8.ToArray()));
        var path = store.GetPath("files/md5/ac/bd");

        Assert.True(File.GetAttributes(path).HasFlag(FileAttributes.ReadOnly));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(path) & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
        }

        await store.WriteAsync("files/md5/ac/bd", new MemoryStream("bar"u8.ToArray()));
        Assert.Equal("bar", await File.ReadAllTextAsync(path));
        Assert.True(await store.DeleteAsync("files/md5/ac/bd"));
    }

    [Fact]
    public async Task Leftover_temporary_files_from_a_crash_are_never_listed_or_read()
    {
        var store = new FileSystemBlobStore("local", _temp.Combine("store"));
        await store.WriteAsync("data/object", new MemoryStream("whole"u8.ToArray()));

        // What a process killed mid-write leaves behind: a temporary file beside the target.
        var leftover = Path.Combine(_temp.Combine("store", "data"), $".object.{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(leftover, "partial");

        var keys = new List<string>();
        await foreach (var blob in store.ListAsync(""))
        {
            keys.Add(blob.Key);
        }

        Assert.Equal(["data/object"], keys);
        Assert.False(await store.ExistsAsync("data/partial"));
    }

    [Fact]
    public async Task Failed_write_cleans_up_its_temporary_file()
    {
        var store = new FileSystemBlobStore("local", _temp.Combine("store"));

        var error = await Assert.ThrowsAsync<BlobStoreException>(async () => await store.WriteAsync("data/x", new FailingStream(new byte[10_000], failAfter: 5000)));

        Assert.Contains("data/x", error.Message, StringComparison.Ordinal);

        Assert.Empty(Directory.EnumerateFiles(_temp.Combine("store"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Missing_root_path_is_a_clear_error()
    {
        var error = Assert.Throws<ArgumentException>(() => new FileSystemBlobStore("remote", new FileSystemBlobStoreOptions(), new FileSystem()));

        Assert.Contains("remote", error.Message, StringComparison.Ordinal);
        Assert.Contains("RootPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Content_addressed_keys_follow_dvc_3_layout()
    {
        Assert.Equal("files/md5/ac/bd18db4cc2f85cedef654fccc4a4d8", ContentAddressedStore.GetKey("acbd18db4cc2f85cedef654fccc4a4d8"));
        Assert.Equal("files/md5/1a/ca2c799df82929bbdd976557975546.dir", ContentAddressedStore.GetKey("1aca2c799df82929bbdd976557975546.dir"));
        Assert.Throws<ArgumentException>(() => ContentAddressedStore.GetKey("../../etc/passwd"));
        Assert.Throws<ArgumentException>(() => ContentAddressedStore.GetKey("ACBD18DB4CC2F85CEDEF654FCCC4A4D8"));
    }

    [Fact]
    public async Task Directory_manifest_object_is_verified_by_the_md5_of_its_bytes()
    {
        var cas = new ContentAddressedStore(new InMemoryBlobStore());
        var manifest = Hashing.DirectoryManifest.Create([new Hashing.DirectoryEntry("foo", "acbd18db4cc2f85cedef654fccc4a4d8", 3)]);

        await cas.WriteAsync(manifest.Md5, new MemoryStream(manifest.Json.ToArray()));

        Assert.True(await cas.ExistsAsync(manifest.Md5));
    }
}
