using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mlops.Core.Storage;

namespace Mlops.DataVersioning.Tests;

public sealed class RemoteTests
{
    private static async Task<(DataRepoFixture Fixture, TempDirectory Remote)> WithRemoteAsync()
    {
        var fixture = await DataRepoFixture.CreateAsync();
        var remote = new TempDirectory();
        File.WriteAllText(fixture.Full(".dvc/config"), $"[core]\n    remote = storage\n['remote \"storage\"']\n    url = {remote.Path}\n");
        fixture.Reopen();
        fixture.Write("data/foo", "foo");
        fixture.Write("data/bar", "bar");
        fixture.Write("data/subdir/subfoo", "subfoo");
        fixture.Write("data/subdir/subbar", "subbar");
        fixture.Write("model.bin", "weights");
        await fixture.Repository.AddAsync("data");
        await fixture.Repository.AddAsync("model.bin");
        return (fixture, remote);
    }

    [Fact]
    public async Task Push_then_pull_into_an_empty_clone_restores_everything()
    {
        var (fixture, remote) = await WithRemoteAsync();
        using var _ = fixture;
        using var __ = remote;

        var pushed = await fixture.Repository.PushAsync();

        Assert.Equal(new TransferResult(6, 0), pushed);
        Assert.Equal("subfoo", File.ReadAllText(Path.Combine(remote.Path, "files", "md5", "4c", "e8d2a2cf314a52fa7f315ca37ca445")));
        Assert.True(File.Exists(Path.Combine(remote.Path, "files", "md5", "1a", "ca2c799df82929bbdd976557975546.dir")));
        Assert.Equal(new TransferResult(0, 6), await fixture.Repository.PushAsync());

        VersionedReadTests.DeleteCache(fixture);
        Directory.Delete(fixture.Full("data"), recursive: true);
        File.Delete(fixture.Full("model.bin"));

        var pulled = await fixture.Repository.PullAsync(new TransferOptions { Jobs = 2 });

        Assert.Equal(6, pulled.Transfer.Transferred);
        Assert.Equal(["data/bar", "data/foo", "data/subdir/subbar", "data/subdir/subfoo", "model.bin"], pulled.Checkout.Added);
        Assert.Equal("weights", fixture.Read("model.bin"));
        Assert.True((await fixture.Repository.StatusAsync()).IsClean);
    }

    [Theory]
    [InlineData(0)]
    [InlineData((1 << 20) - 1)]
    [InlineData(1 << 20)]
    [InlineData((3 << 20) + 17)]
    public async Task Files_below_and_above_the_small_file_size_round_trip_byte_for_byte(int size)
    {
        var (fixture, remote) = await WithRemoteAsync();
        using var _ = fixture;
        using var __ = remote;
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        File.WriteAllBytes(fixture.Full("data/sized.bin"), bytes);
        var added = await fixture.Repository.AddAsync("data");
        var oid = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(bytes));
        Assert.Equal(bytes, File.ReadAllBytes(fixture.CacheObject(oid)));
        await fixture.Repository.PushAsync();

        VersionedReadTests.DeleteCache(fixture);
        Directory.Delete(fixture.Full("data"), recursive: true);
        await fixture.Repository.PullAsync();

        Assert.Equal(bytes, File.ReadAllBytes(fixture.Full("data/sized.bin")));
        Assert.Equal(bytes, File.ReadAllBytes(fixture.CacheObject(oid)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(fixture.CacheObject(oid)));
        Assert.Empty(Directory.EnumerateFiles(fixture.Full(".dvc/cache"), "*.tmp", SearchOption.AllDirectories));
        Assert.True((await fixture.Repository.StatusAsync()).IsClean, added.Md5);
    }

    [Fact]
    public async Task Long_operations_report_progress()
    {
        var (fixture, remote) = await WithRemoteAsync();
        using var _ = fixture;
        using var __ = remote;
        var reports = new ConcurrentQueue<DataProgress>();
        var progress = new CollectingProgress(reports);
        fixture.Write("more/a", "a");
        fixture.Write("more/b", "b");

        await fixture.Repository.AddAsync("more", progress);
        await fixture.Repository.PushAsync(progress: progress);

        Assert.Contains(reports, r => r is { Operation: "add", Completed: 2, Total: 2 });
        Assert.Contains(reports, r => r.Operation == "push" && r.Completed == r.Total && r.Total == 9);
    }

    private sealed class CollectingProgress(ConcurrentQueue<DataProgress> reports) : IProgress<DataProgress>
    {
        public void Report(DataProgress value) => reports.Enqueue(value);
    }

    [Fact]
    public async Task Remote_status_lists_new_deleted_and_missing_objects()
    {
        var (fixture, remote) = await WithRemoteAsync();
        using var _ = fixture;
        using var __ = remote;

        var before = await fixture.Repository.RemoteStatusAsync();
        Assert.Equal("storage", before.Remote);
        Assert.Equal(6, before.New.Count);
        Assert.Contains("data/subdir/subfoo", before.New);

        await fixture.Repository.PushAsync();
        Assert.True((await fixture.Repository.RemoteStatusAsync()).IsInSync);

        var modelOid = DataRepoFixture.Md5("weights");
        File.Delete(fixture.CacheObject(modelOid));
        Assert.Equal(["model.bin"], (await fixture.Repository.RemoteStatusAsync()).Deleted);

        File.Delete(Path.Combine(remote.Path, "files", "md5", modelOid[..2], modelOid[2..]));
        Assert.Equal(["model.bin"], (await fixture.Repository.RemoteStatusAsync()).Missing);
    }

    [Fact]
    public async Task A_corrupt_remote_object_is_named_and_never_enters_the_cache()
    {
        var (fixture, remote) = await WithRemoteAsync();
        using var _ = fixture;
        using var __ = remote;
        await fixture.Repository.PushAsync();
        var oid = DataRepoFixture.Md5("subfoo");
        var remoteObject = Path.Combine(remote.Path, "files", "md5", oid[..2], oid[2..]);
        File.WriteAllText(remoteObject, "tampered");
        VersionedReadTests.DeleteCache(fixture);

        var error = await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Repository.FetchAsync());

        var failure = Assert.Single(error.Paths);
        Assert.Contains("data/subdir/subfoo", failure, StringComparison.Ordinal);
        Assert.Contains("corrupt", failure, StringComparison.Ordinal);
        Assert.False(File.Exists(fixture.CacheObject(oid)));
        var folder = Path.GetDirectoryName(fixture.CacheObject(oid))!;
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Any(), "a temporary file was left in the cache");
        Assert.True(File.Exists(fixture.CacheObject(DataRepoFixture.Md5("subbar"))));
    }

    [Fact]
    public async Task A_directory_manifest_goes_up_last_and_not_at_all_when_a_file_is_missing()
    {
        var (fixture, remote) = await WithRemoteAsync();
        using var _ = fixture;
        using var __ = remote;
        var recording = new RecordingStore(new InMemoryBlobStore("recording"));
        var repository = fixture.Reopen(new DataRepositoryOptions { Remotes = { ["storage"] = recording } });

        File.Delete(fixture.CacheObject(DataRepoFixture.Md5("bar")));
        var error = await Assert.ThrowsAsync<DataVersioningException>(() => repository.PushAsync(new TransferOptions { Jobs = 3 }));
        Assert.Contains(error.Paths, p => p.Contains("data/bar", StringComparison.Ordinal));
        Assert.DoesNotContain(recording.Writes, k => k.EndsWith(".dir", StringComparison.Ordinal));

        fixture.Write("data/bar", "bar");
        await repository.CommitAsync();
        await repository.PushAsync(new TransferOptions { Jobs = 3 });
        Assert.EndsWith(".dir", recording.Writes.Last(k => !k.Contains(DataRepoFixture.Md5("weights")[2..], StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.InRange(recording.MaxConcurrency, 1, 3);
    }

    [Fact]
    public async Task Remotes_of_other_schemes_plug_in_through_a_blob_store_provider()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        File.WriteAllText(fixture.Full(".dvc/config"), "[core]\n    remote = mem\n['remote \"mem\"']\n    url = mem://bucket/prefix\n");
        var unknown = fixture.Reopen();
        var error = Assert.Throws<DataVersioningException>(() => unknown.GetRemoteStore());
        Assert.Contains("'mem'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Mlops.Storage.S3", error.Message, StringComparison.Ordinal);

        var factory = new MemoryRemoteProvider();
        var repository = fixture.Reopen(new DataRepositoryOptions { BlobStoreProviders = { factory } });
        fixture.Write("foo", "foo");
        await repository.AddAsync("foo");
        await repository.PushAsync();

        Assert.Equal("mem://bucket/prefix", factory.Seen!.Url);
        Assert.Equal(("bucket", "prefix"), (factory.Seen.Host, factory.Seen.Path));
        Assert.Equal(fixture.Full(".dvc"), factory.Seen.BaseDirectory);
        Assert.True(await factory.Store.ExistsAsync("files/md5/ac/bd18db4cc2f85cedef654fccc4a4d8"));
    }

    [Fact]
    public async Task Dependency_injection_opens_the_repository_with_registered_remotes()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        fixture.Write("foo", "foo");
        var origin = new InMemoryBlobStore("origin");
        var services = new ServiceCollection();
        services.AddMlopsDataVersioning(o => o.RepositoryPath = fixture.Path)
            .AddRemote("origin", _ => origin);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<BlobStoreProvider, MemoryRemoteProvider>());
        services.AddMlopsDataVersioning();
        using var provider = services.BuildServiceProvider();

        var repository = provider.GetRequiredService<DataRepository>();
        await repository.AddAsync("foo");
        await repository.PushAsync(new TransferOptions { Remote = "origin" });

        Assert.Same(repository, provider.GetRequiredService<DataRepository>());
        Assert.True(await origin.ExistsAsync("files/md5/ac/bd18db4cc2f85cedef654fccc4a4d8"));
        Assert.Equal(["FileSystemBlobStoreProvider", "MemoryRemoteProvider"], provider.GetServices<BlobStoreProvider>().Select(p => p.GetType().Name));
    }

    [Fact]
    public void A_missing_repository_path_fails_validation()
    {
        var services = new ServiceCollection();
        services.AddMlopsDataVersioning();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DataRepositoryOptions>>().Value);

        Assert.Contains("RepositoryPath", error.Message, StringComparison.Ordinal);
    }

    private sealed class MemoryRemoteProvider : BlobStoreProvider
    {
        public InMemoryBlobStore Store { get; } = new("mem");

        public BlobStoreLocation? Seen { get; private set; }

        public override bool CanOpen(BlobStoreLocation location) => location.Scheme == "mem";

        public override BlobStore Open(BlobStoreLocation location)
        {
            Seen = location;
            return Store;
        }
    }

    /// <summary>Records the order of writes and how many ran at once.</summary>
    private sealed class RecordingStore(BlobStore inner) : BlobStore
    {
        private int _running;
        private int _max;

        public ConcurrentQueue<string> Writes { get; } = new();

        public int MaxConcurrency => _max;

        public override string Name => inner.Name;

        public override ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);

        public override ValueTask<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default) => inner.GetInfoAsync(key, cancellationToken);

        public override ValueTask<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default) => inner.OpenReadAsync(key, cancellationToken);

        public override async ValueTask WriteAsync(string key, Stream content, CancellationToken cancellationToken = default)
        {
            var now = Interlocked.Increment(ref _running);
            InterlockedMax(now);
            try
            {
                await Task.Yield();
                await inner.WriteAsync(key, content, cancellationToken);
                Writes.Enqueue(key);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        public override IAsyncEnumerable<BlobInfo> ListAsync(string prefix = "", CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

        public override ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

        private void InterlockedMax(int value)
        {
            int current;
            while (value > (current = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, value, current) != current)
            {
            }
        }
    }
}
