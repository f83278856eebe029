using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Mlops.Core.Hashing;

namespace Mlops.Benchmarks;

/// <summary>
/// <see cref="FileHasher"/> on one large file (sequential read with read-ahead; md5 bound) and on
/// many small files (parallel; per-file open/read/close bound). After the warm-up the files are in
/// the page cache, so this measures hashing and system-call cost, not the disk.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class HashingBenchmarks
{
    private const int LargeFileSize = 64 * 1024 * 1024;
    private const int SmallFileCount = 2_000;

    private string _directory = string.Empty;
    private string _largeFile = string.Empty;
    private string[] _smallFiles = [];

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("mlops-hash-bench-").FullName;
        _largeFile = Path.Combine(_directory, "large.bin");
        TestData.WriteRandomFile(_largeFile, LargeFileSize, seed: 1);
        _smallFiles = TestData.WriteTree(Path.Combine(_directory, "tree"), SmallFileCount, seed: 2);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    /// <summary>The md5 of one 64 MiB file.</summary>
    [Benchmark]
    [BenchmarkCategory("One 64 MiB file")]
    public string HashFile_64MiB() => FileHasher.HashFile(_largeFile);

    /// <summary>The md5s of 2,000 files of 1–20 KB, one at a time.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("2,000 files of 1-20 KB")]
    public Task<string[]> HashFilesAsync_OneThread() => FileHasher.HashFilesAsync(_smallFiles, maxDegreeOfParallelism: 1);

    /// <summary>The md5s of 2,000 files of 1–20 KB, on every core.</summary>
    [Benchmark]
    [BenchmarkCategory("2,000 files of 1-20 KB")]
    public Task<string[]> HashFilesAsync_AllCores() => FileHasher.HashFilesAsync(_smallFiles, maxDegreeOfParallelism: Environment.ProcessorCount);
}
