namespace Mlops.DataVersioning.Tests;

/// <summary>
/// A repository laid out exactly as DVC 3 lays one out (Fixtures/dvc3-repo: config, pointers, .gitignore lines;
/// Fixtures/dvc3-cache: the cache of the FORMATS.md vectors), committed to Git as a DVC user would.
/// </summary>
public sealed class DvcFixtureTests
{
    private static DataRepoFixtureFromDvc Create()
    {
        var git = new GitFixture();
        var fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        CopyTree(Path.Combine(fixtures, "dvc3-repo"), git.Path);
        CopyTree(Path.Combine(fixtures, "dvc3-cache"), Path.Combine(git.Path, ".dvc", "cache"));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(git.Path, ".dvc", "cache"), "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        git.Commit("Track foo and data with DVC");
        return new DataRepoFixtureFromDvc(git);
    }

    [Fact]
    public async Task Checkout_restores_the_workspace_and_status_is_then_clean()
    {
        using var fixture = Create();
        var repository = DataRepository.Open(fixture.Git.Path);

        var before = await repository.StatusAsync();
        Assert.Equal([OutputState.Deleted, OutputState.Deleted], before.Changes.Select(c => c.State));

        var result = await repository.CheckoutAsync();

        Assert.Equal(["data/bar", "data/foo", "data/subdir/subbar", "data/subdir/subfoo", "foo"], result.Added);
        Assert.Equal("subfoo", File.ReadAllText(Path.Combine(fixture.Git.Path, "data", "subdir", "subfoo")));
        Assert.True((await repository.StatusAsync()).IsClean);
        Assert.Equal("", fixture.Git.Git("status", "--porcelain"));
    }

    [Fact]
    public async Task Objects_in_DVC_2s_cache_layout_are_found()
    {
        using var fixture = Create();
        var cache = Path.Combine(fixture.Git.Path, ".dvc", "cache");
        const string Foo = "acbd18db4cc2f85cedef654fccc4a4d8";
        Directory.CreateDirectory(Path.Combine(cache, Foo[..2]));
        File.Move(Path.Combine(cache, "files", "md5", Foo[..2], Foo[2..]), Path.Combine(cache, Foo[..2], Foo[2..]));
        var repository = DataRepository.Open(fixture.Git.Path);

        var result = await repository.CheckoutAsync(new CheckoutOptions { Targets = ["foo"] });

        Assert.Equal(["foo"], result.Added);
        Assert.Equal("foo", File.ReadAllText(Path.Combine(fixture.Git.Path, "foo")));
    }

    [Fact]
    public async Task Versioned_reads_work_on_the_DVC_repository()
    {
        using var fixture = Create();
        var repository = DataRepository.Open(fixture.Git.Path);

        Assert.Equal("foo"u8.ToArray(), await repository.ReadAllBytesAsync("foo", "HEAD"));
        Assert.Equal("subbar"u8.ToArray(), await repository.ReadAllBytesAsync("data/subdir/subbar", "main"));
        Assert.False(File.Exists(Path.Combine(fixture.Git.Path, "foo")));
    }

    [Fact]
    public async Task The_configured_remote_is_used_as_DVC_configured_it()
    {
        using var fixture = Create();
        var repository = DataRepository.Open(fixture.Git.Path);

        var pushed = await repository.PushAsync();

        // Four files and the manifest: foo and data/foo are one object.
        Assert.Equal(new TransferResult(5, 0), pushed);
        Assert.True(File.Exists(Path.Combine(fixture.Git.Path, "remote-storage", "files", "md5", "1a", "ca2c799df82929bbdd976557975546.dir")));
        Assert.True((await repository.RemoteStatusAsync()).IsInSync);
    }

    [Fact]
    public async Task Adding_a_file_to_the_DVC_repository_writes_what_DVC_would()
    {
        using var fixture = Create();
        var repository = DataRepository.Open(fixture.Git.Path);
        await repository.CheckoutAsync();
        File.WriteAllText(Path.Combine(fixture.Git.Path, "bar"), "bar");

        await repository.AddAsync("bar");

        Assert.Equal("/foo\n/data\n/remote-storage\n/bar\n", File.ReadAllText(Path.Combine(fixture.Git.Path, ".gitignore")));
        Assert.Equal("outs:\n- md5: 37b51d194a7513e45b56f6524f2d51f2\n  size: 3\n  hash: md5\n  path: bar\n", File.ReadAllText(Path.Combine(fixture.Git.Path, "bar.dvc")));
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    private sealed class DataRepoFixtureFromDvc(GitFixture git) : IDisposable
    {
        public GitFixture Git { get; } = git;

        public void Dispose() => Git.Dispose();
    }
}
