using System.Security.Cryptography;
using Mlops.Core.Storage;

namespace Mlops.Conformance;

/// <summary>
/// The behaviour every <see cref="BlobStore"/> must show. A backend's test class derives from this,
/// creates a fresh, empty store in <see cref="CreateStoreAsync"/>, and runs every test here unchanged.
/// </summary>
public abstract class BlobStoreConformanceTests : IAsyncLifetime
{
    private BlobStore? _store;

    /// <summary>The store under test, fresh and empty for each test.</summary>
    protected BlobStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>Creates a new, empty store (for example on a fresh container or bucket prefix).</summary>
    protected abstract Task<BlobStore> CreateStoreAsync();

    /// <summary>Removes what <see cref="CreateStoreAsync"/> made, if anything.</summary>
    protected virtual Task DisposeStoreAsync(BlobStore store) => Task.CompletedTask;

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await DisposeStoreAsync(_store);
        }
    }

    [Fact]
    public async Task Written_object_reads_back_byte_for_byte()
    {
        var content = RandomBytes(300_000);
        await Store.WriteAsync("a/b/object.bin", new MemoryStream(content));

        Assert.Equal(content, await ReadAllAsync("a/b/object.bin"));
    }

    [Fact]
    public async Task Empty_object_round_trips()
    {
        await Store.WriteAsync("empty", new MemoryStream());

        Assert.True(await Store.ExistsAsync("empty"));
        Assert.Empty(await ReadAllAsync("empty"));
        Assert.Equal(0, (await Store.GetInfoAsync("empty"))!.Size);
    }

    [Fact]
    public async Task Large_object_round_trips_from_a_non_seekable_stream()
    {
        var content = RandomBytes(9 * 1024 * 1024 + 17);
        await Store.WriteAsync("large/object", new NonSeekableStream(content));

        var read = await ReadAllAsync("large/object");
        Assert.Equal(content.Length, read.Length);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(read));
    }

    [Fact]
    public async Task Exists_and_info_tell_present_from_missing()
    {
        await Store.WriteAsync("present", new MemoryStream(new byte[] { 1, 2, 3 }));

        Assert.True(await Store.ExistsAsync("present"));
        Assert.False(await Store.ExistsAsync("missing"));
        Assert.Equal(new BlobInfo("present", 3), await Store.GetInfoAsync("present"));
        Assert.Null(await Store.GetInfoAsync("missing"));
    }

    [Fact]
    public async Task Reading_a_missing_key_throws_not_found_naming_the_key()
    {
        var error = await Assert.ThrowsAsync<BlobNotFoundException>(async () => await Store.OpenReadAsync("no/such/key"));

        Assert.Contains("no/such/key", error.Message, StringComparison.Ordinal);
        Assert.Contains(Store.Name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overwrite_replaces_the_whole_object()
    {
        await Store.WriteAsync("key", new MemoryStream(RandomBytes(10_000)));
        var second = RandomBytes(100);
        await Store.WriteAsync("key", new MemoryStream(second));

        Assert.Equal(second, await ReadAllAsync("key"));
    }

    [Fact]
    public async Task Failed_write_leaves_no_object_and_keeps_the_old_one()
    {
        var original = RandomBytes(1000);
        await Store.WriteAsync("kept", new MemoryStream(original));

        await Assert.ThrowsAnyAsync<Exception>(async () => await Store.WriteAsync("kept", new FailingStream(RandomBytes(200_000), failAfter: 100_000)));
        await Assert.ThrowsAnyAsync<Exception>(async () => await Store.WriteAsync("never", new FailingStream(RandomBytes(200_000), failAfter: 100_000)));

        Assert.Equal(original, await ReadAllAsync("kept"));
        Assert.False(await Store.ExistsAsync("never"));
        Assert.DoesNotContain(await ListKeysAsync(""), k => k != "kept");
    }

    [Fact]
    public async Task List_by_prefix_returns_exactly_the_matching_keys_with_sizes()
    {
        await Store.WriteAsync("files/md5/aa/1", new MemoryStream(new byte[1]));
        await Store.WriteAsync("files/md5/aa/2", new MemoryStream(new byte[2]));
        await Store.WriteAsync("files/md5/ab/3", new MemoryStream(new byte[3]));
        await Store.WriteAsync("other/4", new MemoryStream(new byte[4]));

        Assert.Equal(["files/md5/aa/1", "files/md5/aa/2"], await ListKeysAsync("files/md5/aa/"));
        Assert.Equal(["files/md5/aa/1", "files/md5/aa/2", "files/md5/ab/3"], await ListKeysAsync("files/md5/a"));
        Assert.Equal(["files/md5/aa/1", "files/md5/aa/2", "files/md5/ab/3", "other/4"], await ListKeysAsync(""));
        Assert.Empty(await ListKeysAsync("nothing/"));

        var sizes = new Dictionary<string, long>();
        await foreach (var blob in Store.ListAsync("files/"))
        {
            sizes[blob.Key] = blob.Size;
        }

        Assert.Equal(3, sizes["files/md5/ab/3"]);
    }

    [Fact]
    public async Task Delete_removes_the_object_and_reports_whether_it_existed()
    {
        await Store.WriteAsync("doomed", new MemoryStream(new byte[] { 42 }));

        Assert.True(await Store.DeleteAsync("doomed"));
        Assert.False(await Store.ExistsAsync("doomed"));
        Assert.False(await Store.DeleteAsync("doomed"));
        Assert.Empty(await ListKeysAsync(""));
    }

    [Fact]
    public async Task Keys_with_spaces_and_non_ascii_characters_round_trip()
    {
        const string key = "dir with space/données-😀.csv";
        await Store.WriteAsync(key, new MemoryStream("x,y\n1,2\n"u8.ToArray()));

        Assert.Equal("x,y\n1,2\n"u8.ToArray(), await ReadAllAsync(key));
        Assert.Equal([key], await ListKeysAsync("dir with space/"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/absolute")]
    [InlineData("../escape")]
    [InlineData("a/../../b")]
    [InlineData("a//b")]
    [InlineData("back\\slash")]
    public async Task Invalid_keys_are_rejected_and_nothing_is_written(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.WriteAsync(key, new MemoryStream(new byte[] { 1 })));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.OpenReadAsync(key));

        Assert.Empty(await ListKeysAsync(""));
    }

    [Fact]
    public async Task Concurrent_writes_of_different_keys_all_land()
    {
        var contents = Enumerable.Range(0, 32).Select(i => RandomBytes(1000 + i)).ToArray();

        await Task.WhenAll(contents.Select((c, i) => Store.WriteAsync($"concurrent/{i:D2}", new MemoryStream(c)).AsTask()));

        for (var i = 0; i < contents.Length; i++)
        {
            Assert.Equal(contents[i], await ReadAllAsync($"concurrent/{i:D2}"));
        }
    }

    [Fact]
    public async Task Concurrent_writes_of_one_key_leave_one_whole_version()
    {
        var contents = Enumerable.Range(0, 8).Select(i => Enumerable.Repeat((byte)i, 64 * 1024).ToArray()).ToArray();

        await Task.WhenAll(contents.Select(c => Store.WriteAsync("contended", new MemoryStream(c)).AsTask()));

        var read = await ReadAllAsync("contended");
        Assert.Contains(contents, c => c.AsSpan().SequenceEqual(read));
    }

    [Fact]
    public async Task Upload_file_stores_the_file_contents()
    {
        var content = RandomBytes(70_000);
        var path = await CreateLocalFileAsync(content);

        await Store.UploadFileAsync("uploaded/file", path);

        Assert.Equal(content, await ReadAllAsync("uploaded/file"));
        Assert.True(LocalFileExists(path), "uploading must never move or delete the source file");
        DeleteLocalFile(path);
    }

    [Fact]
    public async Task Content_addressed_layer_uses_dvc_layout_and_rejects_corrupt_content()
    {
        var cas = new ContentAddressedStore(Store);
        await cas.WriteAsync("acbd18db4cc2f85cedef654fccc4a4d8", new MemoryStream("foo"u8.ToArray()));

        Assert.True(await Store.ExistsAsync("files/md5/ac/bd18db4cc2f85cedef654fccc4a4d8"));
        await Assert.ThrowsAsync<ContentHashMismatchException>(async () =>
            await cas.WriteAsync("37b51d194a7513e45b56f6524f2d51f2", new MemoryStream("not bar"u8.ToArray())));
        Assert.False(await cas.ExistsAsync("37b51d194a7513e45b56f6524f2d51f2"));

        var oids = new List<string>();
        await foreach (var oid in cas.ListOidsAsync())
        {
            oids.Add(oid);
        }

        Assert.Equal(["acbd18db4cc2f85cedef654fccc4a4d8"], oids);
    }

    /// <summary>Writes a file for <see cref="BlobStore.UploadFileAsync"/> to read, on the file system the store reads from.</summary>
    protected virtual async Task<string> CreateLocalFileAsync(byte[] content)
    {
        var path = Path.Combine(Path.GetTempPath(), "mlops-upload-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(path, content);
        return path;
    }

    /// <summary>Says whether the file made by <see cref="CreateLocalFileAsync"/> still exists.</summary>
    protected virtual bool LocalFileExists(string path) => File.Exists(path);

    /// <summary>Removes the file made by <see cref="CreateLocalFileAsync"/>.</summary>
    protected virtual void DeleteLocalFile(string path) => File.Delete(path);

    /// <summary>Reads the whole object.</summary>
    protected async Task<byte[]> ReadAllAsync(string key)
    {
        var stream = await Store.OpenReadAsync(key);
        await using (stream)
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer);
            return buffer.ToArray();
        }
    }

    /// <summary>Lists the keys under a prefix, sorted ordinally.</summary>
    protected async Task<List<string>> ListKeysAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var blob in Store.ListAsync(prefix))
        {
            keys.Add(blob.Key);
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    /// <summary>Random bytes of the given length.</summary>
    protected static byte[] RandomBytes(int length) => RandomNumberGenerator.GetBytes(length);
}
