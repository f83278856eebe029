using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mlops.Core.Hashing;

namespace Mlops.Benchmarks;

/// <summary>
/// The in-process side of <c>benchmarks/hash-vs-md5sum.sh</c>. Each timing is a
/// <see cref="Stopwatch"/> around the <see cref="FileHasher"/> call only: process start-up and
/// JIT of <c>Main</c> are excluded (the script reports the whole process's wall-clock too).
/// </summary>
internal static class HashRunner
{
    /// <summary>
    /// <c>--hash FILE</c>: prints "md5 seconds cpu-seconds" for one <see cref="FileHasher.HashFile"/>
    /// call: its wall-clock, and the CPU time of all the process's threads during it.
    /// </summary>
    public static int HashOne(string path)
    {
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var md5 = FileHasher.HashFile(path);
        stopwatch.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{md5} {stopwatch.Elapsed.TotalSeconds:F4} {cpu.TotalSeconds:F4}"));
        return 0;
    }

    /// <summary><c>--make-tree DIR COUNT</c>: writes COUNT files of 1–20 KB under DIR.</summary>
    public static int MakeTree(string root, int count)
    {
        TestData.WriteTree(root, count, seed: 3);
        return 0;
    }

    /// <summary>
    /// <c>--hash-tree DIR ROUNDS</c>: hashes every file under DIR with one thread and with every
    /// core, alternating, ROUNDS times each after one untimed warm-up pass; prints the median
    /// files/s of each, and the md5 of the sorted "md5  path" lines so the caller can check it
    /// against md5sum.
    /// </summary>
    public static async Task<int> HashTree(string root, int rounds)
    {
        var paths = Directory.GetFiles(root, "*", SearchOption.AllDirectories);
        Array.Sort(paths, StringComparer.Ordinal);
        var cores = Environment.ProcessorCount;

        var hashes = await FileHasher.HashFilesAsync(paths, cores);
        var one = new List<double>();
        var all = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            one.Add(await TimeAsync(paths, 1));
            all.Add(await TimeAsync(paths, cores));
        }

        var listing = new StringBuilder();
        for (var i = 0; i < paths.Length; i++)
        {
            listing.Append(hashes[i]).Append("  ").Append(Path.GetRelativePath(root, paths[i])).Append('\n');
        }

        var oneRate = paths.Length / Median(one);
        var allRate = paths.Length / Median(all);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"files {paths.Length}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cores {cores}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one_thread_seconds {string.Join(',', one.Select(s => s.ToString("F4", CultureInfo.InvariantCulture)))}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"all_cores_seconds {string.Join(',', all.Select(s => s.ToString("F4", CultureInfo.InvariantCulture)))}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one_thread_files_per_s {oneRate:F0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"all_cores_files_per_s {allRate:F0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"speedup {allRate / oneRate:F2}"));
        Console.WriteLine($"listing_md5 {FileHasher.HashBytes(Encoding.UTF8.GetBytes(listing.ToString()))}");
        return 0;
    }

    private static async Task<double> TimeAsync(string[] paths, int parallelism)
    {
        var stopwatch = Stopwatch.StartNew();
        await FileHasher.HashFilesAsync(paths, parallelism);
        return stopwatch.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
