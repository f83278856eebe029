using Mlops.Core.Storage;

namespace Mlops.DataVersioning.Tests;

public sealed class GcTests
{
    /// <summary>The objects of a history: one only at tag v1, one only at branch 'experiment', one in the workspace (and HEAD), one used by nothing.</summary>
    private sealed record History(string Tagged, string Branched, string Current, string Junk, string[] Directory);

    private static async Task<History> CreateHistoryAsync(DataRepoFixture fixture)
    {
        var repository = fixture.Repository;
        fixture.Write("data/a", "a");
        fixture.Write("data/b", "bb");
        await repository.AddAsync("data");
        fixture.Write("model.bin", "one");
        await repository.AddAsync("model.bin");
        fixture.Git.Commit("v1");
        fixture.Git.Git("tag", "v1");

        fixture.Write("model.bin", "two!");
        await repository.AddAsync("model.bin");
        fixture.Git.Commit("v2");
        fixture.Git.Git("branch", "experiment");

        fixture.Write("model.bin", "three!!");
        await repository.AddAsync("model.bin");
        fixture.Git.Commit("v3");

        fixture.Write("junk.bin", "junk junk");
        await repository.AddAsync("junk.bin");
        File.Delete(fixture.Full("junk.bin.dvc"));
        File.Delete(fixture.Full("junk.bin"));

        var directory = (await File.ReadAllTextAsync(fixture.Full("data.dvc"))).Split("md5: ")[1].Split('\n')[0];
        return new History(DataRepoFixture.Md5("one"), DataRepoFixture.Md5("two!"), DataRepoFixture.Md5("three!!"), DataRepoFixture.Md5("junk junk"),
            [directory, DataRepoFixture.Md5("a"), DataRepoFixture.Md5("bb")]);
    }

    private static string[] Sorted(params string[] oids) => [.. oids.Order(StringComparer.Ordinal)];

    private static void AssertInCache(DataRepoFixture fixture, IEnumerable<string> present, IEnumerable<string> absent)
    {
        Assert.All(present, oid => Assert.True(File.Exists(fixture.CacheObject(oid)), $"{oid} should be in the cache"));
        Assert.All(absent, oid => Assert.False(File.Exists(fixture.CacheObject(oid)), $"{oid} should be gone"));
    }

    [Fact]
    public async Task Named_revisions_keep_their_objects_and_an_unknown_one_removes_nothing()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        var h = await CreateHistoryAsync(fixture);

        var error = await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Repository.GcAsync(new GcOptions { Revisions = ["no-such-branch"] }));
        Assert.Contains("no-such-branch", error.Message, StringComparison.Ordinal);
        AssertInCache(fixture, [h.Tagged, h.Branched, h.Current, h.Junk], []);

        var kept = await fixture.Repository.GcAsync(new GcOptions { Revisions = ["experiment"] });

        Assert.Equal(Sorted(h.Tagged, h.Junk), kept.Removed);
        AssertInCache(fixture, [h.Branched, h.Current, .. h.Directory], [h.Tagged, h.Junk]);
    }

    [Fact]
    public async Task Tags_keep_their_objects_with_all_tags_and_lose_them_with_workspace_only()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        var h = await CreateHistoryAsync(fixture);

        var tags = await fixture.Repository.GcAsync(new GcOptions { AllTags = true });

        Assert.Equal(Sorted(h.Branched, h.Junk), tags.Removed);
        Assert.Equal("two!".Length + "junk junk".Length, tags.RemovedBytes);
        AssertInCache(fixture, [h.Tagged, h.Current, .. h.Directory], [h.Branched, h.Junk]);

        var workspace = await fixture.Repository.GcAsync(new GcOptions { Workspace = true });

        Assert.Equal([h.Tagged], workspace.Removed);
        AssertInCache(fixture, [h.Current, .. h.Directory], [h.Tagged]);
        Assert.True((await fixture.Repository.StatusAsync()).IsClean);
    }

    [Fact]
    public async Task Branches_keep_their_tips_and_all_commits_keep_the_whole_history()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        var h = await CreateHistoryAsync(fixture);

        var commits = await fixture.Repository.GcAsync(new GcOptions { AllCommits = true });
        Assert.Equal([h.Junk], commits.Removed);

        var branches = await fixture.Repository.GcAsync(new GcOptions { AllBranches = true });
        Assert.Equal([h.Tagged], branches.Removed);
        AssertInCache(fixture, [h.Branched, h.Current, .. h.Directory], [h.Tagged, h.Junk]);
    }

    [Fact]
    public async Task A_dry_run_lists_what_would_go_and_removes_nothing()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        var h = await CreateHistoryAsync(fixture);

        var dry = await fixture.Repository.GcAsync(new GcOptions { Workspace = true, DryRun = true });

        Assert.Equal(Sorted(h.Tagged, h.Branched, h.Junk), dry.Removed);
        Assert.Equal("one".Length + "two!".Length + "junk junk".Length, dry.RemovedBytes);
        AssertInCache(fixture, [h.Tagged, h.Branched, h.Current, h.Junk, .. h.Directory], []);
    }

    [Fact]
    public async Task Gc_without_a_scope_is_refused_and_removes_nothing()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        var h = await CreateHistoryAsync(fixture);

        var error = await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Repository.GcAsync(new GcOptions { Cloud = true }));

        Assert.Contains("'-w'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was removed", error.Message, StringComparison.Ordinal);
        AssertInCache(fixture, [h.Junk, h.Tagged], []);
    }

    [Fact]
    public async Task A_used_directory_whose_manifest_is_nowhere_stops_gc_before_it_removes_anything()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        var h = await CreateHistoryAsync(fixture);
        var manifest = fixture.CacheObject(h.Directory[0]);
        File.SetAttributes(manifest, FileAttributes.Normal);
        File.Delete(manifest);

        var error = await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Repository.GcAsync(new GcOptions { Workspace = true }));

        Assert.Contains("'data'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was removed", error.Message, StringComparison.Ordinal);
        AssertInCache(fixture, [h.Junk, h.Tagged, .. h.Directory[1..]], []);
    }

    [Fact]
    public async Task A_cloud_gc_whose_remote_cannot_open_removes_nothing()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        var h = await CreateHistoryAsync(fixture);
        File.AppendAllText(fixture.Full(".dvc/config"), "[core]\n    remote = cloud\n['remote \"cloud\"']\n    url = azure://container/dvc\n");

        var error = await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Reopen().GcAsync(new GcOptions { Workspace = true, Cloud = true }));

        Assert.Contains("Mlops.Storage.AzureBlob", error.Message, StringComparison.Ordinal);
        AssertInCache(fixture, [h.Junk, h.Tagged, h.Branched], []);
    }

    [Fact]
    public async Task Push_of_all_commits_then_cloud_gc_of_the_workspace_cleans_a_local_remote()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        using var remote = new TempDirectory();
        var h = await CreateHistoryAsync(fixture);
        File.AppendAllText(fixture.Full(".dvc/config"), $"[core]\n    remote = storage\n['remote \"storage\"']\n    url = {remote.Path}\n");
        var repository = fixture.Reopen();
        var store = new ContentAddressedStore(new FileSystemBlobStore("remote", remote.Path));

        // Every commit's objects go up; the junk, used by none, does not.
        var pushed = await repository.PushAsync(new TransferOptions { AllCommits = true });
        Assert.Equal(6, pushed.Transferred);
        Assert.Equal(Sorted([h.Tagged, h.Branched, h.Current, .. h.Directory]), await store.ListOidsAsync().Order(StringComparer.Ordinal).ToArrayAsync());

        var gc = await repository.GcAsync(new GcOptions { Workspace = true, Cloud = true });

        Assert.Equal(Sorted(h.Tagged, h.Branched), gc.RemovedFromRemote);
        Assert.Equal("one".Length + "two!".Length, gc.RemovedFromRemoteBytes);
        Assert.Equal(Sorted([h.Current, .. h.Directory]), await store.ListOidsAsync().Order(StringComparer.Ordinal).ToArrayAsync());
    }

    [Fact]
    public async Task Fetch_of_all_tags_brings_the_tagged_objects_back_and_only_those()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        using var remote = new TempDirectory();
        var h = await CreateHistoryAsync(fixture);
        File.AppendAllText(fixture.Full(".dvc/config"), $"[core]\n    remote = storage\n['remote \"storage\"']\n    url = {remote.Path}\n");
        var repository = fixture.Reopen();
        await repository.PushAsync(new TransferOptions { AllBranches = true, AllTags = true });
        VersionedReadTests.DeleteCache(fixture);

        var fetched = await repository.FetchAsync(new TransferOptions { AllTags = true });

        Assert.Equal(5, fetched.Transferred);
        AssertInCache(fixture, [h.Tagged, h.Current, .. h.Directory], [h.Branched]);
    }
}
