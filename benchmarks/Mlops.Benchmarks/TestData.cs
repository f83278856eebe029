namespace Mlops.Benchmarks;

/// <summary>Writes reproducible random files for the benchmarks and the hash runner.</summary>
internal static class TestData
{
    /// <summary>Writes <paramref name="size"/> pseudo-random bytes to <paramref name="path"/>.</summary>
    public static void WriteRandomFile(string path, long size, int seed)
    {
        var random = new Random(seed);
        var buffer = new byte[1 << 20];
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        for (long written = 0; written < size; written += buffer.Length)
        {
            random.NextBytes(buffer);
            stream.Write(buffer, 0, (int)Math.Min(buffer.Length, size - written));
        }
    }

    /// <summary>
    /// Writes <paramref name="count"/> files of 1–20 KB of random bytes into 100 subfolders of
    /// <paramref name="root"/> and returns their paths.
    /// </summary>
    public static string[] WriteTree(string root, int count, int seed)
    {
        var random = new Random(seed);
        var buffer = new byte[20 * 1024];
        var paths = new string[count];
        for (var i = 0; i < count; i++)
        {
            var folder = Path.Combine(root, (i % 100).ToString("D2", System.Globalization.CultureInfo.InvariantCulture));
            Directory.CreateDirectory(folder);
            var size = random.Next(1024, 20 * 1024 + 1);
            random.NextBytes(buffer.AsSpan(0, size));
            paths[i] = Path.Combine(folder, $"{i:D5}.bin");
            File.WriteAllBytes(paths[i], buffer.AsSpan(0, size));
        }

        return paths;
    }
}
