using Mlops.Conformance;
using Mlops.Tracking.Sqlite;

namespace Mlops.Tracking.Tests;

public sealed class SqliteTrackingStoreConformanceTests : TrackingStoreConformanceTests, IDisposable
{
    private readonly TempDirectory _temp = new();

    protected override Task<TrackingStore> CreateStoreAsync() =>
        Task.FromResult<TrackingStore>(new SqliteTrackingStore(_temp.Combine("mlruns.db")));

    public void Dispose() => _temp.Dispose();
}
