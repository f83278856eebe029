using System.Diagnostics;
using System.Globalization;

namespace Mlops.DataVersioning.Internal;

/// <summary>
/// The repository lock, <c>.dvc/tmp/lock</c>: created exclusively and holding the owner's process id,
/// so a second writer waits, or fails with "locked by process N". A lock left by a process that no
/// longer runs (killed, crashed) is taken over.
/// </summary>
internal sealed class RepositoryLock : IDisposable
{
    private readonly string _path;
    private readonly string _content;

    private RepositoryLock(string path, string content)
    {
        _path = path;
        _content = content;
    }

    public static async Task<RepositoryLock> AcquireAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var content = $"{Environment.ProcessId}\n{Guid.NewGuid():N}\n";
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
                using (var writer = new StreamWriter(stream))
                {
                    writer.Write(content);
                }

                return new RepositoryLock(path, content);
            }
            catch (IOException) when (File.Exists(path))
            {
                var owner = ReadOwner(path);
                if ((owner is { } pid && !IsRunning(pid)) || (owner is null && IsOld(path)))
                {
                    // The owner is gone: take the stale lock over.
                    TryDelete(path);
                    continue;
                }

                if (deadline.Elapsed >= timeout)
                {
                    throw new DataVersioningException(
                        $"The data repository is locked by process {owner?.ToString(CultureInfo.InvariantCulture) ?? "unknown"} ('{path}'). Wait for that operation to finish and try again; if no such process runs, delete the lock file.");
                }

                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (File.Exists(_path) && File.ReadAllText(_path) == _content)
            {
                File.Delete(_path);
            }
        }
        catch (IOException)
        {
        }
    }

    internal static int? ReadOwner(string path)
    {
        try
        {
            var text = File.ReadAllText(path);
            var line = text.Split('\n', 2)[0].Trim();
            return int.TryParse(line, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    // A lock file without a process id was left by a process killed between creating and writing it.
    private static bool IsOld(string path) => DateTime.UtcNow - File.GetLastWriteTimeUtc(path) > TimeSpan.FromSeconds(10);

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return true;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
