using Mlops.DataVersioning.Formats;

namespace Mlops.DataVersioning.Tests;

public sealed class RepositoryTests
{
    private const string FooMd5 = "acbd18db4cc2f85cedef654fccc4a4d8";

    private static async Task<DataRepoFixture> WithVectorDirectoryAsync()
    {
        var fixture = await DataRepoFixture.CreateAsync();
        fixture.Write("data/foo", "foo");
        fixture.Write("data/bar", "bar");
        fixture.Write("data/subdir/subfoo", "subfoo");
        fixture.Write("data/subdir/subbar", "subbar");
        return fixture;
    }

    [Fact]
    public async Task Init_writes_what_dvc_init_writes()
    {
        using var git = new GitFixture();

        var repository = await DataRepository.InitAsync(git.Path);

        Assert.Equal(git.Path, repository.Root);
        Assert.Equal("", File.ReadAllText(Path.Combine(git.Path, ".dvc", "config")));
        Assert.Equal(FormatTests.Golden("dvc-gitignore"), File.ReadAllText(Path.Combine(git.Path, ".dvc", ".gitignore")));
        Assert.Equal(FormatTests.Golden("dvcignore"), File.ReadAllText(Path.Combine(git.Path, ".dvcignore")));
        Assert.True(repository.UsesGit);
    }

    [Fact]
    public async Task Init_needs_a_Git_repository_unless_told_otherwise_and_refuses_to_run_twice()
    {
        using var plain = new TempDirectory();

        var error = await Assert.ThrowsAsync<DataVersioningException>(() => DataRepository.InitAsync(plain.Path));
        Assert.Contains("git init", error.Message, StringComparison.Ordinal);

        var repository = await DataRepository.InitAsync(plain.Path, new DataRepositoryInitOptions { NoScm = true });
        Assert.False(repository.UsesGit);
        Assert.Equal("[core]\n    no_scm = True\n", File.ReadAllText(Path.Combine(plain.Path, ".dvc", "config")));

        var again = await Assert.ThrowsAsync<DataVersioningException>(() => DataRepository.InitAsync(plain.Path, new DataRepositoryInitOptions { NoScm = true }));
        Assert.Contains("Force", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_finds_the_repository_from_a_subfolder_and_says_what_to_do_when_there_is_none()
    {
        using var plain = new TempDirectory();

        var error = Assert.Throws<DataVersioningException>(() => DataRepository.Open(plain.Path));

        Assert.Contains("mlops init", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_a_file_writes_the_cache_object_the_pointer_and_the_gitignore_line()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        fixture.Write("foo", "foo");

        var tracked = await fixture.Repository.AddAsync("foo");

        Assert.Equal(new TrackedOutput("foo", "foo.dvc", FooMd5, 3, null), tracked);
        Assert.Equal(FormatTests.Golden("file.dvc"), fixture.Read("foo.dvc"));
        Assert.Equal("/foo\n", fixture.Read(".gitignore"));
        Assert.Equal("foo", File.ReadAllText(fixture.CacheObject(FooMd5)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(fixture.CacheObject(FooMd5)));

        // The default link type (reflink, else copy) leaves the workspace file an ordinary, writable file.
        Assert.Equal("foo", fixture.Read("foo"));
        Assert.True((File.GetUnixFileMode(fixture.Full("foo")) & UnixFileMode.UserWrite) != 0);
        Assert.Equal(["foo.dvc", ".gitignore"], fixture.Git.Git("status", "--porcelain", "--untracked-files=all").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[3..]).Where(p => !p.StartsWith(".dvc", StringComparison.Ordinal)).OrderBy(p => p.Length).ToArray());
    }

    [Fact]
    public async Task Adding_a_directory_gives_the_formats_vector_and_stores_the_manifest()
    {
        using var fixture = await WithVectorDirectoryAsync();

        var tracked = await fixture.Repository.AddAsync("data");

        Assert.Equal(new TrackedOutput("data", "data.dvc", "1aca2c799df82929bbdd976557975546.dir", 18, 4), tracked);
        Assert.Equal(FormatTests.Golden("directory.dvc"), fixture.Read("data.dvc"));
        Assert.Equal(FormatTests.Golden("data.dir.json"), File.ReadAllText(fixture.CacheObject("1aca2c799df82929bbdd976557975546.dir")));
        Assert.Equal("subfoo", File.ReadAllText(fixture.CacheObject(DataRepoFixture.Md5("subfoo"))));
        Assert.Equal("/data\n", fixture.Read(".gitignore"));
    }

    [Fact]
    public async Task Files_matched_by_dvcignore_are_left_out_of_directory_hashes()
    {
        using var fixture = await WithVectorDirectoryAsync();
        File.AppendAllText(fixture.Full(".dvcignore"), "*.tmp\nscratch/\n");
        fixture.Write("data/junk.tmp", "junk");
        fixture.Write("data/scratch/notes.txt", "notes");

        var tracked = await fixture.Repository.AddAsync("data");

        Assert.Equal("1aca2c799df82929bbdd976557975546.dir", tracked.Md5);
    }

    [Fact]
    public async Task A_temporary_file_left_by_a_killed_checkout_is_not_data()
    {
        using var fixture = await WithVectorDirectoryAsync();
        await fixture.Repository.AddAsync("data");
        fixture.Write($"data/.bar.{Guid.NewGuid():N}.tmp", "half a file");

        Assert.True((await fixture.Repository.StatusAsync()).IsClean);
        Assert.True(DataRepository.IsOurTemporaryFile($".x.{Guid.NewGuid():N}.tmp"));
        Assert.False(DataRepository.IsOurTemporaryFile(".x.notahexguidnotahexguidnotahexgui.tmp"));
        Assert.False(DataRepository.IsOurTemporaryFile("report.tmp"));
    }

    [Fact]
    public async Task Adding_a_file_Git_tracks_is_refused_with_what_to_do()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        fixture.Write("data/train.csv", "a,b\n1,2\n");
        fixture.Git.Commit("data in git");

        var error = await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Repository.AddAsync("data/train.csv"));
        Assert.Contains("git rm -r --cached", error.Message, StringComparison.Ordinal);

        var folder = await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Repository.AddAsync("data"));
        Assert.Contains("data/train.csv", folder.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(fixture.Full("data.dvc")));
    }

    [Fact]
    public async Task Adding_a_file_inside_a_tracked_directory_is_refused_with_what_to_do()
    {
        using var fixture = await WithVectorDirectoryAsync();
        await fixture.Repository.AddAsync("data");

        var error = await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Repository.AddAsync("data/subdir/subfoo"));

        Assert.Contains("inside 'data'", error.Message, StringComparison.Ordinal);
        Assert.Contains("mlops add data", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(fixture.Full("data/subdir/subfoo.dvc")));
    }

    [Fact]
    public async Task Adding_again_after_a_change_keeps_the_pointers_other_keys()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        fixture.Write("foo", "foo");
        await fixture.Repository.AddAsync("foo");
        File.WriteAllText(fixture.Full("foo.dvc"), FormatTests.Golden("extra-keys.dvc"));
        fixture.Write("foo", "bar!");

        await fixture.Repository.AddAsync("foo");

        Assert.Equal(FormatTests.Golden("extra-keys.rewritten.dvc").Replace("37b51d194a7513e45b56f6524f2d51f2", DataRepoFixture.Md5("bar!"), StringComparison.Ordinal), fixture.Read("foo.dvc"));
        Assert.Equal("/foo\n", fixture.Read(".gitignore"));
    }

    [Fact]
    public async Task Removing_an_output_deletes_its_pointer_and_gitignore_line_but_keeps_the_data()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        fixture.Write("data/a[1].csv", "a");
        fixture.Write("data/b.csv", "b");
        await fixture.Repository.AddAsync("data/a[1].csv");
        await fixture.Repository.AddAsync("data/b.csv");
        Assert.Equal("/a\\[1\\].csv\n/b.csv\n", fixture.Read("data/.gitignore"));

        Assert.Equal(["data/a[1].csv"], await fixture.Repository.RemoveAsync("data/a[1].csv"));
        Assert.Equal("/b.csv\n", fixture.Read("data/.gitignore"));
        Assert.False(File.Exists(fixture.Full("data/a[1].csv.dvc")));
        Assert.Equal("a", fixture.Read("data/a[1].csv"));

        await fixture.Repository.RemoveAsync("data/b.csv.dvc");
        Assert.False(File.Exists(fixture.Full("data/.gitignore")));
        await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Repository.RemoveAsync("data/b.csv"));
    }

    [Fact]
    public async Task Status_reports_modified_deleted_new_and_not_in_cache()
    {
        using var fixture = await WithVectorDirectoryAsync();
        fixture.Write("a.csv", "a");
        fixture.Write("b.csv", "b");
        fixture.Write("c.csv", "c");
        await fixture.Repository.AddAsync("data");
        await fixture.Repository.AddAsync("a.csv");
        await fixture.Repository.AddAsync("b.csv");
        await fixture.Repository.AddAsync("c.csv");
        Assert.True((await fixture.Repository.StatusAsync()).IsClean);

        fixture.Write("data/subdir/subfoo", "changed");
        File.Delete(fixture.Full("a.csv"));
        File.SetAttributes(fixture.CacheObject(DataRepoFixture.Md5("b")), FileAttributes.Normal);
        File.Delete(fixture.CacheObject(DataRepoFixture.Md5("b")));
        File.WriteAllText(fixture.Full("new.csv.dvc"), "outs:\n- path: new.csv\n");
        fixture.Write("new.csv", "n");

        var status = await fixture.Repository.StatusAsync();

        Assert.Equal(
            [
                new OutputStatus("a.csv", "a.csv.dvc", OutputState.Deleted),
                new OutputStatus("b.csv", "b.csv.dvc", OutputState.NotInCache),
                new OutputStatus("data", "data.dvc", OutputState.Modified),
                new OutputStatus("new.csv", "new.csv.dvc", OutputState.New),
            ],
            status.Changes);
        Assert.Equal([new OutputStatus("data", "data.dvc", OutputState.Modified)], (await fixture.Repository.StatusAsync(["data"])).Changes);
    }

    [Fact]
    public async Task Commit_records_the_current_data_and_caches_it()
    {
        using var fixture = await WithVectorDirectoryAsync();
        await fixture.Repository.AddAsync("data");
        fixture.Write("data/extra", "extra");

        var committed = await fixture.Repository.CommitAsync();

        var output = Assert.Single(committed);
        Assert.Equal(5, output.FileCount);
        Assert.Equal(output.Md5, PointerFile.Load(fixture.Full("data.dvc")).Outputs[0].Md5);
        Assert.True(File.Exists(fixture.CacheObject(DataRepoFixture.Md5("extra"))));
        Assert.True((await fixture.Repository.StatusAsync()).IsClean);
        Assert.Empty(await fixture.Repository.CommitAsync());
    }

    [Fact]
    public async Task Checkout_restores_files_and_directories_from_the_cache()
    {
        using var fixture = await WithVectorDirectoryAsync();
        fixture.Write("foo", "foo");
        await fixture.Repository.AddAsync("data");
        await fixture.Repository.AddAsync("foo");
        Directory.Delete(fixture.Full("data"), recursive: true);
        File.Delete(fixture.Full("foo"));

        var result = await fixture.Repository.CheckoutAsync();

        Assert.Equal(["data/bar", "data/foo", "data/subdir/subbar", "data/subdir/subfoo", "foo"], result.Added);
        Assert.Empty(result.Modified);
        Assert.Equal("subbar", fixture.Read("data/subdir/subbar"));
        Assert.Equal("foo", fixture.Read("foo"));
        Assert.True((await fixture.Repository.StatusAsync()).IsClean);
        Assert.True((await fixture.Repository.CheckoutAsync()).IsUnchanged);
    }

    [Fact]
    public async Task Checkout_refuses_to_lose_data_that_is_not_in_the_cache_and_names_it()
    {
        using var fixture = await WithVectorDirectoryAsync();
        fixture.Write("foo", "foo");
        await fixture.Repository.AddAsync("data");
        await fixture.Repository.AddAsync("foo");
        fixture.Write("foo", "precious edit");
        fixture.Write("data/new-file", "precious new file");
        fixture.Write("data/bar", "precious change");

        var error = await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Repository.CheckoutAsync());

        Assert.Equal(["data/bar", "data/new-file", "foo"], error.Paths);
        Assert.Contains("'foo'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Force", error.Message, StringComparison.Ordinal);
        Assert.Equal("precious edit", fixture.Read("foo"));
        Assert.Equal("precious new file", fixture.Read("data/new-file"));
        Assert.Equal("precious change", fixture.Read("data/bar"));

        var forced = await fixture.Repository.CheckoutAsync(new CheckoutOptions { Force = true });

        Assert.Equal(["data/bar", "foo"], forced.Modified);
        Assert.Equal(["data/new-file"], forced.Deleted);
        Assert.Equal("foo", fixture.Read("foo"));
        Assert.False(File.Exists(fixture.Full("data/new-file")));
    }

    [Fact]
    public async Task Checkout_replaces_data_that_the_cache_still_has_without_force()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        fixture.Write("foo", "version 1");
        await fixture.Repository.AddAsync("foo");
        var v1Pointer = fixture.Read("foo.dvc");
        fixture.Write("foo", "version 2");
        await fixture.Repository.AddAsync("foo");
        File.WriteAllText(fixture.Full("foo.dvc"), v1Pointer);

        var result = await fixture.Repository.CheckoutAsync();

        Assert.Equal(["foo"], result.Modified);
        Assert.Equal("version 1", fixture.Read("foo"));
    }

    [Fact]
    public async Task Checkout_reports_outputs_whose_objects_are_missing()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        fixture.Write("foo", "foo");
        await fixture.Repository.AddAsync("foo");
        File.Delete(fixture.Full("foo"));
        File.Delete(fixture.CacheObject(FooMd5));

        var result = await fixture.Repository.CheckoutAsync();

        Assert.Equal(["foo"], result.Missing);
    }

    [Fact]
    public async Task With_hardlinks_the_workspace_file_is_the_read_only_cache_object()
    {
        using var fixture = await DataRepoFixture.CreateAsync("hardlink,copy");
        fixture.Write("data/a.bin", "aaaa");

        await fixture.Repository.AddAsync("data");

        var workspace = new FileInfo(fixture.Full("data/a.bin"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(workspace.FullName));
        Assert.Equal(Inode(fixture.CacheObject(DataRepoFixture.Md5("aaaa"))), Inode(workspace.FullName));

        File.Delete(workspace.FullName);
        await fixture.Repository.CheckoutAsync();
        Assert.Equal(Inode(fixture.CacheObject(DataRepoFixture.Md5("aaaa"))), Inode(workspace.FullName));

        // Checkout recorded what it linked: the next process's status reads nothing.
        var reopened = fixture.Reopen();
        Assert.True((await reopened.StatusAsync()).IsClean);
        Assert.Equal(0, reopened.HashCount);
    }

    [Fact]
    public async Task With_symlinks_the_workspace_file_points_at_the_cache_object()
    {
        using var fixture = await DataRepoFixture.CreateAsync("symlink");
        fixture.Write("model.bin", "weights");

        await fixture.Repository.AddAsync("model.bin");

        Assert.Equal(fixture.CacheObject(DataRepoFixture.Md5("weights")), new FileInfo(fixture.Full("model.bin")).LinkTarget);
        Assert.Equal("weights", fixture.Read("model.bin"));
        Assert.True((await fixture.Repository.StatusAsync()).IsClean);

        File.Delete(fixture.Full("model.bin"));
        var result = await fixture.Repository.CheckoutAsync();
        Assert.Equal(["model.bin"], result.Added);
        Assert.Equal(fixture.CacheObject(DataRepoFixture.Md5("weights")), new FileInfo(fixture.Full("model.bin")).LinkTarget);
    }

    [Fact]
    public async Task An_unknown_link_type_is_reported()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        File.WriteAllText(fixture.Full(".dvc/config"), "[cache]\n    type = teleport\n");

        var error = Assert.Throws<DataVersioningException>(() => fixture.Reopen());

        Assert.Contains("'teleport'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_of_an_unchanged_tree_hashes_nothing_and_a_changed_file_is_hashed_once()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        for (var i = 0; i < 50; i++)
        {
            fixture.Write($"data/{i % 5}/file{i}.txt", $"content {i}");
        }

        await fixture.Repository.AddAsync("data");
        Assert.Equal(50, fixture.Repository.HashCount);

        // Another process: the state comes from .dvc/tmp, not from memory.
        var reopened = fixture.Reopen();
        Assert.True((await reopened.StatusAsync()).IsClean);
        Assert.Equal(0, reopened.HashCount);

        fixture.Write("data/3/file3.txt", "changed");
        Assert.False((await reopened.StatusAsync()).IsClean);
        Assert.Equal(1, reopened.HashCount);
        await reopened.StatusAsync();
        Assert.Equal(1, reopened.HashCount);
    }

    [Fact]
    public async Task A_damaged_state_file_only_costs_a_rehash()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        fixture.Write("foo", "foo");
        await fixture.Repository.AddAsync("foo");
        File.WriteAllBytes(Path.Combine(fixture.Path, ".dvc", "tmp", "mlops-state.bin"), [1, 2, 3]);

        var reopened = fixture.Reopen();

        Assert.True((await reopened.StatusAsync()).IsClean);
        Assert.Equal(1, reopened.HashCount);
    }

    [Fact]
    public async Task A_DVC_2_pointer_of_a_CRLF_text_file_is_up_to_date()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        fixture.Write("notes.txt", "line 1\r\nline 2\r\n");
        var legacyMd5 = DataRepoFixture.Md5("line 1\nline 2\n");
        File.WriteAllText(fixture.Full("notes.txt.dvc"), $"outs:\n- md5: {legacyMd5}\n  size: 16\n  path: notes.txt\n");
        Directory.CreateDirectory(Path.GetDirectoryName(fixture.CacheObject(legacyMd5))!);
        File.WriteAllText(fixture.CacheObject(legacyMd5), "line 1\r\nline 2\r\n");

        var status = await fixture.Repository.StatusAsync();

        Assert.True(status.IsClean);
    }

    [Fact]
    public async Task Diff_lists_added_deleted_modified_and_renamed_paths_between_revisions_and_the_workspace()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        fixture.Write("data/keep.txt", "same");
        fixture.Write("data/change.txt", "v1");
        fixture.Write("data/move-me.txt", "moving");
        fixture.Write("data/drop.txt", "dropped");
        fixture.Write("model.bin", "m1");
        await fixture.Repository.AddAsync("data");
        await fixture.Repository.AddAsync("model.bin");
        fixture.Git.Commit("v1");

        fixture.Write("data/change.txt", "v2");
        File.Move(fixture.Full("data/move-me.txt"), fixture.Full("data/moved.txt"));
        File.Delete(fixture.Full("data/drop.txt"));
        fixture.Write("data/new.txt", "new");
        await fixture.Repository.AddAsync("data");
        fixture.Git.Commit("v2");

        var diff = await fixture.Repository.DiffAsync("HEAD~1", "HEAD");

        Assert.Equal(["data/new.txt"], diff.Added.Select(e => e.Path));
        Assert.Equal(["data/drop.txt"], diff.Deleted.Select(e => e.Path));
        Assert.Equal(["data/", "data/change.txt"], diff.Modified.Select(e => e.Path));
        Assert.Equal([new RenamedEntry("data/move-me.txt", "data/moved.txt", DataRepoFixture.Md5("moving"))], diff.Renamed);

        Assert.True((await fixture.Repository.DiffAsync()).IsEmpty);
        fixture.Write("model.bin", "m2");
        var workspace = await fixture.Repository.DiffAsync();
        Assert.Equal([new DiffEntry("model.bin", DataRepoFixture.Md5("m1"), DataRepoFixture.Md5("m2"))], workspace.Modified);
    }

    private static long Inode(string path)
    {
        var output = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var text = output.StandardOutput.ReadToEnd();
        output.WaitForExit();
        return long.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
