using System.Diagnostics;
using System.Security.Cryptography;
using Mlops.Core.Storage;

namespace Mlops.DataVersioning.Tests;

public sealed class SafetyTests
{
    /// <summary>Starts the helper that adds <paramref name="path"/> and hangs after the first copied block, holding the lock.</summary>
    private static (Process Process, int Pid) StartHangingAdd(DataRepoFixture fixture, string path)
    {
        var marker = fixture.Full(".hang-marker");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Mlops.DataVersioning.TestHelper.dll"));
        start.ArgumentList.Add("add-and-hang");
        start.ArgumentList.Add(fixture.Path);
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(marker);
        var process = Process.Start(start)!;

        // Wait for the child to reach the middle of its copy (not a timing assertion: only a bound on a hang).
        var waited = Stopwatch.StartNew();
        while (!File.Exists(marker))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The helper exited early ({process.ExitCode}): {process.StandardError.ReadToEnd()}");
            }

            if (waited.Elapsed > TimeSpan.FromMinutes(2))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("The helper never reached the copy.");
            }

            Thread.Sleep(20);
        }

        File.Delete(marker);
        return (process, process.Id);
    }

    private static void Kill(Process process)
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
        process.Dispose();
    }

    [Fact]
    public async Task Killing_an_add_mid_copy_keeps_the_source_and_leaves_no_partial_object()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        var content = RandomNumberGenerator.GetBytes(6 * 1024 * 1024);
        var source = fixture.Full("big.bin");
        await File.WriteAllBytesAsync(source, content);
        var md5 = Convert.ToHexStringLower(MD5.HashData(content));

        var (process, _) = StartHangingAdd(fixture, "big.bin");
        Kill(process);

        Assert.Equal(content, await File.ReadAllBytesAsync(source));
        Assert.False(File.Exists(fixture.CacheObject(md5)));
        Assert.False(File.Exists(fixture.Full("big.bin.dvc")));
        var cache = new ContentAddressedStore(new FileSystemBlobStore("cache", Path.Combine(fixture.Path, ".dvc", "cache")));
        Assert.Empty(await cache.ListOidsAsync().ToListAsync());

        // The killed process's lock is stale: the next add takes it over and completes.
        var tracked = await fixture.Repository.AddAsync("big.bin");
        Assert.Equal(md5, tracked.Md5);
        Assert.Equal(content, await File.ReadAllBytesAsync(fixture.CacheObject(md5)));
        Assert.True((await fixture.Repository.StatusAsync()).IsClean);
    }

    [Fact]
    public async Task A_second_writer_fails_with_locked_by_process_N_and_the_repository_stays_consistent()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        await File.WriteAllBytesAsync(fixture.Full("big.bin"), RandomNumberGenerator.GetBytes(3 * 1024 * 1024));
        fixture.Write("small.csv", "a,b\n");

        var (process, pid) = StartHangingAdd(fixture, "big.bin");
        try
        {
            var impatient = fixture.Reopen(new DataRepositoryOptions { LockTimeout = TimeSpan.Zero });
            var error = await Assert.ThrowsAsync<DataVersioningException>(() => impatient.AddAsync("small.csv"));

            Assert.Contains($"locked by process {pid}", error.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(fixture.Full("small.csv.dvc")));
        }
        finally
        {
            Kill(process);
        }

        await fixture.Repository.AddAsync("small.csv");
        await fixture.Repository.AddAsync("big.bin");
        Assert.True((await fixture.Repository.StatusAsync()).IsClean);
    }

    [Fact]
    public async Task Two_adds_at_once_take_turns_and_both_land()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        for (var i = 0; i < 30; i++)
        {
            fixture.Write($"left/{i}.txt", $"left {i}");
            fixture.Write($"right/{i}.txt", $"right {i}");
        }

        var first = DataRepository.Open(fixture.Path);
        var second = DataRepository.Open(fixture.Path);

        await Task.WhenAll(Task.Run(() => first.AddAsync("left")), Task.Run(() => second.AddAsync("right")));

        Assert.True(File.Exists(fixture.Full("left.dvc")));
        Assert.True(File.Exists(fixture.Full("right.dvc")));
        Assert.Equal("/left\n/right\n".Split('\n').Order(), fixture.Read(".gitignore").Split('\n').Order());
        Assert.False(File.Exists(fixture.Full(".dvc/tmp/lock")));
        Assert.True((await fixture.Reopen().StatusAsync()).IsClean);
    }

    [Theory]
    [InlineData("../escaped.txt")]
    [InlineData("/tmp/escaped.txt")]
    [InlineData("sub/../../escaped.txt")]
    public async Task A_manifest_entry_escaping_the_directory_is_rejected(string relpath)
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        var json2 = System.Text.Encoding.UTF8.GetBytes($"[{{\"md5\": \"acbd18db4cc2f85cedef654fccc4a4d8\", \"relpath\": \"{relpath}\"}}]");
        var oid = Convert.ToHexStringLower(MD5.HashData(json2)) + ".dir";
        var cache = new ContentAddressedStore(new FileSystemBlobStore("cache", Path.Combine(fixture.Path, ".dvc", "cache")));
        await cache.WriteAsync(oid, new MemoryStream(json2));
        await cache.WriteAsync("acbd18db4cc2f85cedef654fccc4a4d8", new MemoryStream("foo"u8.ToArray()));
        File.WriteAllText(fixture.Full("data.dvc"), $"outs:\n- md5: {oid}\n  size: 3\n  nfiles: 1\n  hash: md5\n  path: data\n");

        var error = await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Repository.CheckoutAsync());

        Assert.Contains("outside its directory", error.Message, StringComparison.Ordinal);
        Assert.Contains(relpath, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(fixture.Path, "..", "escaped.txt")));
        Assert.False(File.Exists(fixture.Full("escaped.txt")));
        await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Repository.OpenAsync("data/x"));
    }

    [Fact]
    public async Task An_invalid_pointer_in_the_workspace_is_reported_with_its_file_and_line()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        fixture.Write("data/broken.csv.dvc", "outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 3\n   path: broken.csv\n");

        var error = await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Repository.StatusAsync());

        Assert.Contains("data/broken.csv.dvc", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pointer_whose_path_escapes_the_repository_is_rejected()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        fixture.Write("evil.dvc", "outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 3\n  hash: md5\n  path: ../../etc/passwd\n");

        var error = await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Repository.CheckoutAsync());

        Assert.Contains("escapes the repository", error.Message, StringComparison.Ordinal);
    }
}
