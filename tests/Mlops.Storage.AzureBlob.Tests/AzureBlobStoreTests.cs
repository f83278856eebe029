using System.Net.Sockets;
using Azure;
using Mlops.Conformance;
using Mlops.Core.Resilience;
using Mlops.Core.Storage;

namespace Mlops.Storage.AzureBlob.Tests;

/// <summary>Retries, failures and the lazily created container, against Azurite with faults injected between the SDK and the server.</summary>
public sealed class AzureBlobStoreTests : IAsyncLifetime
{
    private const string Key = "data/object.bin";
    private readonly string _container = Azurite.NewContainerName();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Azurite.DeleteContainerAsync(_container);

    [Theory]
    [InlineData(Fault.ServiceUnavailable, false)]
    [InlineData(Fault.ServiceUnavailable, true)]
    [InlineData(Fault.ConnectionReset, false)]
    [InlineData(Fault.ConnectionReset, true)]
    public async Task Write_survives_transient_failures_and_the_server_stores_it_once(Fault fault, bool nonSeekableSource)
    {
        var (store, handler, keyPath) = CreateStore(Fault: fault, FailFirst: 2, Method: HttpMethod.Put);
        var content = RandomBytes(300_000);

        // The container exists already, so every PUT of the key below is an attempt to write it.
        await Azurite.Service().GetBlobContainerClient(_container).CreateIfNotExistsAsync();

        await store.WriteAsync(Key, nonSeekableSource ? new NonSeekableStream(content) : new MemoryStream(content));

        Assert.Equal(2, handler.FaultsInjected);
        Assert.Equal(1, handler.Count(HttpMethod.Put, keyPath, status => status is >= 200 and < 300));
        Assert.Equal(3, handler.Count(HttpMethod.Put, keyPath, _ => true));
        Assert.Equal(content, await ReadAllAsync(store, Key));
    }

    [Fact]
    public async Task Large_non_seekable_write_is_buffered_and_sent_whole_on_every_attempt()
    {
        // Above the single-request size: blocks, then a block list that commits them; the first blocks fail.
        var (store, handler, _) = CreateStore(Fault: Fault.ServiceUnavailable, FailFirst: 2, Method: HttpMethod.Put);
        var content = RandomBytes((9 * 1024 * 1024) + 5);

        await store.WriteAsync(Key, new NonSeekableStream(content));

        Assert.Equal(2, handler.FaultsInjected);
        Assert.Equal(content, await ReadAllAsync(store, Key));
        Assert.Equal([new BlobInfo(Key, content.Length)], await ListAsync(store));
    }

    [Fact]
    public async Task Read_resumes_where_a_dropped_connection_left_off()
    {
        var (store, handler, keyPath) = CreateStore(Fault: Fault.CutBody, FailFirst: 1, Method: HttpMethod.Get);
        var content = RandomBytes(1_000_000);
        await store.WriteAsync(Key, new MemoryStream(content));

        Assert.Equal(content, await ReadAllAsync(store, Key));
        Assert.Equal(1, handler.FaultsInjected);
        Assert.Equal(2, handler.Count(HttpMethod.Get, keyPath, status => status is 200 or 206));
    }

    [Fact]
    public async Task Forbidden_write_fails_at_once_with_a_message_naming_backend_store_and_key()
    {
        var (store, handler, keyPath) = CreateStore(Fault: Fault.Forbidden, FailFirst: int.MaxValue, Method: HttpMethod.Put);

        var error = await Assert.ThrowsAsync<BlobStoreException>(async () => await store.WriteAsync(Key, new MemoryStream(RandomBytes(100))));

        Assert.Contains("Azure Blob", error.Message, StringComparison.Ordinal);
        Assert.Contains("'faulty'", error.Message, StringComparison.Ordinal);
        Assert.Contains(Key, error.Message, StringComparison.Ordinal);
        Assert.Contains("403", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, handler.Count(HttpMethod.Put, keyPath, _ => true));
    }

    [Fact]
    public async Task Wrong_account_key_is_reported_as_denied_and_not_retried()
    {
        var wrongKey = Azurite.ConnectionString.Split(';')
            .Select(part => part.StartsWith("AccountKey=", StringComparison.Ordinal) ? "AccountKey=" + Convert.ToBase64String(RandomBytes(64)) : part);
        var handler = new FaultInjectingHandler(_ => false, Fault.ServiceUnavailable, 0);
        var container = Azurite.Service(handler, string.Join(';', wrongKey)).GetBlobContainerClient(_container);
        var store = new AzureBlobStore("wrong-key", container, "", RemoteResiliencePipeline.Create(Azurite.FastRetries, AzureBlobStore.IsTransient));

        var error = await Assert.ThrowsAsync<BlobStoreException>(async () => await store.WriteAsync(Key, new MemoryStream(RandomBytes(100))));

        Assert.Contains("Azure Blob store 'wrong-key'", error.Message, StringComparison.Ordinal);
        Assert.Contains(Key, error.Message, StringComparison.Ordinal);
        Assert.Contains("account key", error.Message, StringComparison.Ordinal);
        Assert.Single(handler.Requests);
        Assert.Equal(403, handler.Requests.Single().Status);
    }

    [Fact]
    public async Task Failing_source_is_not_retried_and_nothing_is_written()
    {
        var (store, handler, keyPath) = CreateStore(Fault: Fault.ServiceUnavailable, FailFirst: 0, Method: HttpMethod.Put);

        var error = await Assert.ThrowsAsync<BlobStoreException>(async () => await store.WriteAsync(Key, new FailingStream(RandomBytes(10_000), failAfter: 5_000)));

        Assert.Contains(Key, error.Message, StringComparison.Ordinal);
        Assert.IsType<IOException>(error.InnerException);
        Assert.Equal(0, handler.Count(HttpMethod.Put, keyPath, _ => true));
    }

    [Fact]
    public async Task Container_is_created_by_the_first_write_and_never_by_the_constructor_or_reads()
    {
        var container = Azurite.Service().GetBlobContainerClient(_container);
        var store = new AzureBlobStore("lazy", new AzureBlobStoreOptions { ConnectionString = Azurite.ConnectionString, Container = _container, Prefix = "team/dvc" });

        Assert.False(await store.ExistsAsync(Key));
        Assert.Null(await store.GetInfoAsync(Key));
        Assert.Empty(await ListAsync(store));
        Assert.False(await store.DeleteAsync(Key));
        await Assert.ThrowsAsync<BlobNotFoundException>(async () => await store.OpenReadAsync(Key));
        Assert.False((await container.ExistsAsync()).Value);

        await store.WriteAsync(Key, new MemoryStream("hello"u8.ToArray()));

        Assert.True((await container.GetBlobClient("team/dvc/" + Key).ExistsAsync()).Value);
        Assert.Equal("team/dvc/", store.Prefix);
    }

    [Fact]
    public async Task Content_addressed_store_on_azure_writes_lists_and_reads_objects()
    {
        var store = new AzureBlobStore("cas", new AzureBlobStoreOptions { ConnectionString = Azurite.ConnectionString, Container = _container, Prefix = "remote" });
        var cas = new ContentAddressedStore(store);

        await cas.WriteAsync("acbd18db4cc2f85cedef654fccc4a4d8", new NonSeekableStream("foo"u8.ToArray()));
        await cas.WriteAsync("37b51d194a7513e45b56f6524f2d51f2", new MemoryStream("bar"u8.ToArray()));

        var oids = new List<string>();
        await foreach (var oid in cas.ListOidsAsync())
        {
            oids.Add(oid);
        }

        oids.Sort(StringComparer.Ordinal);
        Assert.Equal(["37b51d194a7513e45b56f6524f2d51f2", "acbd18db4cc2f85cedef654fccc4a4d8"], oids);
        Assert.True((await Azurite.Service().GetBlobContainerClient(_container).GetBlobClient("remote/files/md5/ac/bd18db4cc2f85cedef654fccc4a4d8").ExistsAsync()).Value);
        await using var read = await cas.OpenReadAsync("acbd18db4cc2f85cedef654fccc4a4d8");
        using var text = new StreamReader(read);
        Assert.Equal("foo", await text.ReadToEndAsync());
    }

    [Fact]
    public async Task Listing_pages_through_more_than_one_page()
    {
        var store = new AzureBlobStore("paged", new AzureBlobStoreOptions { ConnectionString = Azurite.ConnectionString, Container = _container });
        var keys = Enumerable.Range(0, 1005).Select(i => $"many/{i:D4}").ToList();
        foreach (var chunk in keys.Chunk(50))
        {
            await Task.WhenAll(chunk.Select(k => store.WriteAsync(k, new MemoryStream([1])).AsTask()));
        }

        var listed = (await ListAsync(store)).Select(b => b.Key).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(keys, listed);
    }

    [Fact]
    public void Only_transient_failures_are_retried()
    {
        Assert.True(AzureBlobStore.IsTransient(new RequestFailedException(503, "busy")));
        Assert.True(AzureBlobStore.IsTransient(new RequestFailedException(429, "throttled")));
        Assert.True(AzureBlobStore.IsTransient(new RequestFailedException(0, "no response", new HttpRequestException("reset", new IOException()))));
        Assert.True(AzureBlobStore.IsTransient(new HttpRequestException("reset")));
        Assert.True(AzureBlobStore.IsTransient(new SocketException()));
        Assert.False(AzureBlobStore.IsTransient(new RequestFailedException(403, "denied")));
        Assert.False(AzureBlobStore.IsTransient(new RequestFailedException(404, "missing")));
        Assert.False(AzureBlobStore.IsTransient(new RequestFailedException(409, "conflict")));
        Assert.False(AzureBlobStore.IsTransient(new ArgumentException("bad")));
    }

    private (AzureBlobStore Store, FaultInjectingHandler Handler, string KeyPath) CreateStore(Fault Fault, int FailFirst, HttpMethod Method)
    {
        var container = Azurite.Service().GetBlobContainerClient(_container);
        var keyPath = Uri.UnescapeDataString(container.GetBlobClient(Key).Uri.AbsolutePath);

        // Faults hit only requests for the object (and, for large uploads, its blocks), never the container's creation.
        var handler = new FaultInjectingHandler(
            request => request.Method == Method && Uri.UnescapeDataString(request.RequestUri!.AbsolutePath) == keyPath,
            Fault,
            FailFirst);
        var faulty = Azurite.Service(handler).GetBlobContainerClient(_container);
        return (new AzureBlobStore("faulty", faulty, "", RemoteResiliencePipeline.Create(Azurite.FastRetries, AzureBlobStore.IsTransient)), handler, keyPath);
    }

    private static async Task<byte[]> ReadAllAsync(BlobStore store, string key)
    {
        var stream = await store.OpenReadAsync(key);
        await using (stream)
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer);
            return buffer.ToArray();
        }
    }

    private static async Task<List<BlobInfo>> ListAsync(BlobStore store)
    {
        var list = new List<BlobInfo>();
        await foreach (var blob in store.ListAsync())
        {
            list.Add(blob);
        }

        return list;
    }

    private static byte[] RandomBytes(int length) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(length);
}
