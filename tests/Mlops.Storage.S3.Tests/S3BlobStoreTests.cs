using System.Net;
using System.Net.Sockets;
using Amazon.S3;
using Mlops.Conformance;
using Mlops.Core.Resilience;
using Mlops.Core.Storage;

namespace Mlops.Storage.S3.Tests;

/// <summary>Retries, failures and the lazily created bucket, against s3rver with faults injected between the SDK and the server.</summary>
public sealed class S3BlobStoreTests : IAsyncLifetime
{
    private const string Key = "data/object.bin";
    private readonly string _bucket = S3rver.NewBucketName();

    private string KeyPath => $"/{_bucket}/{Key}";

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => S3rver.DeleteBucketAsync(_bucket);

    [Theory]
    [InlineData(Fault.ServiceUnavailable, false)]
    [InlineData(Fault.ServiceUnavailable, true)]
    [InlineData(Fault.ConnectionReset, false)]
    [InlineData(Fault.ConnectionReset, true)]
    public async Task Write_survives_transient_failures_and_the_server_stores_it_once(Fault fault, bool nonSeekableSource)
    {
        // The bucket exists already, so every PUT of the key below is an attempt to write it.
        using (var client = S3rver.Client())
        {
            await client.PutBucketAsync(_bucket);
        }

        var (store, handler) = CreateStore(fault, failFirst: 2, HttpMethod.Put);
        var content = RandomBytes(300_000);

        await store.WriteAsync(Key, nonSeekableSource ? new NonSeekableStream(content) : new MemoryStream(content));

        Assert.Equal(2, handler.FaultsInjected);
        Assert.Equal(1, handler.Count(HttpMethod.Put, KeyPath, status => status is >= 200 and < 300));
        Assert.Equal(3, handler.Count(HttpMethod.Put, KeyPath, _ => true));
        Assert.Equal(content, await ReadAllAsync(store, Key));
    }

    [Fact]
    public async Task Large_non_seekable_write_is_buffered_to_disk_and_sent_whole_on_every_attempt()
    {
        var (store, handler) = CreateStore(Fault.ConnectionReset, failFirst: 2, HttpMethod.Put);
        var content = RandomBytes((9 * 1024 * 1024) + 5);

        await store.WriteAsync(Key, new NonSeekableStream(content));

        Assert.Equal(2, handler.FaultsInjected);
        Assert.Equal(1, handler.Count(HttpMethod.Put, KeyPath, status => status is >= 200 and < 300));
        Assert.Equal(content, await ReadAllAsync(store, Key));
        Assert.Equal([new BlobInfo(Key, content.Length)], await ListAsync(store));
    }

    [Fact]
    public async Task Read_resumes_where_a_dropped_connection_left_off()
    {
        var (store, handler) = CreateStore(Fault.CutBody, failFirst: 1, HttpMethod.Get);
        var content = RandomBytes(1_000_000);
        await store.WriteAsync(Key, new MemoryStream(content));

        Assert.Equal(content, await ReadAllAsync(store, Key));
        Assert.Equal(1, handler.FaultsInjected);
        Assert.Equal(2, handler.Count(HttpMethod.Get, KeyPath, status => status is 200 or 206));
    }

    [Fact]
    public async Task Forbidden_write_fails_at_once_with_a_message_naming_backend_store_and_key()
    {
        var (store, handler) = CreateStore(Fault.Forbidden, failFirst: int.MaxValue, HttpMethod.Put);

        var error = await Assert.ThrowsAsync<BlobStoreException>(async () => await store.WriteAsync(Key, new MemoryStream(RandomBytes(100))));

        Assert.Contains("S3 store 'faulty'", error.Message, StringComparison.Ordinal);
        Assert.Contains(Key, error.Message, StringComparison.Ordinal);
        Assert.Contains("403", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, handler.Count(HttpMethod.Put, KeyPath, _ => true));
    }

    [Fact]
    public async Task Wrong_access_key_is_reported_as_denied_and_not_retried()
    {
        using (var client = S3rver.Client())
        {
            await client.PutBucketAsync(_bucket);
        }

        var handler = new FaultInjectingHandler(_ => false, Fault.ServiceUnavailable, 0);
        var store = new S3BlobStore("wrong-key", S3rver.Client(handler, accessKey: "WRONGKEY"), _bucket, "", RemoteResiliencePipeline.Create(S3rver.FastRetries, S3BlobStore.IsTransient));

        var error = await Assert.ThrowsAsync<BlobStoreException>(async () => await store.WriteAsync(Key, new MemoryStream(RandomBytes(100))));

        Assert.Contains("S3 store 'wrong-key'", error.Message, StringComparison.Ordinal);
        Assert.Contains(Key, error.Message, StringComparison.Ordinal);
        Assert.Contains("access key", error.Message, StringComparison.Ordinal);
        Assert.Single(handler.Requests);
        Assert.Equal(403, handler.Requests.Single().Status);
    }

    [Fact]
    public async Task Failing_source_is_not_retried_and_nothing_is_written()
    {
        var (store, handler) = CreateStore(Fault.ServiceUnavailable, failFirst: 0, HttpMethod.Put);

        var error = await Assert.ThrowsAsync<BlobStoreException>(async () => await store.WriteAsync(Key, new FailingStream(RandomBytes(10_000), failAfter: 5_000)));

        Assert.Contains(Key, error.Message, StringComparison.Ordinal);
        Assert.IsType<IOException>(error.InnerException);
        Assert.Equal(0, handler.Count(HttpMethod.Put, KeyPath, _ => true));
    }

    [Fact]
    public async Task Bucket_is_created_by_the_first_write_and_never_by_the_constructor_or_reads()
    {
        using var client = S3rver.Client();
        var store = new S3BlobStore("lazy", S3rver.Options(_bucket, "team/dvc"));

        Assert.False(await store.ExistsAsync(Key));
        Assert.Null(await store.GetInfoAsync(Key));
        Assert.Empty(await ListAsync(store));
        Assert.False(await store.DeleteAsync(Key));
        await Assert.ThrowsAsync<BlobNotFoundException>(async () => await store.OpenReadAsync(Key));
        Assert.DoesNotContain((await client.ListBucketsAsync()).Buckets ?? [], b => b.BucketName == _bucket);

        await store.WriteAsync(Key, new MemoryStream("hello"u8.ToArray()));

        Assert.Equal(5, (await client.GetObjectMetadataAsync(_bucket, "team/dvc/" + Key)).ContentLength);
        Assert.Equal("team/dvc/", store.Prefix);
    }

    [Fact]
    public async Task Content_addressed_store_on_s3_writes_lists_and_reads_objects()
    {
        var store = new S3BlobStore("cas", S3rver.Options(_bucket, "remote"));
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
        using var client = S3rver.Client();
        Assert.Equal(3, (await client.GetObjectMetadataAsync(_bucket, "remote/files/md5/ac/bd18db4cc2f85cedef654fccc4a4d8")).ContentLength);
        await using var read = await cas.OpenReadAsync("acbd18db4cc2f85cedef654fccc4a4d8");
        using var text = new StreamReader(read);
        Assert.Equal("foo", await text.ReadToEndAsync());
    }

    [Fact]
    public async Task Listing_pages_through_more_than_one_page()
    {
        var store = new S3BlobStore("paged", S3rver.Options(_bucket));
        var keys = Enumerable.Range(0, 1005).Select(i => $"many/{i:D4}").ToList();
        foreach (var chunk in keys.Chunk(50))
        {
            await Task.WhenAll(chunk.Select(k => store.WriteAsync(k, new MemoryStream([1])).AsTask()));
        }

        List<string> listed;
        try
        {
            listed = (await ListAsync(store)).Select(b => b.Key).Order(StringComparer.Ordinal).ToList();
        }
        catch (BlobStoreException ex) when (ex.InnerException is AmazonS3Exception { ErrorCode: "InternalError" })
        {
            // s3rver enciphers continuation tokens with DES, which Node 17+ refuses unless the legacy OpenSSL provider is on.
            Assert.Fail("s3rver could not page (HTTP 500 on a truncated listing): start it with NODE_OPTIONS=--openssl-legacy-provider, as ./eng/test.sh should. " + ex.Message);
            throw;
        }

        Assert.Equal(keys, listed);
    }

    [Fact]
    public void Only_transient_failures_are_retried()
    {
        Assert.True(S3BlobStore.IsTransient(new AmazonS3Exception("busy") { StatusCode = HttpStatusCode.ServiceUnavailable }));
        Assert.True(S3BlobStore.IsTransient(new AmazonS3Exception("slow down") { StatusCode = (HttpStatusCode)429 }));
        Assert.True(S3BlobStore.IsTransient(new AmazonS3Exception("internal") { StatusCode = HttpStatusCode.InternalServerError }));
        Assert.True(S3BlobStore.IsTransient(new HttpRequestException("reset", new IOException())));
        Assert.True(S3BlobStore.IsTransient(new SocketException()));
        Assert.True(S3BlobStore.IsTransient(new TimeoutException("the HTTP client gave up", new TaskCanceledException())));
        Assert.False(S3BlobStore.IsTransient(new AmazonS3Exception("denied") { StatusCode = HttpStatusCode.Forbidden }));
        Assert.False(S3BlobStore.IsTransient(new AmazonS3Exception("missing") { StatusCode = HttpStatusCode.NotFound }));
        Assert.False(S3BlobStore.IsTransient(new ArgumentException("bad")));
    }

    private (S3BlobStore Store, FaultInjectingHandler Handler) CreateStore(Fault fault, int failFirst, HttpMethod method)
    {
        var keyPath = KeyPath;

        // Faults hit only requests for the object, never the bucket's creation.
        var handler = new FaultInjectingHandler(
            request => request.Method == method && Uri.UnescapeDataString(request.RequestUri!.AbsolutePath) == keyPath,
            fault,
            failFirst);
        return (new S3BlobStore("faulty", S3rver.Client(handler), _bucket, "", RemoteResiliencePipeline.Create(S3rver.FastRetries, S3BlobStore.IsTransient)), handler);
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
