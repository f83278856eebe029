// The QuickStart: the whole MLOps story on the Auto MPG data, on embedded defaults (no server,
// no setup). Each chapter of the suite adds its step here as it lands.
using Microsoft.Extensions.DependencyInjection;
using Mlops.Core;
using Mlops.Core.Hashing;
using Mlops.Core.Storage;

var workspace = args.Length > 0 ? Path.GetFullPath(args[0]) : Path.Combine(Path.GetTempPath(), "mlops-quickstart");
Directory.CreateDirectory(workspace);
var data = Path.Combine(AppContext.BaseDirectory, "data", "auto-mpg.csv");

var services = new ServiceCollection();
services.AddMlopsCore(o => o.GitWorkingDirectory = Environment.CurrentDirectory)
        .AddFileSystemBlobStore("cache", o =>
        {
            o.RootPath = Path.Combine(workspace, "cache");
            o.MakeReadOnly = true;
        });
await using var provider = services.BuildServiceProvider();

// Chapter 0: what does this run on? The snapshot every tracked run will carry.
var snapshot = provider.GetRequiredService<EnvironmentSnapshotProvider>().Capture();
Console.WriteLine($"0. Environment: {snapshot.Runtime} on {snapshot.OperatingSystem} ({snapshot.Architecture}, {snapshot.ProcessorCount} cores)");
Console.WriteLine($"   Git: {(snapshot.Git is { } git ? $"{git.Commit[..12]} on {git.Branch ?? "(detached)"}{(git.IsDirty ? ", dirty" : "")}" : "not in a repository")}");
await File.WriteAllTextAsync(Path.Combine(workspace, "environment.json"), snapshot.ToJson());

// Chapter 1 (foundation): version the data by content, as DVC does.
var md5 = FileHasher.HashFile(data);
var cache = new ContentAddressedStore(provider.GetRequiredService<BlobStore>());
await using (var source = File.OpenRead(data))
{
    await cache.WriteAsync(md5, source);
}

Console.WriteLine($"1. Data: auto-mpg.csv has md5 {md5}; cached at {ContentAddressedStore.GetKey(md5)}");

// Reading that version back by its hash gives the same bytes, wherever the cache lives.
await using (var cached = await cache.OpenReadAsync(md5))
{
    var roundTrip = await FileHasher.HashStreamAsync(cached);
    Console.WriteLine($"   Read back by hash: {(roundTrip == md5 ? "identical" : "DIFFERENT")} ({new FileInfo(data).Length:N0} bytes)");
    if (roundTrip != md5)
    {
        return 1;
    }
}

Console.WriteLine($"Done. Workspace: {workspace}");
return 0;
