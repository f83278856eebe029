using System.Diagnostics;
using System.Security.Cryptography;

namespace Mlops.DataVersioning.Tests;

/// <summary>
/// Kills a checkout and a pull in the middle of writing a large file. The kill is deterministic: the object the child
/// reads is a FIFO that the test feeds with part of the bytes, so the child is stuck mid-copy until it is killed.
/// </summary>
public sealed class KillMidWriteTests
{
    private const int Size = 4 * 1024 * 1024;
    private const int Fed = 1024 * 1024;

    [Fact]
    public async Task Killing_a_checkout_mid_copy_keeps_the_old_file_whole_and_a_rerun_completes()
    {
        using var fixture = await DataRepoFixture.CreateAsync(cacheType: "copy");
        var v1 = RandomNumberGenerator.GetBytes(Size);
        var v2 = RandomNumberGenerator.GetBytes(Size);
        var big = fixture.Full("big.bin");
        await File.WriteAllBytesAsync(big, v1);
        await fixture.Repository.AddAsync("big.bin");
        await File.WriteAllBytesAsync(big, v2);
        var v2Oid = (await fixture.Repository.AddAsync("big.bin")).Md5;

        // The workspace holds v1 (in the cache, so checkout may replace it); the pointer says v2, served by a FIFO.
        await File.WriteAllBytesAsync(big, v1);
        var cached = fixture.CacheObject(v2Oid);
        ReplaceWithFifo(cached);
        await KillMidWriteAsync("checkout", fixture.Path, cached, v2, fixture.Path);

        Assert.Equal(v1, await File.ReadAllBytesAsync(big));
        Assert.NotEmpty(Directory.EnumerateFiles(fixture.Path, ".big.bin.*.tmp")); // the killed copy's

        File.Delete(cached);
        await File.WriteAllBytesAsync(cached, v2);
        var result = await fixture.Reopen().CheckoutAsync();

        Assert.Equal(["big.bin"], result.Modified);
        Assert.Equal(v2, await File.ReadAllBytesAsync(big));
        Assert.True((await fixture.Repository.StatusAsync()).IsClean);
        Assert.Empty(Directory.EnumerateFiles(fixture.Path, ".big.bin.*.tmp"));
    }

    [Fact]
    public async Task Killing_a_pull_mid_download_leaves_no_partial_object_and_a_rerun_completes_verified()
    {
        using var fixture = await DataRepoFixture.CreateAsync();
        using var remote = new TempDirectory();
        File.WriteAllText(fixture.Full(".dvc/config"), $"[core]\n    remote = storage\n['remote \"storage\"']\n    url = {remote.Path}\n");
        var content = RandomNumberGenerator.GetBytes(Size);
        var big = fixture.Full("big.bin");
        await File.WriteAllBytesAsync(big, content);
        var oid = (await fixture.Reopen().AddAsync("big.bin")).Md5;
        await fixture.Repository.PushAsync();
        VersionedReadTests.DeleteCache(fixture);
        File.Delete(big);

        var onRemote = Path.Combine(remote.Path, "files", "md5", oid[..2], oid[2..]);
        ReplaceWithFifo(onRemote);
        await KillMidWriteAsync("pull", fixture.Path, onRemote, content, fixture.Full(".dvc/cache"));

        Assert.False(File.Exists(fixture.CacheObject(oid)));
        Assert.False(File.Exists(big));

        File.Delete(onRemote);
        await File.WriteAllBytesAsync(onRemote, content);
        var pulled = await fixture.Reopen().PullAsync();

        Assert.Equal(1, pulled.Transfer.Transferred);
        Assert.Equal(content, await File.ReadAllBytesAsync(fixture.CacheObject(oid)));
        Assert.Equal(content, await File.ReadAllBytesAsync(big));
        Assert.True((await fixture.Repository.StatusAsync()).IsClean);
    }

    private static void ReplaceWithFifo(string path)
    {
        File.SetAttributes(path, FileAttributes.Normal);
        File.Delete(path);
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { RedirectStandardError = true })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    /// <summary>
    /// Runs the helper's <paramref name="verb"/> with the FIFO at <paramref name="fifo"/> fed only the first bytes of
    /// <paramref name="content"/>, waits until a temporary file below <paramref name="watched"/> holds exactly those bytes
    /// (the child is stuck mid-write), and kills the child there.
    /// </summary>
    private static async Task KillMidWriteAsync(string verb, string repository, string fifo, byte[] content, string watched)
    {
        var killed = new TaskCompletionSource();
        var feeding = Task.Run(async () =>
        {
            // Opening blocks until the child opens the FIFO to read; the child then waits for bytes that never come. A
            // child that closes it unread (the small-object path tells a pipe by not being able to read it at an
            // offset, and falls back to a stream) gets the bytes from the start on its next open, as from a file.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await using var stream = new FileStream(fifo, FileMode.Open, FileAccess.Write);
                    await stream.WriteAsync(content.AsMemory(0, Fed));
                    await stream.FlushAsync();
                    await killed.Task;
                    return;
                }
                catch (IOException) when (attempt < 3 && !killed.Task.IsCompleted)
                {
                }
            }
        });
        var process = StartHelper(verb, repository);
        try
        {
            await WaitForPartialCopyAsync(process, watched, Fed);
        }
        catch
        {
            // Pair the feeder with a reader of our own so that it is not left waiting for one (nor tries again).
            killed.TrySetResult();
            if (!feeding.IsCompleted)
            {
                await using var release = new FileStream(fifo, FileMode.Open, FileAccess.Read);
            }

            throw;
        }
        finally
        {
            Kill(process);
            killed.TrySetResult();
        }

        try
        {
            await feeding;
        }
        catch (IOException)
        {
            // The reader died: closing a FIFO without one may fail, and does not matter.
        }
    }

    private static Process StartHelper(string verb, string repository)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Mlops.DataVersioning.TestHelper.dll"));
        start.ArgumentList.Add(verb);
        start.ArgumentList.Add(repository);
        return Process.Start(start)!;
    }

    /// <summary>Waits until a temporary file below <paramref name="folder"/> holds exactly the bytes fed so far: the child is stuck mid-write.</summary>
    private static async Task WaitForPartialCopyAsync(Process process, string folder, long bytes)
    {
        // Not a timing assertion: only a bound on a hang.
        var waited = Stopwatch.StartNew();
        while (!Directory.Exists(folder) || !Directory.EnumerateFiles(folder, "*.tmp", SearchOption.AllDirectories).Any(f => DataRepository.IsOurTemporaryFile(Path.GetFileName(f)) && new FileInfo(f).Length == bytes))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The helper exited early ({process.ExitCode}): {await process.StandardError.ReadToEndAsync()}");
            }

            if (waited.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException("The helper never reached the middle of its copy.");
            }

            await Task.Delay(20);
        }
    }

    private static void Kill(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
        process.Dispose();
    }
}
