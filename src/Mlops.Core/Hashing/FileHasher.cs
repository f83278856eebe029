using System.Buffers;
using System.Security.Cryptography;

namespace Mlops.Core.Hashing;

/// <summary>
/// Computes DVC 3 file hashes: the md5 of a file's raw bytes, as 32 lowercase hex digits.
/// </summary>
/// <remarks>
/// A single file is read sequentially in large blocks with read-ahead overlapping hashing;
/// many files are hashed in parallel on all cores.
/// </remarks>
public static class FileHasher
{
    // Large reads keep the per-call overhead well below md5's own cost.
    private const int LargeBlockSize = 1 << 20;

    // Files up to this size are hashed in one shot from a pooled buffer.
    private const int SmallFileLimit = 256 * 1024;

    /// <summary>
    /// Lowercase hex, by a plain loop: <see cref="Convert.ToHexStringLower(ReadOnlySpan{byte})"/>'s vectorized code is not
    /// precompiled, so a short process (one add of 10,000 files: a call per file) would run it unoptimized.
    /// </summary>
    internal static string ToLowerHex(ReadOnlySpan<byte> bytes)
    {
        const string Digits = "0123456789abcdef";
        Span<char> chars = stackalloc char[bytes.Length * 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[2 * i] = Digits[bytes[i] >> 4];
            chars[(2 * i) + 1] = Digits[bytes[i] & 0xF];
        }

        return new string(chars);
    }

    /// <summary>Returns the md5 of <paramref name="data"/> as lowercase hex.</summary>
    public static string HashBytes(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[MD5.HashSizeInBytes];
        MD5.HashData(data, hash);
        return ToLowerHex(hash);
    }

    /// <summary>Returns the md5 of everything <paramref name="stream"/> yields, read to its end.</summary>
    public static async ValueTask<string> HashStreamAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = ArrayPool<byte>.Shared.Rent(LargeBlockSize);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, LargeBlockSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                md5.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return ToLowerHex(md5.GetHashAndReset());
    }

    /// <summary>Returns the md5 of the file at <paramref name="path"/>.</summary>
    /// <exception cref="MlopsException">The file cannot be read.</exception>
    public static string HashFile(string path, CancellationToken cancellationToken = default) =>
        HashFile(path, readAhead: true, cancellationToken);

    private static string HashFile(string path, bool readAhead, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            var length = RandomAccess.GetLength(handle);
            return length <= SmallFileLimit
                ? HashSmall(handle, (int)length)
                : HashLarge(handle, readAhead, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MlopsException($"Cannot hash '{path}': {ex.Message}", ex);
        }
    }

    /// <summary>Returns the md5 of the file at <paramref name="path"/> without blocking the caller.</summary>
    public static Task<string> HashFileAsync(string path, CancellationToken cancellationToken = default) =>
        Task.Run(() => HashFile(path, cancellationToken), cancellationToken);

    /// <summary>
    /// Hashes many files in parallel and returns their md5s in the order of <paramref name="paths"/>.
    /// </summary>
    /// <param name="paths">The files to hash.</param>
    /// <param name="maxDegreeOfParallelism">How many files at once; defaults to the processor count.</param>
    /// <param name="progress">Told the number of files hashed so far, now and then.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public static async Task<string[]> HashFilesAsync(
        IReadOnlyList<string> paths,
        int? maxDegreeOfParallelism = null,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var results = new string[paths.Count];
        var done = 0;
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };

        // Chunks of indices keep scheduling overhead low for thousands of small files.
        await Task.Run(
            () => Parallel.ForEach(
                System.Collections.Concurrent.Partitioner.Create(0, paths.Count, Math.Max(1, Math.Min(64, paths.Count / (options.MaxDegreeOfParallelism * 4) + 1))),
                options,
                range =>
                {
                    for (var i = range.Item1; i < range.Item2; i++)
                    {
                        // Every core is hashing already: a read-ahead thread per file would only compete with them.
                        results[i] = HashFile(paths[i], readAhead: false, cancellationToken);
                    }

                    var total = Interlocked.Add(ref done, range.Item2 - range.Item1);
                    progress?.Report(total);
                }),
            cancellationToken).ConfigureAwait(false);
        return results;
    }

    private static string HashSmall(Microsoft.Win32.SafeHandles.SafeFileHandle handle, int length)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            var total = 0;
            int read;
            while (total < buffer.Length && (read = RandomAccess.Read(handle, buffer.AsSpan(total), total)) > 0)
            {
                total += read;
            }

            // The file may have grown since its length was read; hash what is there now.
            if (total == buffer.Length)
            {
                return HashLarge(handle, readAhead: false, CancellationToken.None);
            }

            return HashBytes(buffer.AsSpan(0, total));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string HashLarge(Microsoft.Win32.SafeHandles.SafeFileHandle handle, bool readAhead, CancellationToken cancellationToken)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var current = ArrayPool<byte>.Shared.Rent(LargeBlockSize);
        var next = ArrayPool<byte>.Shared.Rent(LargeBlockSize);
        try
        {
            long offset = 0;
            var read = RandomAccess.Read(handle, current.AsSpan(0, LargeBlockSize), offset);
            while (read > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                offset += read;

                if (!readAhead)
                {
                    md5.AppendData(current, 0, read);
                    read = RandomAccess.Read(handle, current.AsSpan(0, LargeBlockSize), offset);
                    continue;
                }

                // Read the next block on another thread while this one is hashed: md5 is the bottleneck,
                // and this hides the copy from the page cache behind it.
                var nextOffset = offset;
                var nextBuffer = next;
                var nextRead = Task.Run(() => RandomAccess.Read(handle, nextBuffer.AsSpan(0, LargeBlockSize), nextOffset), cancellationToken);
                md5.AppendData(current, 0, read);
                read = nextRead.GetAwaiter().GetResult();
                (current, next) = (next, current);
            }

            return ToLowerHex(md5.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(next);
        }
    }
}
