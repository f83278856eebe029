using System.Text;
using Mlops.Core;
using Mlops.Core.Storage;

namespace Mlops.Tracking.Tests;

public sealed class ActiveRunTests : IAsyncLifetime
{
    private readonly TrackerFixture _fixture = new();

    private ExperimentTracker Tracker => _fixture.Tracker;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    [Fact]
    public async Task The_issue_flow_logs_everything_and_finishes_the_run()
    {
        var model = _fixture.TempPath("model.zip");
        await File.WriteAllTextAsync(model, "weights");

        string runId;
        await using (var run = await Tracker.StartRunAsync("auto-mpg", runName: "sdca-l2"))
        {
            runId = run.RunId;
            run.LogParam("trainer", "sdca");
            run.LogMetric("rmse", 3.21, step: 10);
            await run.LogArtifactAsync(model);
            _fixture.Clock.Advance(TimeSpan.FromSeconds(5));
            await run.CompleteAsync();
        }

        var stored = await Tracker.GetRunAsync(runId);
        Assert.Equal(RunStatus.Finished, stored.Info.Status);
        Assert.Equal("sdca-l2", stored.Info.RunName);
        Assert.Equal("ada", stored.Info.UserId);
        Assert.Equal(_fixture.Clock.GetUtcNow().ToUnixTimeMilliseconds(), stored.Info.EndTime);
        Assert.Equal(stored.Info.EndTime - 5000, stored.Info.StartTime);
        Assert.Equal("sdca", stored.Data.Params["trainer"]);
        Assert.Equal(new Metric("rmse", 3.21, stored.Info.StartTime, 10), stored.Data.Metrics["rmse"]);
        Assert.Equal(["model.zip"], await Tracker.ListArtifactsAsync(runId));
        Assert.True(await _fixture.Artifacts.ExistsAsync($"{stored.Info.ExperimentId}/{runId}/artifacts/model.zip"));
    }

    [Fact]
    public async Task Disposing_without_completing_marks_the_run_failed_and_loses_nothing()
    {
        string runId;
        await using (var run = await Tracker.StartRunAsync("e"))
        {
            runId = run.RunId;
            for (var step = 0; step < 2500; step++)
            {
                run.LogMetric("loss", 1.0 / (step + 1), step);
            }

            run.SetTag("stage", "crashing");
        }

        var stored = await Tracker.GetRunAsync(runId);
        Assert.Equal(RunStatus.Failed, stored.Info.Status);
        Assert.NotNull(stored.Info.EndTime);
        Assert.Equal("crashing", stored.Data.Tags["stage"]);
        Assert.Equal(2500, (await Tracker.GetMetricHistoryAsync(runId, "loss")).Count);
        Assert.Equal(2499, stored.Data.Metrics["loss"].Step);
    }

    [Fact]
    public async Task Flush_makes_everything_logged_so_far_visible()
    {
        await using var run = await Tracker.StartRunAsync("e");
        run.LogMetric("m", 1);
        run.LogParam("p", "v");

        await run.FlushAsync();

        var stored = await Tracker.GetRunAsync(run.RunId);
        Assert.Equal(RunStatus.Running, stored.Info.Status);
        Assert.Equal("v", stored.Data.Params["p"]);
        Assert.Single(await Tracker.GetMetricHistoryAsync(run.RunId, "m"));
    }

    [Fact]
    public async Task Many_threads_logging_at_once_lose_no_point()
    {
        await using var run = await Tracker.StartRunAsync("e");

        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (var step = 0; step < 3000; step++)
            {
                run.LogMetric($"worker{worker}", step, step);
            }
        })));
        await run.CompleteAsync();

        for (var worker = 0; worker < 4; worker++)
        {
            var history = await Tracker.GetMetricHistoryAsync(run.RunId, $"worker{worker}");
            Assert.Equal(Enumerable.Range(0, 3000).Select(i => (double)i), history.Select(m => m.Value));
        }
    }

    [Fact]
    public async Task NaN_and_infinities_logged_through_a_run_round_trip()
    {
        await using var run = await Tracker.StartRunAsync("e");
        run.LogMetric("nan", double.NaN);
        run.LogMetric("inf", double.PositiveInfinity);
        run.LogMetric("-inf", double.NegativeInfinity);
        await run.CompleteAsync();

        var metrics = (await Tracker.GetRunAsync(run.RunId)).Data.Metrics;
        Assert.True(double.IsNaN(metrics["nan"].Value));
        Assert.Equal(double.PositiveInfinity, metrics["inf"].Value);
        Assert.Equal(double.NegativeInfinity, metrics["-inf"].Value);
    }

    [Fact]
    public async Task A_param_re_logged_with_another_value_fails_at_the_call()
    {
        await using var run = await Tracker.StartRunAsync("e");
        run.LogParam("lr", 0.1);
        run.LogParam("lr", "0.1");

        var error = Assert.Throws<TrackingException>(() => run.LogParam("lr", "0.2"));
        await run.CompleteAsync();

        Assert.Equal(TrackingErrorCode.Conflict, error.ErrorCode);
        Assert.Contains("'lr'", error.Message, StringComparison.Ordinal);
        Assert.Contains(run.RunId, error.Message, StringComparison.Ordinal);
        Assert.Equal("0.1", (await Tracker.GetRunAsync(run.RunId)).Data.Params["lr"]);
    }

    [Fact]
    public async Task Invalid_keys_and_values_fail_at_the_call_and_the_run_still_completes()
    {
        await using var run = await Tracker.StartRunAsync("e");

        Assert.Throws<TrackingException>(() => run.LogMetric("bad$key", 1));
        Assert.Throws<TrackingException>(() => run.LogParam("p", new string('x', 6001)));
        Assert.Throws<TrackingException>(() => run.SetTag("t", new string('x', 5001)));
        Assert.Throws<TrackingException>(() => run.LogMetrics(new Dictionary<string, double> { ["ok"] = 1, ["../up"] = 2 }));
        await run.CompleteAsync();

        var stored = await Tracker.GetRunAsync(run.RunId);
        Assert.Equal(RunStatus.Finished, stored.Info.Status);
        Assert.Empty(stored.Data.Metrics);
        Assert.Empty(stored.Data.Params);
    }

    [Fact]
    public async Task A_write_the_store_refuses_surfaces_at_the_next_flush_and_the_run_ends_failed()
    {
        var run = await Tracker.StartRunAsync("e");

        // Another writer sets the param first; the buffered batch then conflicts in the store.
        await _fixture.Store.LogBatchAsync(run.RunId, parameters: [new Param("trainer", "lbfgs")]);
        run.LogParam("trainer", "sdca");
        var flushError = await Assert.ThrowsAsync<TrackingException>(() => run.FlushAsync());
        run.LogMetric("after", 1);
        await run.CompleteAsync();

        Assert.Equal(TrackingErrorCode.Conflict, flushError.ErrorCode);
        Assert.Contains("trainer", flushError.Message, StringComparison.Ordinal);
        var stored = await Tracker.GetRunAsync(run.RunId);
        Assert.Equal(RunStatus.Finished, stored.Info.Status);
        Assert.Single(await Tracker.GetMetricHistoryAsync(run.RunId, "after"));
    }

    [Fact]
    public async Task A_failure_not_yet_reported_fails_the_completion_and_marks_the_run_failed()
    {
        var run = await Tracker.StartRunAsync("e");
        await _fixture.Store.LogBatchAsync(run.RunId, parameters: [new Param("trainer", "lbfgs")]);
        run.LogParam("trainer", "sdca");

        var error = await Assert.ThrowsAsync<TrackingException>(() => run.CompleteAsync());

        Assert.Equal(TrackingErrorCode.Conflict, error.ErrorCode);
        Assert.Equal(RunStatus.Failed, (await Tracker.GetRunAsync(run.RunId)).Info.Status);
    }

    [Fact]
    public async Task Logging_after_the_end_is_refused()
    {
        var run = await Tracker.StartRunAsync("e");
        await run.CompleteAsync();
        await run.CompleteAsync();

        Assert.True(run.HasEnded);
        Assert.Throws<InvalidOperationException>(() => run.LogMetric("m", 1));
        await run.DisposeAsync();
        Assert.Equal(RunStatus.Finished, (await Tracker.GetRunAsync(run.RunId)).Info.Status);
    }

    [Fact]
    public async Task Killed_runs_end_as_killed()
    {
        var run = await Tracker.StartRunAsync("e");

        await run.EndAsync(RunStatus.Killed);

        Assert.Equal(RunStatus.Killed, (await Tracker.GetRunAsync(run.RunId)).Info.Status);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => run.EndAsync(RunStatus.Running));
    }

    [Fact]
    public async Task Nested_runs_know_their_parent()
    {
        await using var parent = await Tracker.StartRunAsync("e", runName: "sweep");
        await using var child = await Tracker.StartRunAsync("e", runName: "trial-1", parentRunId: parent.RunId, tags: new Dictionary<string, string> { ["trial"] = "1" });
        await child.CompleteAsync();
        await parent.CompleteAsync();

        var found = await Tracker.SearchRunsByExperimentNamesAsync(["e"], $"tags.{SystemTags.ParentRunId} = '{parent.RunId}'");

        var run = Assert.Single(found.Runs);
        Assert.Equal(child.RunId, run.Info.RunId);
        Assert.Equal(parent.RunId, run.Info.ParentRunId);
        Assert.Equal("1", run.Data.Tags["trial"]);
    }

    [Fact]
    public async Task Data_versions_are_recorded_and_read_back()
    {
        await using var run = await Tracker.StartRunAsync("e");
        run.LogDataVersion("data/auto-mpg.csv", "v1", "d41d8cd98f00b204e9800998ecf8427e");
        run.LogDataVersion("data/odd+name (2).csv", "abc123", "0cc175b9c0f1b6a831c399e269772661");
        await run.CompleteAsync();

        var tags = (await Tracker.GetRunAsync(run.RunId)).Data.Tags;

        Assert.Equal(
            [new DataVersion("data/auto-mpg.csv", "v1", "d41d8cd98f00b204e9800998ecf8427e"), new DataVersion("data/odd+name (2).csv", "abc123", "0cc175b9c0f1b6a831c399e269772661")],
            DataVersion.FromTags(tags));
        Assert.True(tags.ContainsKey("mlops.data.data/auto-mpg.csv"));
        Assert.True(tags.ContainsKey("mlops.data.data/odd_name _2_.csv"));
    }

    [Fact]
    public async Task Artifacts_go_under_the_run_and_read_back()
    {
        await using var run = await Tracker.StartRunAsync("e");

        var key = await run.LogArtifactStreamAsync(new MemoryStream(Encoding.UTF8.GetBytes("{\"a\":1}")), "eval/report.json");
        var bad = await Assert.ThrowsAsync<TrackingException>(() => run.LogArtifactStreamAsync(new MemoryStream(), "../escape"));
        var missing = await Assert.ThrowsAsync<TrackingException>(() => run.LogArtifactAsync(_fixture.TempPath("nope.bin")));
        await using var read = await Tracker.OpenArtifactAsync(run.RunId, "eval/report.json");

        Assert.Equal($"{run.ExperimentId}/{run.RunId}/artifacts/eval/report.json", key);
        Assert.Equal("{\"a\":1}", await new StreamReader(read).ReadToEndAsync());
        Assert.Equal(TrackingErrorCode.InvalidArgument, bad.ErrorCode);
        Assert.Equal(TrackingErrorCode.NotFound, missing.ErrorCode);
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Tracker.OpenArtifactAsync(run.RunId, "eval/other.json"));
    }

    [Fact]
    public async Task Comparing_runs_puts_values_side_by_side_and_marks_differences()
    {
        var a = await Tracker.StartRunAsync("e", runName: "a");
        a.LogParam("trainer", "sdca");
        a.LogParam("l2", "0.1");
        a.LogMetric("rmse", 3.2);
        await a.CompleteAsync();
        var b = await Tracker.StartRunAsync("e", runName: "b");
        b.LogParam("trainer", "sdca");
        b.LogParam("l2", "0.5");
        b.LogMetric("rmse", 2.9);
        b.LogMetric("mae", 1.1);
        await b.CompleteAsync();

        var comparison = await Tracker.CompareRunsAsync([a.RunId, b.RunId]);
        var markdown = comparison.ToMarkdown();

        Assert.Equal(["a", "b"], comparison.Runs.Select(r => r.RunName));
        Assert.Equal(["0.1", "0.5"], comparison.Params[0].Values);
        Assert.True(comparison.Params[0].Differs);
        Assert.False(comparison.Params[1].Differs);
        Assert.Equal(["mae", "rmse"], comparison.Metrics.Select(m => m.Key));
        Assert.Equal([null, 1.1], comparison.Metrics[0].Values);
        Assert.True(comparison.Metrics[1].Differs);
        Assert.Contains("| ≠ | params.l2 | 0.1 | 0.5 |", markdown, StringComparison.Ordinal);
        Assert.Contains("|   | params.trainer | sdca | sdca |", markdown, StringComparison.Ordinal);
        Assert.Contains("| ≠ | metrics.mae | — | 1.1 |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Comparing_a_missing_run_names_it()
    {
        var missing = new string('f', 32);

        var error = await Assert.ThrowsAsync<TrackingException>(() => Tracker.CompareRunsAsync([missing]));

        Assert.Equal(TrackingErrorCode.NotFound, error.ErrorCode);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metric_timestamps_come_from_the_time_provider()
    {
        await using var run = await Tracker.StartRunAsync("e");
        run.LogMetric("m", 1, step: 1);
        _fixture.Clock.Advance(TimeSpan.FromMilliseconds(1234));
        run.LogMetric("m", 2, step: 1);
        await run.CompleteAsync();

        var history = await Tracker.GetMetricHistoryAsync(run.RunId, "m");

        Assert.Equal(1234, history[1].Timestamp - history[0].Timestamp);
        Assert.Equal(2, (await Tracker.GetRunAsync(run.RunId)).Data.Metrics["m"].Value);
    }
}

public sealed class RunEnvironmentTests
{
    [Fact]
    public async Task A_run_records_user_source_runtime_git_and_the_environment_snapshot()
    {
        var repository = FindRepositoryRoot();
        await using var fixture = new TrackerFixture(captureEnvironment: true, gitWorkingDirectory: repository);

        await using var run = await fixture.Tracker.StartRunAsync("e");
        await run.CompleteAsync();

        var tags = (await fixture.Tracker.GetRunAsync(run.RunId)).Data.Tags;
        await using var json = await fixture.Tracker.OpenArtifactAsync(run.RunId, ExperimentTracker.EnvironmentArtifactPath);
        var snapshot = EnvironmentSnapshot.FromJson(await new StreamReader(json).ReadToEndAsync());
        Assert.Equal("ada", tags[SystemTags.User]);
        Assert.False(string.IsNullOrEmpty(tags[SystemTags.Source]));
        Assert.StartsWith(".NET", tags[SystemTags.Runtime], StringComparison.Ordinal);
        Assert.Equal(snapshot.Runtime, tags[SystemTags.Runtime]);
        Assert.Equal(ExperimentTracker.EnvironmentArtifactPath, tags[SystemTags.EnvironmentArtifact]);
        if (repository is not null)
        {
            Assert.Matches("^[0-9a-f]{40}$", tags[SystemTags.GitCommit]);
            Assert.Contains(tags[SystemTags.GitDirty], new[] { "true", "false" });
            Assert.Equal(snapshot.Git!.Commit, tags[SystemTags.GitCommit]);
        }
    }

    [Fact]
    public async Task Outside_a_repository_a_run_has_no_git_tags()
    {
        await using var fixture = new TrackerFixture(captureEnvironment: true);

        await using var run = await fixture.Tracker.StartRunAsync("e");
        await run.CompleteAsync();

        var tags = (await fixture.Tracker.GetRunAsync(run.RunId)).Data.Tags;
        Assert.False(tags.ContainsKey(SystemTags.GitCommit));
        Assert.True(tags.ContainsKey(SystemTags.Runtime));
    }

    private static string? FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (Directory.Exists(Path.Combine(directory.FullName, ".git")) && File.Exists(Path.Combine(directory.FullName, "Directory.Build.props")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
