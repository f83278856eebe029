using System.Diagnostics;
using System.Globalization;

namespace Mlops.Tracking.Tests;

public sealed class AbandonedRunTests
{
    [Fact]
    public async Task A_run_whose_process_exited_becomes_FAILED_and_live_or_foreign_runs_stay_RUNNING()
    {
        await using var fixture = new TrackerFixture();
        var experimentId = await fixture.Tracker.GetOrCreateExperimentAsync("crashes");
        var exited = await ExitedProcessAsync();
        var dead = await StartedRunAsync(fixture, experimentId, Environment.MachineName, exited.Id, exited.Start);
        var reused = await StartedRunAsync(fixture, experimentId, Environment.MachineName, Environment.ProcessId, Start(Process.GetCurrentProcess()) - 60_000);
        var live = await StartedRunAsync(fixture, experimentId, Environment.MachineName, Environment.ProcessId, Start(Process.GetCurrentProcess()));
        var foreign = await StartedRunAsync(fixture, experimentId, "another-machine", exited.Id, exited.Start);
        var untagged = (await fixture.Store.CreateRunAsync(new NewRun { ExperimentId = experimentId, StartTime = 1 })).RunId;

        var failed = await fixture.Tracker.FailAbandonedRunsAsync();

        Assert.Equal(new[] { dead, reused }.Order(StringComparer.Ordinal), failed.Order(StringComparer.Ordinal));
        Assert.Equal(RunStatus.Failed, (await fixture.Tracker.GetRunAsync(dead)).Info.Status);
        Assert.NotNull((await fixture.Tracker.GetRunAsync(dead)).Info.EndTime);
        foreach (var runId in new[] { live, foreign, untagged })
        {
            Assert.Equal(RunStatus.Running, (await fixture.Tracker.GetRunAsync(runId)).Info.Status);
        }
    }

    [Fact]
    public async Task A_tracker_fails_abandoned_runs_when_it_starts_its_first_run_and_records_its_own_process()
    {
        await using var fixture = new TrackerFixture();
        var experimentId = await fixture.Tracker.GetOrCreateExperimentAsync("crashes");
        var exited = await ExitedProcessAsync();
        var dead = await StartedRunAsync(fixture, experimentId, Environment.MachineName, exited.Id, exited.Start);

        await using var run = await fixture.Tracker.StartRunAsync("crashes");

        Assert.Equal(RunStatus.Failed, (await fixture.Tracker.GetRunAsync(dead)).Info.Status);
        var tags = (await fixture.Tracker.GetRunAsync(run.RunId)).Data.Tags;
        Assert.Equal(Environment.MachineName, tags[SystemTags.Host]);
        Assert.Equal(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), tags[SystemTags.ProcessId]);
        Assert.Empty(await fixture.Tracker.FailAbandonedRunsAsync()); // Its own run is alive.
    }

    private static async Task<string> StartedRunAsync(TrackerFixture fixture, string experimentId, string host, int pid, long start)
    {
        var info = await fixture.Store.CreateRunAsync(new NewRun
        {
            ExperimentId = experimentId,
            StartTime = 1,
            Tags =
            [
                new RunTag(SystemTags.Host, host),
                new RunTag(SystemTags.ProcessId, pid.ToString(CultureInfo.InvariantCulture)),
                new RunTag(SystemTags.ProcessStart, start.ToString(CultureInfo.InvariantCulture)),
            ],
        });
        return info.RunId;
    }

    /// <summary>The id and start time of a process that has exited.</summary>
    private static async Task<(int Id, long Start)> ExitedProcessAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        var id = process.Id;
        var start = Start(process);
        process.Kill();
        await process.WaitForExitAsync();
        return (id, start);
    }

    private static long Start(Process process) => new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds();
}
