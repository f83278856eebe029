namespace Mlops.DataVersioning.Tests;

/// <summary>
/// Status remembers, per tracked folder, that every object was in the cache, stamped by the cache folders' inode and
/// modification time, and only looks into cache folders changed since.
/// </summary>
public sealed class CompleteDirectoryTests
{
    [Fact]
    public async Task An_object_removed_right_after_add_is_reported_not_in_cache()
    {
        using var fixture = await WithFolderAsync();

        RemoveObject(fixture, "two");

        Assert.Equal([new OutputStatus("data", "data.dvc", OutputState.NotInCache)], (await fixture.Repository.StatusAsync()).Changes);
        Assert.Equal([new OutputStatus("data", "data.dvc", OutputState.NotInCache)], (await fixture.Reopen().StatusAsync()).Changes);
    }

    [Fact]
    public async Task An_object_removed_after_status_found_the_folder_complete_is_reported_not_in_cache()
    {
        using var fixture = await WithFolderAsync();
        AgeCacheFolders(fixture);
        Assert.True((await fixture.Repository.StatusAsync()).IsClean);

        RemoveObject(fixture, "three");

        Assert.Equal([new OutputStatus("data", "data.dvc", OutputState.NotInCache)], (await fixture.Reopen().StatusAsync()).Changes);
    }

    [Fact]
    public async Task A_cache_folder_unchanged_since_its_stamp_is_not_looked_into_again()
    {
        using var fixture = await WithFolderAsync();
        var agedTo = AgeCacheFolders(fixture);
        Assert.True((await fixture.Repository.StatusAsync()).IsClean);

        // Remove an object behind the folder's back: same inode, same modification time. Only the stamp can tell,
        // and it says nothing changed, so status does not look (which is what makes it fast).
        var folder = RemoveObject(fixture, "one");
        Directory.SetLastWriteTimeUtc(folder, agedTo);
        Assert.True((await fixture.Reopen().StatusAsync()).IsClean);

        // Any real change to the folder moves its modification time: then it is looked into.
        Directory.SetLastWriteTimeUtc(folder, DateTime.UtcNow);
        Assert.Equal([new OutputStatus("data", "data.dvc", OutputState.NotInCache)], (await fixture.Reopen().StatusAsync()).Changes);
    }

    [Fact]
    public async Task A_state_file_from_before_stamps_were_kept_still_reads()
    {
        using var fixture = await WithFolderAsync();
        var state = Path.Combine(fixture.Path, ".dvc", "tmp", "mlops-state.bin");
        var bytes = File.ReadAllBytes(state);

        // The stamps are the last section: drop it, as an older version wrote the file.
        Assert.True(FindEndOfEntries(bytes) < bytes.Length);
        File.WriteAllBytes(state, bytes[..FindEndOfEntries(bytes)]);

        Assert.True((await fixture.Reopen().StatusAsync()).IsClean);
        RemoveObject(fixture, "two");
        Assert.Equal([new OutputStatus("data", "data.dvc", OutputState.NotInCache)], (await fixture.Reopen().StatusAsync()).Changes);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public async Task Damaged_stamps_only_cost_a_recheck(int length)
    {
        using var fixture = await WithFolderAsync();
        var state = Path.Combine(fixture.Path, ".dvc", "tmp", "mlops-state.bin");
        var bytes = File.ReadAllBytes(state);
        using (var writer = new BinaryWriter(File.Create(state)))
        {
            // The entries as they were, then one directory whose stamp count is out of range.
            writer.Write(bytes.AsSpan(0, FindEndOfEntries(bytes)));
            writer.Write(1);
            writer.Write("d41d8cd98f00b204e9800998ecf8427e.dir");
            writer.Write(length);
        }

        Assert.True((await fixture.Reopen().StatusAsync()).IsClean);
        RemoveObject(fixture, "one");
        Assert.Equal([new OutputStatus("data", "data.dvc", OutputState.NotInCache)], (await fixture.Reopen().StatusAsync()).Changes);
    }

    private static async Task<DataRepoFixture> WithFolderAsync()
    {
        var fixture = await DataRepoFixture.CreateAsync();
        fixture.Write("data/one", "one");
        fixture.Write("data/sub/two", "two");
        fixture.Write("data/sub/three", "three");
        await fixture.Repository.AddAsync("data");
        return fixture;
    }

    // Dates every cache folder an hour back, so that its stamp is not within a timestamp tick of its last change.
    private static DateTime AgeCacheFolders(DataRepoFixture fixture)
    {
        var agedTo = DateTime.UtcNow.AddHours(-1).AddTicks(1234567);
        foreach (var folder in Directory.GetDirectories(Path.Combine(fixture.Path, ".dvc", "cache", "files", "md5")))
        {
            Directory.SetLastWriteTimeUtc(folder, agedTo);
        }

        return agedTo;
    }

    private static string RemoveObject(DataRepoFixture fixture, string content)
    {
        var path = fixture.CacheObject(DataRepoFixture.Md5(content));
        File.SetAttributes(path, FileAttributes.Normal);
        File.Delete(path);
        return Path.GetDirectoryName(path)!;
    }

    // The state file: magic (8), count (4), then per entry a path string, four longs and an md5 string.
    private static int FindEndOfEntries(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        reader.ReadBytes(8);
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            reader.ReadString();
            reader.ReadBytes(32);
            reader.ReadString();
        }

        return (int)reader.BaseStream.Position;
    }
}
