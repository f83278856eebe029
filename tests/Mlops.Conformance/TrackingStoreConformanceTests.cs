using Mlops.Tracking;
using Mlops.Tracking.Registry;
using Mlops.Tracking.Search;

namespace Mlops.Conformance;

/// <summary>
/// The behaviour every <see cref="TrackingStore"/> must show. A backend's test class derives from this,
/// creates a fresh, empty store in <see cref="CreateStoreAsync"/>, and runs every test here unchanged.
/// </summary>
public abstract class TrackingStoreConformanceTests : IAsyncLifetime
{
    private TrackingStore? _store;

    /// <summary>The store under test, fresh and empty for each test.</summary>
    protected TrackingStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>Creates a new, empty store (for example on a fresh file or database).</summary>
    protected abstract Task<TrackingStore> CreateStoreAsync();

    /// <summary>Removes what <see cref="CreateStoreAsync"/> made, if anything; the store is disposed already.</summary>
    protected virtual Task DisposeStoreAsync(TrackingStore store) => Task.CompletedTask;

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
            await DisposeStoreAsync(_store);
        }
    }

    // ---- experiments ----

    [Fact]
    public async Task Created_experiment_reads_back_by_id_and_by_name()
    {
        var id = await Store.CreateExperimentAsync("auto-mpg", tags: [new RunTag("team", "ml")]);

        var byId = await Store.GetExperimentAsync(id);
        var byName = await Store.GetExperimentByNameAsync("auto-mpg");

        Assert.NotNull(byId);
        Assert.Equal("auto-mpg", byId.Name);
        Assert.Equal(id, byName!.ExperimentId);
        Assert.Equal("ml", byId.Tags["team"]);
        Assert.Equal(LifecycleStage.Active, byId.LifecycleStage);
        Assert.Null(await Store.GetExperimentByNameAsync("missing"));
        Assert.Null(await Store.GetExperimentAsync("987654"));
    }

    [Fact]
    public async Task A_taken_experiment_name_is_refused()
    {
        await Store.CreateExperimentAsync("auto-mpg");

        var error = await Assert.ThrowsAsync<TrackingException>(() => Store.CreateExperimentAsync("auto-mpg"));

        Assert.Equal(TrackingErrorCode.AlreadyExists, error.ErrorCode);
        Assert.Contains("auto-mpg", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleted_experiments_leave_the_active_list_and_come_back_on_restore()
    {
        var kept = await Store.CreateExperimentAsync("kept");
        var deleted = await Store.CreateExperimentAsync("deleted");

        await Store.SetExperimentLifecycleAsync(deleted, LifecycleStage.Deleted);
        var active = await ToListAsync(Store.ListExperimentsAsync());
        var all = await ToListAsync(Store.ListExperimentsAsync(ViewType.All));
        await Store.SetExperimentLifecycleAsync(deleted, LifecycleStage.Active);
        var restored = await ToListAsync(Store.ListExperimentsAsync());

        Assert.Equal([kept], active.Select(e => e.ExperimentId));
        Assert.Equal(2, all.Count);
        Assert.Equal(2, restored.Count);
    }

    [Fact]
    public async Task A_deleted_experiment_refuses_new_runs()
    {
        var experiment = await Store.CreateExperimentAsync("e");
        await Store.SetExperimentLifecycleAsync(experiment, LifecycleStage.Deleted);

        var error = await Assert.ThrowsAsync<TrackingException>(() => Store.CreateRunAsync(new NewRun { ExperimentId = experiment }));

        Assert.Equal(TrackingErrorCode.Conflict, error.ErrorCode);
        Assert.Contains("restore", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("a/b")]
    [InlineData("a@b")]
    public async Task Invalid_experiment_names_are_refused(string name)
    {
        var error = await Assert.ThrowsAsync<TrackingException>(() => Store.CreateExperimentAsync(name));

        Assert.Equal(TrackingErrorCode.InvalidArgument, error.ErrorCode);
        Assert.Empty(await ToListAsync(Store.ListExperimentsAsync(ViewType.All)));
    }

    [Fact]
    public async Task An_experiment_may_put_its_artifacts_elsewhere()
    {
        var experiment = await Store.CreateExperimentAsync("e", artifactLocation: "team-a/e");

        var run = await Store.CreateRunAsync(new NewRun { ExperimentId = experiment });

        Assert.Equal("team-a/e", (await Store.GetExperimentAsync(experiment))!.ArtifactLocation);
        Assert.Equal($"team-a/e/{run.RunId}/artifacts", run.ArtifactUri);
    }

    // ---- runs ----

    [Fact]
    public async Task A_new_run_has_a_32_hex_id_and_an_artifact_uri_under_its_experiment()
    {
        var experiment = await Store.CreateExperimentAsync("e");

        var info = await Store.CreateRunAsync(new NewRun { ExperimentId = experiment, RunName = "first", UserId = "ada", StartTime = 1_700_000_000_000 });
        var run = await Store.GetRunAsync(info.RunId);

        Assert.Matches("^[0-9a-f]{32}$", info.RunId);
        Assert.Equal($"{experiment}/{info.RunId}/artifacts", info.ArtifactUri);
        Assert.NotNull(run);
        Assert.Equal(info, run.Info);
        Assert.Equal(RunStatus.Running, run.Info.Status);
        Assert.Equal("first", run.Info.RunName);
        Assert.Equal("ada", run.Info.UserId);
        Assert.Equal(1_700_000_000_000, run.Info.StartTime);
        Assert.Null(run.Info.EndTime);
    }

    [Fact]
    public async Task A_run_in_a_missing_experiment_is_refused()
    {
        var error = await Assert.ThrowsAsync<TrackingException>(() => Store.CreateRunAsync(new NewRun { ExperimentId = "424242" }));

        Assert.Equal(TrackingErrorCode.NotFound, error.ErrorCode);
        Assert.Contains("424242", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Updating_a_run_sets_its_status_and_end_time()
    {
        var run = await NewRunAsync();

        var updated = await Store.UpdateRunAsync(run, RunStatus.Finished, 1_700_000_050_000);

        Assert.Equal(RunStatus.Finished, updated.Status);
        Assert.Equal(1_700_000_050_000, updated.EndTime);
        Assert.Equal(RunStatus.Finished, (await Store.GetRunAsync(run))!.Info.Status);
    }

    [Fact]
    public async Task Updating_a_missing_run_names_it()
    {
        var missing = new string('a', 32);

        var error = await Assert.ThrowsAsync<TrackingException>(() => Store.UpdateRunAsync(missing, RunStatus.Finished, null));

        Assert.Equal(TrackingErrorCode.NotFound, error.ErrorCode);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_nested_run_records_its_parent_and_a_missing_parent_is_refused()
    {
        var experiment = await Store.CreateExperimentAsync("e");
        var parent = await Store.CreateRunAsync(new NewRun { ExperimentId = experiment });

        var child = await Store.CreateRunAsync(new NewRun { ExperimentId = experiment, ParentRunId = parent.RunId });
        var read = await Store.GetRunAsync(child.RunId);
        var error = await Assert.ThrowsAsync<TrackingException>(() => Store.CreateRunAsync(new NewRun { ExperimentId = experiment, ParentRunId = new string('b', 32) }));

        Assert.Equal(parent.RunId, read!.Info.ParentRunId);
        Assert.Equal(parent.RunId, read.Data.Tags[SystemTags.ParentRunId]);
        Assert.Equal(TrackingErrorCode.NotFound, error.ErrorCode);
    }

    [Fact]
    public async Task Run_tags_given_at_creation_are_stored()
    {
        var experiment = await Store.CreateExperimentAsync("e");

        var info = await Store.CreateRunAsync(new NewRun { ExperimentId = experiment, Tags = [new RunTag("stage", "exp-1")] });

        Assert.Equal("exp-1", (await Store.GetRunAsync(info.RunId))!.Data.Tags["stage"]);
    }

    // ---- metrics ----

    [Fact]
    public async Task Metric_points_are_appended_and_read_back_by_step_then_timestamp()
    {
        var run = await NewRunAsync();

        await Store.LogBatchAsync(run, [new Metric("loss", 0.5, 2000, 2), new Metric("loss", 0.9, 1000, 1)]);
        await Store.LogBatchAsync(run, [new Metric("loss", 0.7, 1500, 1), new Metric("acc", 0.1, 1000, 1)]);
        var history = await Store.GetMetricHistoryAsync(run, "loss");

        Assert.Equal(
            [new Metric("loss", 0.9, 1000, 1), new Metric("loss", 0.7, 1500, 1), new Metric("loss", 0.5, 2000, 2)],
            history);
    }

    [Fact]
    public async Task Interleaved_keys_and_runs_sharing_a_key_keep_their_histories_apart()
    {
        var first = await NewRunAsync();
        var second = await NewRunAsync();

        // Keys as distinct string instances, as parsed input gives them.
        await Store.LogBatchAsync(first, [new Metric("a", 1, 1, 0), new Metric(new string('b', 1), 2, 1, 0), new Metric(new string('a', 1), 3, 1, 1), new Metric("a", double.NaN, 1, 2)]);
        await Store.LogBatchAsync(second, [new Metric("a", 10, 1, 0), new Metric("c", 20, 1, 0)]);

        var history = await Store.GetMetricHistoryAsync(first, "a");
        Assert.Equal(3, history.Count);
        Assert.Equal([1.0, 3.0], history.Take(2).Select(m => m.Value));
        Assert.True(double.IsNaN(history[2].Value));
        Assert.Equal([new Metric("b", 2, 1, 0)], await Store.GetMetricHistoryAsync(first, "b"));
        Assert.Empty(await Store.GetMetricHistoryAsync(first, "c"));
        Assert.Equal([new Metric("a", 10, 1, 0)], await Store.GetMetricHistoryAsync(second, "a"));
        Assert.True(double.IsNaN((await Store.GetRunAsync(first))!.Data.Metrics["a"].Value));
    }

    [Fact]
    public async Task NaN_and_infinities_round_trip()
    {
        var run = await NewRunAsync();

        await Store.LogBatchAsync(run, [
            new Metric("nan", double.NaN, 1, 0),
            new Metric("pos", double.PositiveInfinity, 1, 0),
            new Metric("neg", double.NegativeInfinity, 1, 0),
            new Metric("tiny", double.Epsilon, 1, 0),
            new Metric("max", double.MaxValue, 1, 0),
        ]);
        var data = (await Store.GetRunAsync(run))!.Data;

        Assert.True(double.IsNaN(data.Metrics["nan"].Value));
        Assert.True(double.IsNaN((await Store.GetMetricHistoryAsync(run, "nan"))[0].Value));
        Assert.Equal(double.PositiveInfinity, data.Metrics["pos"].Value);
        Assert.Equal(double.NegativeInfinity, (await Store.GetMetricHistoryAsync(run, "neg"))[0].Value);
        Assert.Equal(double.Epsilon, data.Metrics["tiny"].Value);
        Assert.Equal(double.MaxValue, data.Metrics["max"].Value);
    }

    [Fact]
    public async Task The_latest_metric_is_the_one_with_the_greatest_step_then_timestamp()
    {
        var run = await NewRunAsync();

        await Store.LogBatchAsync(run, [new Metric("rmse", 3.0, 5000, 10), new Metric("rmse", 4.0, 9000, 3)]);
        await Store.LogBatchAsync(run, [new Metric("rmse", 2.5, 6000, 10)]);
        await Store.LogBatchAsync(run, [new Metric("rmse", 9.0, 1000, 2)]);

        Assert.Equal(new Metric("rmse", 2.5, 6000, 10), (await Store.GetRunAsync(run))!.Data.Metrics["rmse"]);
    }

    [Fact]
    public async Task The_history_of_a_missing_run_is_refused_and_of_a_missing_key_is_empty()
    {
        var run = await NewRunAsync();

        var error = await Assert.ThrowsAsync<TrackingException>(() => Store.GetMetricHistoryAsync(new string('c', 32), "rmse"));

        Assert.Equal(TrackingErrorCode.NotFound, error.ErrorCode);
        Assert.Empty(await Store.GetMetricHistoryAsync(run, "rmse"));
    }

    // ---- params and tags ----

    [Fact]
    public async Task A_param_logged_again_with_the_same_value_is_fine()
    {
        var run = await NewRunAsync();

        await Store.LogBatchAsync(run, parameters: [new Param("trainer", "sdca")]);
        await Store.LogBatchAsync(run, parameters: [new Param("trainer", "sdca"), new Param("l2", "0.1")]);

        var data = (await Store.GetRunAsync(run))!.Data;
        Assert.Equal("sdca", data.Params["trainer"]);
        Assert.Equal("0.1", data.Params["l2"]);
    }

    [Fact]
    public async Task A_param_logged_with_another_value_fails_and_the_batch_writes_nothing()
    {
        var run = await NewRunAsync();
        await Store.LogBatchAsync(run, parameters: [new Param("trainer", "sdca")]);

        var error = await Assert.ThrowsAsync<TrackingException>(() => Store.LogBatchAsync(
            run,
            [new Metric("rmse", 1, 1, 1)],
            [new Param("fresh", "x"), new Param("trainer", "lbfgs")],
            [new RunTag("stage", "x")]));

        Assert.Equal(TrackingErrorCode.Conflict, error.ErrorCode);
        Assert.Contains("trainer", error.Message, StringComparison.Ordinal);
        Assert.Contains(run, error.Message, StringComparison.Ordinal);
        var data = (await Store.GetRunAsync(run))!.Data;
        Assert.Equal("sdca", data.Params["trainer"]);
        Assert.False(data.Params.ContainsKey("fresh"));
        Assert.Empty(data.Metrics);
        Assert.False(data.Tags.ContainsKey("stage"));
        Assert.Empty(await Store.GetMetricHistoryAsync(run, "rmse"));
    }

    [Fact]
    public async Task Tags_are_mutable_and_can_be_deleted()
    {
        var run = await NewRunAsync();

        await Store.LogBatchAsync(run, tags: [new RunTag("stage", "dev")]);
        await Store.LogBatchAsync(run, tags: [new RunTag("stage", "prod"), new RunTag("owner", "ada")]);
        var deleted = await Store.DeleteTagAsync(run, "owner");
        var deletedAgain = await Store.DeleteTagAsync(run, "owner");

        var tags = (await Store.GetRunAsync(run))!.Data.Tags;
        Assert.Equal("prod", tags["stage"]);
        Assert.False(tags.ContainsKey("owner"));
        Assert.True(deleted);
        Assert.False(deletedAgain);
    }

    [Fact]
    public async Task Values_at_the_limits_are_accepted()
    {
        var run = await NewRunAsync();
        var key = new string('k', TrackingLimits.MaxKeyLength);

        await Store.LogBatchAsync(
            run,
            [.. Enumerable.Range(0, TrackingLimits.MaxMetricsPerBatch).Select(i => new Metric("m", i, i, i))],
            [new Param(key, new string('p', TrackingLimits.MaxParamValueLength)), new Param("path/with spaces-and.dots", "")],
            [new RunTag(key, new string('t', TrackingLimits.MaxTagValueLength))]);

        var data = (await Store.GetRunAsync(run))!.Data;
        Assert.Equal(TrackingLimits.MaxParamValueLength, data.Params[key].Length);
        Assert.Equal(TrackingLimits.MaxTagValueLength, data.Tags[key].Length);
        Assert.Equal(TrackingLimits.MaxMetricsPerBatch, (await Store.GetMetricHistoryAsync(run, "m")).Count);
    }

    public static TheoryData<string> InvalidKeys => new()
    {
        "",
        "bad$char",
        "semi;colon",
        "quote'",
        "/absolute",
        "../escape",
        "a/../b",
        new string('k', TrackingLimits.MaxKeyLength + 1),
    };

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task An_invalid_key_fails_naming_it_and_nothing_is_written(string key)
    {
        var run = await NewRunAsync();

        var metricError = await Assert.ThrowsAsync<TrackingException>(() => Store.LogBatchAsync(run, [new Metric("ok", 1, 1, 1), new Metric(key, 1, 1, 1)]));
        var paramError = await Assert.ThrowsAsync<TrackingException>(() => Store.LogBatchAsync(run, parameters: [new Param("ok", "1"), new Param(key, "1")]));
        var tagError = await Assert.ThrowsAsync<TrackingException>(() => Store.LogBatchAsync(run, tags: [new RunTag("ok", "1"), new RunTag(key, "1")]));

        Assert.All([metricError, paramError, tagError], e => Assert.Equal(TrackingErrorCode.InvalidArgument, e.ErrorCode));
        Assert.Contains(run, paramError.Message, StringComparison.Ordinal);
        if (key.Length is > 0 and < 40)
        {
            Assert.Contains(key, metricError.Message, StringComparison.Ordinal);
        }

        await AssertNothingLoggedAsync(run);
    }

    [Fact]
    public async Task Over_long_values_and_over_full_batches_fail_and_nothing_is_written()
    {
        var run = await NewRunAsync();

        var errors = new[]
        {
            await Assert.ThrowsAsync<TrackingException>(() => Store.LogBatchAsync(run, parameters: [new Param("p", new string('x', TrackingLimits.MaxParamValueLength + 1))])),
            await Assert.ThrowsAsync<TrackingException>(() => Store.LogBatchAsync(run, tags: [new RunTag("t", new string('x', TrackingLimits.MaxTagValueLength + 1))])),
            await Assert.ThrowsAsync<TrackingException>(() => Store.LogBatchAsync(run, [.. Enumerable.Range(0, TrackingLimits.MaxMetricsPerBatch + 1).Select(i => new Metric("m", i, i, i))])),
            await Assert.ThrowsAsync<TrackingException>(() => Store.LogBatchAsync(run, parameters: [.. Enumerable.Range(0, TrackingLimits.MaxParamsPerBatch + 1).Select(i => new Param($"p{i}", "v"))])),
            await Assert.ThrowsAsync<TrackingException>(() => Store.LogBatchAsync(run, tags: [.. Enumerable.Range(0, TrackingLimits.MaxTagsPerBatch + 1).Select(i => new RunTag($"t{i}", "v"))])),
        };

        Assert.All(errors, e => Assert.Equal(TrackingErrorCode.InvalidArgument, e.ErrorCode));
        Assert.Contains("6000", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("5000", errors[1].Message, StringComparison.Ordinal);
        await AssertNothingLoggedAsync(run);
    }

    [Fact]
    public async Task Logging_to_a_missing_run_names_it_and_a_malformed_id_is_refused()
    {
        var missing = new string('d', 32);

        var notFound = await Assert.ThrowsAsync<TrackingException>(() => Store.LogBatchAsync(missing, [new Metric("m", 1, 1, 1)]));
        var malformed = await Assert.ThrowsAsync<TrackingException>(() => Store.LogBatchAsync("not-a-run", [new Metric("m", 1, 1, 1)]));

        Assert.Equal(TrackingErrorCode.NotFound, notFound.ErrorCode);
        Assert.Contains(missing, notFound.Message, StringComparison.Ordinal);
        Assert.Equal(TrackingErrorCode.InvalidArgument, malformed.ErrorCode);
        Assert.Contains("not-a-run", malformed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_run_refuses_writes_until_restored()
    {
        var run = await NewRunAsync();

        await Store.SetRunLifecycleAsync(run, LifecycleStage.Deleted);
        var error = await Assert.ThrowsAsync<TrackingException>(() => Store.LogBatchAsync(run, [new Metric("m", 1, 1, 1)]));
        await Store.SetRunLifecycleAsync(run, LifecycleStage.Active);
        await Store.LogBatchAsync(run, [new Metric("m", 1, 1, 1)]);

        Assert.Equal(TrackingErrorCode.Conflict, error.ErrorCode);
        Assert.Single(await Store.GetMetricHistoryAsync(run, "m"));
    }

    [Fact]
    public async Task Eight_concurrent_writers_lose_no_point_and_see_no_lock_error()
    {
        const int Writers = 8;
        const int Batches = 25;
        const int BatchSize = 200;
        var run = await NewRunAsync();

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            for (var batch = 0; batch < Batches; batch++)
            {
                await Store.LogBatchAsync(
                    run,
                    [.. Enumerable.Range(batch * BatchSize, BatchSize).Select(step => new Metric($"w{writer}", step, step, step))],
                    [new Param($"w{writer}-{batch}", "x")],
                    [new RunTag($"w{writer}", $"{batch}")]);
            }
        })));

        var data = (await Store.GetRunAsync(run))!.Data;
        for (var writer = 0; writer < Writers; writer++)
        {
            Assert.Equal(Batches * BatchSize, (await Store.GetMetricHistoryAsync(run, $"w{writer}")).Count);
            Assert.Equal(Batches * BatchSize - 1, data.Metrics[$"w{writer}"].Step);
            Assert.Equal($"{Batches - 1}", data.Tags[$"w{writer}"]);
        }

        Assert.Equal(Writers * Batches, data.Params.Count);
    }

    // ---- search ----

    [Fact]
    public async Task The_documented_filter_selects_by_metric_param_tag_and_status()
    {
        var experiment = await Store.CreateExperimentAsync("e");
        var match = await SeedRunAsync(experiment, "match", rmse: 2.5, trainer: "sdca", stage: "exp-1", finish: true);
        await SeedRunAsync(experiment, "high-rmse", rmse: 3.5, trainer: "sdca", stage: "exp-1", finish: true);
        await SeedRunAsync(experiment, "other-trainer", rmse: 2.5, trainer: "lbfgs", stage: "exp-1", finish: true);
        await SeedRunAsync(experiment, "other-stage", rmse: 2.5, trainer: "sdca", stage: "prod", finish: true);
        await SeedRunAsync(experiment, "running", rmse: 2.5, trainer: "sdca", stage: "exp-1", finish: false);

        var found = await SearchAsync("metrics.rmse < 3 and params.trainer = 'sdca' and tags.stage LIKE 'exp%' and attributes.status = 'FINISHED'");

        Assert.Equal([match], found.Select(r => r.Info.RunId));
    }

    [Theory]
    [InlineData("metrics.rmse = 2", "b")]
    [InlineData("metrics.rmse != 2", "a,c")]
    [InlineData("metrics.rmse < 2", "a")]
    [InlineData("metrics.rmse <= 2", "a,b")]
    [InlineData("metrics.rmse > 2", "c")]
    [InlineData("metrics.rmse >= 2", "b,c")]
    [InlineData("metrics.rmse >= -1e3 and metrics.rmse < 2.5", "a,b")]
    [InlineData("params.trainer != 'sdca'", "b,c")]
    [InlineData("params.trainer LIKE 'SD%'", "b")]
    [InlineData("params.trainer ILIKE 'sd%'", "a,b")]
    [InlineData("params.trainer LIKE '_bfgs'", "c")]
    [InlineData("attributes.run_name = 'b'", "b")]
    [InlineData("attributes.run_name != 'b'", "a,c")]
    [InlineData("tags.stage = 'exp-1'", "a,b,c")]
    [InlineData("tags.missing = 'x'", "")]
    [InlineData("metrics.missing > 0", "")]
    public async Task Each_operator_compares_as_documented(string filter, string expected)
    {
        var experiment = await Store.CreateExperimentAsync("e");
        await SeedRunAsync(experiment, "a", rmse: 1, trainer: "sdca", stage: "exp-1", finish: true);
        await SeedRunAsync(experiment, "b", rmse: 2, trainer: "SDCA", stage: "exp-1", finish: true);
        await SeedRunAsync(experiment, "c", rmse: 3, trainer: "lbfgs", stage: "exp-1", finish: true);

        var found = await SearchAsync(filter, orderBy: ["attributes.run_name ASC"]);

        Assert.Equal(expected, string.Join(",", found.Select(r => r.Info.RunName)));
    }

    [Fact]
    public async Task Time_attributes_filter_numerically()
    {
        var experiment = await Store.CreateExperimentAsync("e");
        var early = await Store.CreateRunAsync(new NewRun { ExperimentId = experiment, RunName = "early", StartTime = 1000 });
        await Store.CreateRunAsync(new NewRun { ExperimentId = experiment, RunName = "late", StartTime = 5000 });
        await Store.UpdateRunAsync(early.RunId, RunStatus.Finished, 2000);

        Assert.Equal(["late"], (await SearchAsync("attributes.start_time > 1000")).Select(r => r.Info.RunName));
        Assert.Equal(["early"], (await SearchAsync("attributes.end_time <= 2000")).Select(r => r.Info.RunName));
        Assert.Equal(["early"], (await SearchAsync($"attributes.run_id = '{early.RunId}'")).Select(r => r.Info.RunName));
    }

    [Fact]
    public async Task Keys_with_spaces_are_searched_in_backticks()
    {
        var experiment = await Store.CreateExperimentAsync("e");
        var run = await Store.CreateRunAsync(new NewRun { ExperimentId = experiment });
        await Store.LogBatchAsync(run.RunId, [new Metric("val rmse", 1, 1, 1)], [new Param("learning rate", "0.1")]);

        var found = await SearchAsync("metrics.`val rmse` < 2 and params.`learning rate` = '0.1'");

        Assert.Equal([run.RunId], found.Select(r => r.Info.RunId));
    }

    [Fact]
    public async Task Values_that_look_like_sql_are_compared_literally()
    {
        var experiment = await Store.CreateExperimentAsync("e");
        var run = await Store.CreateRunAsync(new NewRun { ExperimentId = experiment });
        const string Hostile = "x'); DROP TABLE runs; --";
        await Store.LogBatchAsync(run.RunId, parameters: [new Param("p", Hostile)]);

        var found = await SearchAsync("params.p = 'x''); DROP TABLE runs; --'");
        var none = await SearchAsync("params.p = 'x'' OR ''1''=''1'");

        Assert.Equal([run.RunId], found.Select(r => r.Info.RunId));
        Assert.Empty(none);
        Assert.NotNull(await Store.GetRunAsync(run.RunId));
    }

    [Fact]
    public async Task Ordering_by_a_metric_puts_NaN_and_missing_last_in_both_directions()
    {
        var experiment = await Store.CreateExperimentAsync("e");
        await SeedRunAsync(experiment, "two", rmse: 2, trainer: "x", stage: "s", finish: true);
        await SeedRunAsync(experiment, "nan", rmse: double.NaN, trainer: "x", stage: "s", finish: true);
        await SeedRunAsync(experiment, "one", rmse: 1, trainer: "x", stage: "s", finish: true);
        await Store.CreateRunAsync(new NewRun { ExperimentId = experiment, RunName = "missing", StartTime = 1 });
        await SeedRunAsync(experiment, "inf", rmse: double.PositiveInfinity, trainer: "x", stage: "s", finish: true);

        var ascending = await SearchAsync(null, orderBy: ["metrics.rmse ASC"]);
        var descending = await SearchAsync(null, orderBy: ["metrics.rmse DESC"]);

        Assert.Equal(["one", "two", "inf"], ascending.Take(3).Select(r => r.Info.RunName));
        Assert.Equal(["inf", "two", "one"], descending.Take(3).Select(r => r.Info.RunName));
        Assert.Equal(["missing", "nan"], ascending.Skip(3).Select(r => r.Info.RunName).Order());
        Assert.Equal(["missing", "nan"], descending.Skip(3).Select(r => r.Info.RunName).Order());
    }

    [Fact]
    public async Task Runs_come_newest_first_by_default_and_by_start_time_when_asked()
    {
        var experiment = await Store.CreateExperimentAsync("e");
        foreach (var (name, start) in new[] { ("b", 2000L), ("c", 3000L), ("a", 1000L) })
        {
            await Store.CreateRunAsync(new NewRun { ExperimentId = experiment, RunName = name, StartTime = start });
        }

        Assert.Equal(["c", "b", "a"], (await SearchAsync(null)).Select(r => r.Info.RunName));
        Assert.Equal(["a", "b", "c"], (await SearchAsync(null, orderBy: ["attributes.start_time ASC"])).Select(r => r.Info.RunName));
        Assert.Equal(["c", "b", "a"], (await SearchAsync(null, orderBy: ["start_time DESC"])).Select(r => r.Info.RunName));
    }

    [Fact]
    public async Task Ordering_by_a_param_and_a_tag_works()
    {
        var experiment = await Store.CreateExperimentAsync("e");
        await SeedRunAsync(experiment, "r1", rmse: 1, trainer: "b", stage: "z", finish: true);
        await SeedRunAsync(experiment, "r2", rmse: 1, trainer: "a", stage: "y", finish: true);

        Assert.Equal(["r2", "r1"], (await SearchAsync(null, orderBy: ["params.trainer"])).Select(r => r.Info.RunName));
        Assert.Equal(["r1", "r2"], (await SearchAsync(null, orderBy: ["tags.stage DESC"])).Select(r => r.Info.RunName));
    }

    [Fact]
    public async Task Page_tokens_walk_every_run_exactly_once()
    {
        var experiment = await Store.CreateExperimentAsync("e");
        var created = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            created.Add((await Store.CreateRunAsync(new NewRun { ExperimentId = experiment, StartTime = i % 3 })).RunId);
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Store.SearchRunsAsync(new RunSearchRequest { ExperimentIds = [experiment], MaxResults = 3, PageToken = token });
            seen.AddRange(page.Runs.Select(r => r.Info.RunId));
            token = page.NextPageToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(created.Order(), seen.Order());
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task A_foreign_page_token_is_refused()
    {
        var error = await Assert.ThrowsAsync<TrackingException>(() => Store.SearchRunsAsync(new RunSearchRequest { PageToken = "garbage!" }));

        Assert.Equal(TrackingErrorCode.InvalidQuery, error.ErrorCode);
        Assert.Contains("garbage!", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_spans_experiments_unless_told_which()
    {
        var first = await Store.CreateExperimentAsync("first");
        var second = await Store.CreateExperimentAsync("second");
        var a = await Store.CreateRunAsync(new NewRun { ExperimentId = first });
        var b = await Store.CreateRunAsync(new NewRun { ExperimentId = second });

        var all = await Store.SearchRunsAsync(new RunSearchRequest());
        var onlySecond = await Store.SearchRunsAsync(new RunSearchRequest { ExperimentIds = [second] });

        Assert.Equal(new[] { a.RunId, b.RunId }.Order(), all.Runs.Select(r => r.Info.RunId).Order());
        Assert.Equal([b.RunId], onlySecond.Runs.Select(r => r.Info.RunId));
    }

    [Fact]
    public async Task Deleted_runs_are_hidden_unless_asked_for()
    {
        var experiment = await Store.CreateExperimentAsync("e");
        var kept = await Store.CreateRunAsync(new NewRun { ExperimentId = experiment });
        var deleted = await Store.CreateRunAsync(new NewRun { ExperimentId = experiment });
        await Store.SetRunLifecycleAsync(deleted.RunId, LifecycleStage.Deleted);

        var active = await Store.SearchRunsAsync(new RunSearchRequest());
        var onlyDeleted = await Store.SearchRunsAsync(new RunSearchRequest { ViewType = ViewType.DeletedOnly });
        var all = await Store.SearchRunsAsync(new RunSearchRequest { ViewType = ViewType.All });

        Assert.Equal([kept.RunId], active.Runs.Select(r => r.Info.RunId));
        Assert.Equal([deleted.RunId], onlyDeleted.Runs.Select(r => r.Info.RunId));
        Assert.Equal(2, all.Runs.Count);
    }

    [Fact]
    public async Task Found_runs_carry_their_latest_metrics_params_and_tags()
    {
        var experiment = await Store.CreateExperimentAsync("e");
        var run = await SeedRunAsync(experiment, "r", rmse: 2, trainer: "sdca", stage: "exp", finish: true);

        var found = Assert.Single(await SearchAsync(null));

        Assert.Equal(run, found.Info.RunId);
        Assert.Equal(2, found.Data.Metrics["rmse"].Value);
        Assert.Equal("sdca", found.Data.Params["trainer"]);
        Assert.Equal("exp", found.Data.Tags["stage"]);
    }

    [Fact]
    public async Task A_bad_filter_is_refused_with_its_position()
    {
        var error = await Assert.ThrowsAsync<TrackingException>(() => SearchAsync("metrics.rmse < 3 and params.trainer == "));

        Assert.Equal(TrackingErrorCode.InvalidQuery, error.ErrorCode);
        Assert.Contains("position", error.Message, StringComparison.Ordinal);
    }

    // ---- model registry ----

    [Fact]
    public async Task Model_versions_are_numbered_from_one()
    {
        var run = await NewRunAsync();
        await Store.CreateRegisteredModelAsync("mpg", "miles per gallon", [new RunTag("task", "regression")]);

        var v1 = await Store.CreateModelVersionAsync(new NewModelVersion { Name = "mpg", Source = "1/x/artifacts/model", RunId = run });
        var v2 = await Store.CreateModelVersionAsync(new NewModelVersion { Name = "mpg", Source = "1/y/artifacts/model", Tags = [new RunTag("data", "v2")] });
        var model = await Store.GetRegisteredModelAsync("mpg");

        Assert.Equal(1, v1.Version);
        Assert.Equal(2, v2.Version);
        Assert.Equal(run, v1.RunId);
        Assert.Equal("1/x/artifacts/model", (await Store.GetModelVersionAsync("mpg", 1))!.Source);
        Assert.Equal("v2", (await Store.GetModelVersionAsync("mpg", 2))!.Tags["data"]);
        Assert.Equal([1, 2], (await Store.ListModelVersionsAsync("mpg")).Select(v => v.Version));
        Assert.Equal(2, model!.LatestVersion);
        Assert.Equal("miles per gallon", model.Description);
        Assert.Equal("regression", model.Tags["task"]);
        Assert.Null(await Store.GetModelVersionAsync("mpg", 3));
    }

    [Fact]
    public async Task Registry_names_clash_and_missing_models_are_refused()
    {
        await Store.CreateRegisteredModelAsync("mpg");

        var clash = await Assert.ThrowsAsync<TrackingException>(() => Store.CreateRegisteredModelAsync("mpg"));
        var missing = await Assert.ThrowsAsync<TrackingException>(() => Store.CreateModelVersionAsync(new NewModelVersion { Name = "nope", Source = "s" }));
        var missingRun = await Assert.ThrowsAsync<TrackingException>(() => Store.CreateModelVersionAsync(new NewModelVersion { Name = "mpg", Source = "s", RunId = new string('e', 32) }));

        Assert.Equal(TrackingErrorCode.AlreadyExists, clash.ErrorCode);
        Assert.Equal(TrackingErrorCode.NotFound, missing.ErrorCode);
        Assert.Contains("nope", missing.Message, StringComparison.Ordinal);
        Assert.Equal(TrackingErrorCode.NotFound, missingRun.ErrorCode);
        Assert.Empty(await Store.ListModelVersionsAsync("mpg"));
    }

    [Fact]
    public async Task An_alias_points_at_one_version_and_moves()
    {
        await Store.CreateRegisteredModelAsync("mpg");
        await Store.CreateModelVersionAsync(new NewModelVersion { Name = "mpg", Source = "a" });
        await Store.CreateModelVersionAsync(new NewModelVersion { Name = "mpg", Source = "b" });

        await Store.SetModelAliasAsync("mpg", "champion", 1);
        var first = await Store.GetModelVersionByAliasAsync("mpg", "champion");
        await Store.SetModelAliasAsync("mpg", "champion", 2);
        await Store.SetModelAliasAsync("mpg", "challenger", 1);
        var moved = await Store.GetModelVersionByAliasAsync("mpg", "champion");
        var model = await Store.GetRegisteredModelAsync("mpg");

        Assert.Equal(1, first!.Version);
        Assert.Equal(2, moved!.Version);
        Assert.Equal(["champion"], moved.Aliases);
        Assert.Equal(["challenger"], (await Store.GetModelVersionAsync("mpg", 1))!.Aliases);
        Assert.Equal(2, model!.Aliases["champion"]);
        Assert.True(await Store.DeleteModelAliasAsync("mpg", "champion"));
        Assert.False(await Store.DeleteModelAliasAsync("mpg", "champion"));
        Assert.Null(await Store.GetModelVersionByAliasAsync("mpg", "champion"));
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("Latest")]
    [InlineData("v1")]
    [InlineData("V42")]
    [InlineData("bad alias")]
    [InlineData("")]
    public async Task Reserved_and_invalid_aliases_are_refused(string alias)
    {
        await Store.CreateRegisteredModelAsync("mpg");
        await Store.CreateModelVersionAsync(new NewModelVersion { Name = "mpg", Source = "a" });

        var error = await Assert.ThrowsAsync<TrackingException>(() => Store.SetModelAliasAsync("mpg", alias, 1));

        Assert.Equal(TrackingErrorCode.InvalidArgument, error.ErrorCode);
        Assert.Empty((await Store.GetRegisteredModelAsync("mpg"))!.Aliases);
    }

    [Fact]
    public async Task An_alias_to_a_missing_version_is_refused_and_the_old_target_stays()
    {
        await Store.CreateRegisteredModelAsync("mpg");
        await Store.CreateModelVersionAsync(new NewModelVersion { Name = "mpg", Source = "a" });
        await Store.SetModelAliasAsync("mpg", "champion", 1);

        var error = await Assert.ThrowsAsync<TrackingException>(() => Store.SetModelAliasAsync("mpg", "champion", 7));

        Assert.Equal(TrackingErrorCode.NotFound, error.ErrorCode);
        Assert.Equal(1, (await Store.GetModelVersionByAliasAsync("mpg", "champion"))!.Version);
    }

    [Fact]
    public async Task Model_version_tags_are_mutable_and_models_list_by_name()
    {
        await Store.CreateRegisteredModelAsync("b-model");
        await Store.CreateRegisteredModelAsync("a-model");
        await Store.CreateModelVersionAsync(new NewModelVersion { Name = "a-model", Source = "a" });

        await Store.SetModelVersionTagAsync("a-model", 1, new RunTag("validated", "no"));
        await Store.SetModelVersionTagAsync("a-model", 1, new RunTag("validated", "yes"));
        var missing = await Assert.ThrowsAsync<TrackingException>(() => Store.SetModelVersionTagAsync("a-model", 9, new RunTag("k", "v")));

        Assert.Equal("yes", (await Store.GetModelVersionAsync("a-model", 1))!.Tags["validated"]);
        Assert.Equal(TrackingErrorCode.NotFound, missing.ErrorCode);
        Assert.Equal(["a-model", "b-model"], (await ToListAsync(Store.ListRegisteredModelsAsync())).Select(m => m.Name));
    }

    // ---- helpers ----

    /// <summary>Creates an experiment and a run in it; returns the run's id.</summary>
    protected async Task<string> NewRunAsync()
    {
        var experiment = await Store.GetExperimentByNameAsync("default") is { } existing
            ? existing.ExperimentId
            : await Store.CreateExperimentAsync("default");
        return (await Store.CreateRunAsync(new NewRun { ExperimentId = experiment, StartTime = 1 })).RunId;
    }

    private async Task<string> SeedRunAsync(string experiment, string name, double rmse, string trainer, string stage, bool finish)
    {
        var info = await Store.CreateRunAsync(new NewRun { ExperimentId = experiment, RunName = name, StartTime = 100 });
        await Store.LogBatchAsync(info.RunId, [new Metric("rmse", rmse, 1, 1)], [new Param("trainer", trainer)], [new RunTag("stage", stage)]);
        if (finish)
        {
            await Store.UpdateRunAsync(info.RunId, RunStatus.Finished, 200);
        }

        return info.RunId;
    }

    private async Task<IReadOnlyList<Run>> SearchAsync(string? filter, IReadOnlyList<string>? orderBy = null) =>
        (await Store.SearchRunsAsync(new RunSearchRequest { Filter = filter, OrderBy = orderBy ?? [] })).Runs;

    private async Task AssertNothingLoggedAsync(string runId)
    {
        var data = (await Store.GetRunAsync(runId))!.Data;
        Assert.Empty(data.Metrics);
        Assert.Empty(data.Params);
        Assert.Empty(data.Tags);
        Assert.Empty(await Store.GetMetricHistoryAsync(runId, "ok"));
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
