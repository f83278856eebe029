using Mlops.DataVersioning.Internal;

namespace Mlops.DataVersioning.Tests;

/// <summary>
/// Objects whose cache folder was missing when an add or a fetch began are stored without a look-up first; what was
/// there already, or is stored twice in one run, stays one object.
/// </summary>
public sealed class CacheFoldersTests
{
    [Fact]
    public void A_snapshot_knows_the_object_folders_that_existed_and_only_those()
    {
        using var temp = new TempDirectory();
        var objects = temp.Combine("files", "md5");
        Assert.False(CacheFolders.Snapshot(objects).MayHave("0a" + new string('0', 30)));

        foreach (var name in new[] { "0a", "ff", "zz", "0A", "abc" })
        {
            Directory.CreateDirectory(Path.Combine(objects, name));
        }

        File.WriteAllText(Path.Combine(objects, "0b"), "a file, not a folder");
        var snapshot = CacheFolders.Snapshot(objects);
        Directory.CreateDirectory(Path.Combine(objects, "0c"));

        Assert.True(snapshot.MayHave("0a" + new string('1', 30)));
        Assert.True(snapshot.MayHave("ff" + new string('2', 30) + ".dir"));
        Assert.False(snapshot.MayHave("0b" + new string('3', 30)));
        Assert.False(snapshot.MayHave("0c" + new string('4', 30))); // created after the snapshot
        Assert.False(snapshot.MayHave("ab" + new string('5', 30)));
    }

    [Fact]
    public async Task Files_with_the_same_bytes_added_into_new_cache_folders_become_one_object()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        for (var i = 0; i < 200; i++)
        {
            fixture.Write($"data/{i % 7}/copy{i}.txt", $"content {i % 3}");
        }

        var added = await fixture.Repository.AddAsync("data");

        Assert.Equal(200, added.FileCount);
        var objects = Directory.EnumerateFiles(fixture.Full(".dvc/cache/files/md5"), "*", SearchOption.AllDirectories).ToList();
        Assert.Equal(4, objects.Count); // three contents and the manifest
        Assert.DoesNotContain(objects, o => DataRepository.IsOurTemporaryFile(Path.GetFileName(o)));
        Assert.True((await fixture.Repository.StatusAsync()).IsClean);
    }

    [Fact]
    public async Task A_pull_into_a_cache_holding_some_objects_fetches_only_the_others()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        using var remote = new TempDirectory();
        File.WriteAllText(fixture.Full(".dvc/config"), $"[core]\n    remote = storage\n['remote \"storage\"']\n    url = {remote.Path}\n");
        fixture.Reopen();
        for (var i = 0; i < 50; i++)
        {
            fixture.Write($"data/file{i}.txt", $"bytes {i}");
        }

        var added = await fixture.Repository.AddAsync("data");
        await fixture.Repository.PushAsync();

        // Keep the manifest and the objects of the first ten files; the rest must come from the remote.
        var kept = new HashSet<string>(StringComparer.Ordinal) { fixture.CacheObject(added.Md5) };
        for (var i = 0; i < 10; i++)
        {
            kept.Add(fixture.CacheObject(DataRepoFixture.Md5($"bytes {i}")));
        }

        foreach (var file in Directory.EnumerateFiles(fixture.Full(".dvc/cache/files/md5"), "*", SearchOption.AllDirectories).Where(f => !kept.Contains(f)).ToList())
        {
            File.SetAttributes(file, FileAttributes.Normal);
            File.Delete(file);
        }

        Directory.Delete(fixture.Full("data"), recursive: true);
        var pulled = await fixture.Reopen().PullAsync();

        Assert.Equal(new TransferResult(40, 11), pulled.Transfer);
        Assert.Equal(50, pulled.Checkout.Added.Count);
        Assert.Equal("bytes 42", fixture.Read("data/file42.txt"));
        Assert.True((await fixture.Repository.StatusAsync()).IsClean);
    }
}
