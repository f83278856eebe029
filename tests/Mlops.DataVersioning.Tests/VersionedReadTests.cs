using Mlops.Core.Storage;

namespace Mlops.DataVersioning.Tests;

public sealed class VersionedReadTests
{
    private static async Task<DataRepoFixture> WithTwoVersionsAsync()
    {
        var fixture = await DataRepoFixture.CreateAsync();
        fixture.Write("data/auto-mpg.csv", "mpg,cyl\n18,8\n");
        fixture.Write("images/cats/a.png", "cat a v1");
        fixture.Write("images/dogs/b.png", "dog b v1");
        await fixture.Repository.AddAsync("data/auto-mpg.csv");
        await fixture.Repository.AddAsync("images");
        fixture.Git.Commit("v1");
        fixture.Git.Git("tag", "v1");

        fixture.Write("data/auto-mpg.csv", "mpg,cyl\n18,8\n15,8\n");
        fixture.Write("images/cats/a.png", "cat a v2");
        await fixture.Repository.AddAsync("data/auto-mpg.csv");
        await fixture.Repository.AddAsync("images");
        fixture.Git.Commit("v2");
        fixture.Git.Git("tag", "v2");
        return fixture;
    }

    private static async Task<string> ReadAsync(DataRepository repository, string path, string? revision, string? remote = null) =>
        System.Text.Encoding.UTF8.GetString(await repository.ReadAllBytesAsync(path, revision, remote));

    [Fact]
    public async Task Reading_v1_while_the_workspace_holds_v2_leaves_the_workspace_alone()
    {
        using var fixture = await WithTwoVersionsAsync();
        var before = File.GetLastWriteTimeUtc(fixture.Full("data/auto-mpg.csv"));

        Assert.Equal("mpg,cyl\n18,8\n", await ReadAsync(fixture.Repository, "data/auto-mpg.csv", "v1"));
        Assert.Equal("mpg,cyl\n18,8\n15,8\n", await ReadAsync(fixture.Repository, "data/auto-mpg.csv", "v2"));
        Assert.Equal("mpg,cyl\n18,8\n15,8\n", await ReadAsync(fixture.Repository, "data/auto-mpg.csv", null));

        Assert.Equal("mpg,cyl\n18,8\n15,8\n", fixture.Read("data/auto-mpg.csv"));
        Assert.Equal(before, File.GetLastWriteTimeUtc(fixture.Full("data/auto-mpg.csv")));
    }

    [Fact]
    public async Task Any_revision_form_works_branch_tag_sha_and_expressions()
    {
        using var fixture = await WithTwoVersionsAsync();
        var v1Sha = fixture.Git.Git("rev-parse", "v1").Trim();
        fixture.Git.Git("branch", "old", "v1");

        Assert.Equal("mpg,cyl\n18,8\n", await ReadAsync(fixture.Repository, "data/auto-mpg.csv", v1Sha));
        Assert.Equal("mpg,cyl\n18,8\n", await ReadAsync(fixture.Repository, "data/auto-mpg.csv", v1Sha[..8]));
        Assert.Equal("mpg,cyl\n18,8\n", await ReadAsync(fixture.Repository, "data/auto-mpg.csv", "old"));
        Assert.Equal("mpg,cyl\n18,8\n", await ReadAsync(fixture.Repository, "data/auto-mpg.csv", "HEAD~1"));
        Assert.Equal("mpg,cyl\n18,8\n15,8\n", await ReadAsync(fixture.Repository, "data/auto-mpg.csv", "main"));
    }

    [Fact]
    public async Task A_file_inside_a_tracked_directory_reads_at_each_revision()
    {
        using var fixture = await WithTwoVersionsAsync();

        Assert.Equal("cat a v1", await ReadAsync(fixture.Repository, "images/cats/a.png", "v1"));
        Assert.Equal("cat a v2", await ReadAsync(fixture.Repository, "images/cats/a.png", "v2"));
        Assert.Equal("dog b v1", await ReadAsync(fixture.Repository, "images/dogs/b.png", "v2"));
    }

    [Fact]
    public async Task Untracked_paths_unknown_revisions_and_directories_are_explained()
    {
        using var fixture = await WithTwoVersionsAsync();

        var untracked = await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Repository.OpenAsync("data/other.csv", "v1"));
        Assert.Contains("No pointer file tracks 'data/other.csv' at revision 'v1'", untracked.Message, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Repository.OpenAsync("data/auto-mpg.csv", "v9"));
        Assert.Contains("'v9'", unknown.Message, StringComparison.Ordinal);

        var folder = await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Repository.OpenAsync("images", "v1"));
        Assert.Contains("directory", folder.Message, StringComparison.Ordinal);

        var missingEntry = await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Repository.OpenAsync("images/cats/z.png", "v1"));
        Assert.Contains("no file 'cats/z.png'", missingEntry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_cache_lacks_the_object_the_bytes_come_from_the_remote()
    {
        using var fixture = await WithTwoVersionsAsync();
        using var remote = new TempDirectory();
        File.WriteAllText(fixture.Full(".dvc/config"), $"[core]\n    remote = storage\n['remote \"storage\"']\n    url = {remote.Path}\n");
        var repository = fixture.Reopen();

        // The workspace's pointers are v2's; v1's objects go up through its tag.
        var pushed = await repository.PushAsync(new TransferOptions { Revisions = ["v1"] });
        Assert.Equal(7, pushed.Transferred); // Both versions: two CSVs, two manifests, three images (dog b is shared).
        DeleteCache(fixture);

        Assert.Equal("mpg,cyl\n18,8\n", await ReadAsync(repository, "data/auto-mpg.csv", "v1"));
        Assert.Equal("cat a v1", await ReadAsync(repository, "images/cats/a.png", "v1"));
        Assert.False(Directory.Exists(Path.Combine(fixture.Path, ".dvc", "cache", "files")));

        var url = await repository.GetUrlAsync("data/auto-mpg.csv", "v1");
        var oid = DataRepoFixture.Md5("mpg,cyl\n18,8\n");
        Assert.Equal(Path.Combine(remote.Path, "files", "md5", oid[..2], oid[2..]), url);
        Assert.Equal("mpg,cyl\n18,8\n", File.ReadAllText(url));
    }

    [Fact]
    public async Task Without_cache_or_remote_the_message_says_what_to_do()
    {
        using var fixture = await WithTwoVersionsAsync();
        DeleteCache(fixture);

        var error = await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Repository.OpenAsync("data/auto-mpg.csv", "v1"));

        Assert.Contains("no remote is configured", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_url_joins_the_remote_url_and_the_object_key()
    {
        using var fixture = await WithTwoVersionsAsync();
        File.WriteAllText(fixture.Full(".dvc/config"), "[core]\n    remote = s3\n['remote \"s3\"']\n    url = s3://bucket/prefix/\n");
        var repository = fixture.Reopen();
        var oid = DataRepoFixture.Md5("cat a v1");

        var url = await repository.GetUrlAsync("images/cats/a.png", "v1");

        Assert.Equal($"s3://bucket/prefix/{ContentAddressedStore.GetKey(oid)}", url);
    }

    internal static void DeleteCache(DataRepoFixture fixture)
    {
        var cache = Path.Combine(fixture.Path, ".dvc", "cache");
        foreach (var file in Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }

        Directory.Delete(cache, recursive: true);
    }
}
