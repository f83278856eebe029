using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Mlops.Conformance;
using Mlops.Core;
using Mlops.Core.Storage;
using Mlops.Tracking.Sqlite;

namespace Mlops.Tracking.Tests;

/// <summary>A tracker on a fresh SQLite file, an in-memory artifact store and a fake clock.</summary>
public sealed class TrackerFixture : IAsyncDisposable
{
    private readonly TempDirectory _temp = new();

    public TrackerFixture(bool captureEnvironment = false, string? gitWorkingDirectory = null)
    {
        Clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero));
        Store = new SqliteTrackingStore(new SqliteTrackingStoreOptions { Path = _temp.Combine("mlruns.db") }, Clock);
        Artifacts = new InMemoryBlobStore("artifacts");
        var snapshotOptions = new EnvironmentSnapshotOptions { GitWorkingDirectory = gitWorkingDirectory ?? _temp.Path };
        Tracker = new ExperimentTracker(
            Store,
            Artifacts,
            Options.Create(new TrackingOptions { CaptureEnvironment = captureEnvironment, UserName = "ada" }),
            new EnvironmentSnapshotProvider(Options.Create(snapshotOptions), Clock),
            Clock);
    }

    public FakeTimeProvider Clock { get; }

    public SqliteTrackingStore Store { get; }

    public InMemoryBlobStore Artifacts { get; }

    public ExperimentTracker Tracker { get; }

    public string TempPath(string name) => _temp.Combine(name);

    public async ValueTask DisposeAsync()
    {
        await Tracker.DisposeAsync();
        await Store.DisposeAsync();
        _temp.Dispose();
    }
}
