using System.Security.Cryptography;
using System.Text;
using Mlops.Conformance;
using Mlops.Core.Lineage;
using Mlops.DataVersioning;

namespace Mlops.Tracking.Tests;

/// <summary>Data lineage is process-wide, so these tests run alone: another test's active run would hear their reads.</summary>
[CollectionDefinition(nameof(DataReadRecordingTests), DisableParallelization = true)]
public sealed class DataReadRecordingCollection;

[Collection(nameof(DataReadRecordingTests))]
public sealed class DataReadRecordingTests
{
    [Fact]
    public async Task A_run_records_the_data_version_it_reads_through_the_data_repository()
    {
        using var git = new GitFixture();
        await DataRepository.InitAsync(git.Path);
        var data = DataRepository.Open(git.Path);
        git.WriteFile("data/cars.csv", "mpg\n18\n");
        await data.AddAsync("data/cars.csv");
        var v1 = git.Commit("v1");
        git.Git("tag", "v1");
        git.WriteFile("data/cars.csv", "mpg\n18\n15\n");
        await data.AddAsync("data/cars.csv");
        git.Commit("v2");

        await using var fixture = new TrackerFixture();
        await using var run = await fixture.Tracker.StartRunAsync("lineage");
        await data.ReadAllBytesAsync("data/cars.csv", revision: "v1");
        await run.CompleteAsync();

        var recorded = Assert.Single(DataVersion.FromTags((await fixture.Tracker.GetRunAsync(run.RunId)).Data.Tags));
        Assert.Equal(new DataVersion("data/cars.csv", v1, Md5("mpg\n18\n")), recorded);
    }

    [Fact]
    public async Task The_innermost_active_run_hears_a_read_and_an_ended_run_hears_nothing()
    {
        await using var fixture = new TrackerFixture();
        await using var parent = await fixture.Tracker.StartRunAsync("lineage");
        await using var child = await fixture.Tracker.StartRunAsync("lineage", parentRunId: parent.RunId);
        DataLineage.Report(new DataRead("a.csv", DataLineage.Workspace, "0123456789abcdef0123456789abcdef"));
        await child.CompleteAsync();
        DataLineage.Report(new DataRead("b.csv", DataLineage.Workspace, "fedcba9876543210fedcba9876543210"));
        await parent.CompleteAsync();
        DataLineage.Report(new DataRead("c.csv", DataLineage.Workspace, "00000000000000000000000000000000"));

        var childData = DataVersion.FromTags((await fixture.Tracker.GetRunAsync(child.RunId)).Data.Tags);
        var parentData = DataVersion.FromTags((await fixture.Tracker.GetRunAsync(parent.RunId)).Data.Tags);
        Assert.Equal(["a.csv"], childData.Select(d => d.Path));
        Assert.Equal(["b.csv"], parentData.Select(d => d.Path));
    }

    [Fact]
    public async Task Recording_can_be_turned_off()
    {
        await using var fixture = new TrackerFixture();
        await using var tracker = new ExperimentTracker(
            fixture.Store,
            fixture.Artifacts,
            Microsoft.Extensions.Options.Options.Create(new TrackingOptions { CaptureEnvironment = false, RecordDataReads = false }));
        await using var run = await tracker.StartRunAsync("lineage");
        DataLineage.Report(new DataRead("a.csv", DataLineage.Workspace, "0123456789abcdef0123456789abcdef"));
        await run.CompleteAsync();

        Assert.Empty(DataVersion.FromTags((await tracker.GetRunAsync(run.RunId)).Data.Tags));
    }

    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
}
