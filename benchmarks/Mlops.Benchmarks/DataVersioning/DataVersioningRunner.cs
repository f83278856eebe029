using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Blobs;
using Mlops.Core.Storage;
using Mlops.DataVersioning;
using Mlops.Storage.AzureBlob;

namespace Mlops.Benchmarks.DataVersioning;

/// <summary>
/// The in-process side of <c>benchmarks/data-versioning.sh</c>. Every timing is a <see cref="Stopwatch"/> around one
/// public <see cref="DataRepository"/> call, opening the repository included (process start-up and JIT of <c>Main</c>
/// excluded: the script times the <c>mlops</c> CLI end to end for that). Each mode prints "seconds cpu-seconds [count]".
/// </summary>
internal static class DataVersioningRunner
{
    /// <summary><c>--dv-add REPO PATH</c>: opens the repository and adds PATH.</summary>
    public static Task<int> Add(string repository, string path) =>
        TimeAsync(async () => (await DataRepository.Open(repository).AddAsync(path)).FileCount ?? 1);

    /// <summary><c>--dv-status REPO</c>: opens the repository and computes its status; fails unless it is clean.</summary>
    public static Task<int> Status(string repository) =>
        TimeAsync(async () =>
        {
            var report = await DataRepository.Open(repository).StatusAsync();
            return report.Changes.Count == 0 ? 0 : throw new InvalidOperationException($"The benchmark tree is not clean: {report.Changes.Count} change(s).");
        });

    /// <summary>
    /// <c>--dv-push REPO local DIR | azure CONTAINER</c>: pushes every tracked object to the remote (the Azure one from the
    /// connection string in <c>MLOPS_TEST_AZURE_BLOB</c>, container created first); prints the objects transferred.
    /// </summary>
    public static Task<int> Push(string repository, string kind, string target) =>
        TimeAsync(async () => (await Open(repository, kind, target).PushAsync(new TransferOptions { Remote = "bench" })).Transferred);

    /// <summary><c>--dv-pull REPO local DIR | azure CONTAINER</c>: pulls (fetch, then checkout) from the remote; prints the objects transferred.</summary>
    public static Task<int> Pull(string repository, string kind, string target) =>
        TimeAsync(async () => (await Open(repository, kind, target).PullAsync(new TransferOptions { Remote = "bench" })).Transfer.Transferred);

    private static DataRepository Open(string repository, string kind, string target)
    {
        var options = new DataRepositoryOptions();
        options.Remotes["bench"] = kind switch
        {
            "local" => new FileSystemBlobStore("bench", target),
            "azure" => CreateAzure(target),
            _ => throw new ArgumentException($"Unknown remote kind '{kind}': use local or azure.", nameof(kind)),
        };
        return DataRepository.Open(repository, options);
    }

    private static AzureBlobStore CreateAzure(string containerName)
    {
        var connectionString = Environment.GetEnvironmentVariable("MLOPS_TEST_AZURE_BLOB")
            ?? throw new InvalidOperationException("Set MLOPS_TEST_AZURE_BLOB to an Azurite connection string.");
        var container = new BlobContainerClient(connectionString, containerName);
        container.CreateIfNotExists();
        return new AzureBlobStore("bench", container, "", pipeline: null);
    }

    private static async Task<int> TimeAsync(Func<Task<int>> action)
    {
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var count = await action();
        stopwatch.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{stopwatch.Elapsed.TotalSeconds:F4} {cpu.TotalSeconds:F4} {count}"));
        return 0;
    }
}
