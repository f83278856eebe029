using Mlops.Conformance;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Mlops.Tracking.Sqlite;

namespace Mlops.Tracking.Tests;

public sealed class SqliteTrackingStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string DatabasePath => _temp.Combine("nested", "folder", "mlruns.db");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_first_call_creates_the_folder_the_file_and_a_versioned_schema_in_wal_mode()
    {
        await using var store = new SqliteTrackingStore(DatabasePath);

        Assert.False(File.Exists(DatabasePath));
        await store.CreateExperimentAsync("e");

        Assert.True(File.Exists(DatabasePath));
        Assert.Equal(1L, Scalar("SELECT MAX(version) FROM schema_version"));
        Assert.Equal("wal", Scalar("PRAGMA journal_mode"));
    }

    [Fact]
    public async Task Reading_a_missing_store_finds_nothing_and_creates_no_file()
    {
        await using var store = new SqliteTrackingStore(DatabasePath);

        Assert.Empty(await store.ListExperimentsAsync().ToListAsync());
        Assert.Null(await store.GetExperimentByNameAsync("e"));
        Assert.Null(await store.GetRunAsync(new string('a', 32)));
        Assert.Empty((await store.SearchRunsAsync(new Search.RunSearchRequest { Filter = "metrics.rmse < 3" })).Runs);
        Assert.Empty(await store.ListRegisteredModelsAsync().ToListAsync());
        var error = await Assert.ThrowsAsync<TrackingException>(() => store.GetMetricHistoryAsync(new string('a', 32), "rmse"));
        Assert.Equal(TrackingErrorCode.NotFound, error.ErrorCode);
        Assert.False(Directory.Exists(Path.GetDirectoryName(DatabasePath)));

        // The first write creates it, and reads then see it.
        await store.CreateExperimentAsync("e");
        Assert.True(File.Exists(DatabasePath));
        Assert.NotNull(await store.GetExperimentByNameAsync("e"));
    }

    [Fact]
    public async Task Metric_points_are_stored_with_integer_run_and_key_ids()
    {
        await using var store = new SqliteTrackingStore(DatabasePath);
        var experiment = await store.CreateExperimentAsync("e");
        var runId = (await store.CreateRunAsync(new NewRun { ExperimentId = experiment })).RunId;
        await store.LogBatchAsync(runId, [new Metric("loss", 1, 1, 1), new Metric("loss", 2, 1, 2), new Metric("acc", 3, 1, 1)]);

        Assert.Equal(2L, Scalar("SELECT COUNT(*) FROM metric_keys"));
        Assert.Equal("integer integer", Scalar("SELECT typeof(run_key) || ' ' || typeof(key_id) FROM metrics GROUP BY typeof(run_key), typeof(key_id)"));
        Assert.Equal(runId, Scalar("SELECT r.run_id FROM metrics m JOIN runs r ON r.run_key = m.run_key GROUP BY r.run_id"));
    }

    [Fact]
    public async Task Runs_and_models_past_one_statement_of_parameters_are_read_whole()
    {
        // SQLite reads them in IN lists of 500 ids: 501 take two statements.
        const int Count = 501;
        await using var store = new SqliteTrackingStore(DatabasePath);
        var experiment = await store.CreateExperimentAsync("e");
        for (var i = 0; i < Count; i++)
        {
            var number = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var runId = (await store.CreateRunAsync(new NewRun { ExperimentId = experiment, Tags = [new RunTag("i", number)] })).RunId;
            await store.LogBatchAsync(runId, [new Metric("m", i, 1, 1)], [new Param("p", number)]);
            await store.CreateRegisteredModelAsync("model-" + number, tags: [new RunTag("i", number)]);
        }

        var runs = (await store.SearchRunsAsync(new Search.RunSearchRequest { ExperimentIds = [experiment] })).Runs;
        var models = await store.ListRegisteredModelsAsync().ToListAsync();

        Assert.Equal(Count, runs.Count);
        Assert.All(runs, r => Assert.Equal(r.Data.Tags["i"], r.Data.Params["p"]));
        Assert.All(runs, r => Assert.Equal(r.Data.Tags["i"], r.Data.Metrics["m"].Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(Count, models.Count);
        Assert.All(models, m => Assert.Equal("model-" + m.Tags["i"], m.Name));
    }

    [Fact]
    public async Task Data_survives_reopening_and_the_schema_is_not_created_twice()
    {
        string runId;
        await using (var first = new SqliteTrackingStore(DatabasePath))
        {
            var experiment = await first.CreateExperimentAsync("e");
            runId = (await first.CreateRunAsync(new NewRun { ExperimentId = experiment })).RunId;
            await first.LogBatchAsync(runId, [new Metric("m", 1, 1, 1)]);
        }

        SqliteConnection.ClearAllPools();
        await using var second = new SqliteTrackingStore(DatabasePath);
        await second.InitializeAsync();

        Assert.Single(await second.GetMetricHistoryAsync(runId, "m"));
        Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM schema_version"));
    }

    [Fact]
    public async Task A_store_from_a_newer_version_is_refused_with_advice()
    {
        await using (var store = new SqliteTrackingStore(DatabasePath))
        {
            await store.InitializeAsync();
        }

        Execute("INSERT INTO schema_version (version) VALUES (99)");
        SqliteConnection.ClearAllPools();
        await using var newer = new SqliteTrackingStore(DatabasePath);

        var error = await Assert.ThrowsAsync<TrackingException>(() => newer.CreateExperimentAsync("e"));

        Assert.Contains("99", error.Message, StringComparison.Ordinal);
        Assert.Contains("upgrade", error.Message, StringComparison.Ordinal);
        Assert.Contains(DatabasePath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_of_another_program_is_left_alone()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        Execute("CREATE TABLE runs (id INTEGER)");
        SqliteConnection.ClearAllPools();
        await using var store = new SqliteTrackingStore(DatabasePath);

        var error = await Assert.ThrowsAsync<TrackingException>(() => store.InitializeAsync());

        Assert.Contains("another program", error.Message, StringComparison.Ordinal);
        Assert.Null(Scalar("SELECT name FROM sqlite_master WHERE name = 'experiments'"));
    }

    [Fact]
    public async Task Four_stores_on_one_file_write_at_once_and_every_point_is_there()
    {
        const int Writers = 4;
        const int Batches = 150;
        const int BatchSize = 100;
        await using var setup = new SqliteTrackingStore(DatabasePath);
        var experiment = await setup.CreateExperimentAsync("e");
        var shared = (await setup.CreateRunAsync(new NewRun { ExperimentId = experiment })).RunId;

        var stores = Enumerable.Range(0, Writers).Select(_ => new SqliteTrackingStore(DatabasePath)).ToArray();
        try
        {
            await Task.WhenAll(stores.Select((store, writer) => Task.Run(async () =>
            {
                var own = (await store.CreateRunAsync(new NewRun { ExperimentId = experiment, RunName = $"w{writer}" })).RunId;
                for (var batch = 0; batch < Batches; batch++)
                {
                    var points = Enumerable.Range(batch * BatchSize, BatchSize).Select(step => new Metric($"w{writer}", step, step, step)).ToList();
                    await store.LogBatchAsync(shared, points, [new Param($"w{writer}.b{batch}", "x")]);
                    await store.LogBatchAsync(own, points, tags: [new RunTag("progress", batch.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
                }
            })));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }

        for (var writer = 0; writer < Writers; writer++)
        {
            var history = await setup.GetMetricHistoryAsync(shared, $"w{writer}");
            Assert.Equal(Enumerable.Range(0, Batches * BatchSize).Select(i => (double)i), history.Select(m => m.Value));
        }

        var sharedRun = (await setup.GetRunAsync(shared))!;
        Assert.Equal(Writers * Batches, sharedRun.Data.Params.Count);
        var ownRuns = await setup.SearchRunsAsync(new Search.RunSearchRequest { Filter = "tags.progress = '149'" });
        Assert.Equal(Writers, ownRuns.Runs.Count);
        Assert.All(ownRuns.Runs, r => Assert.Equal(Batches * BatchSize - 1, r.Data.Metrics[r.Info.RunName].Step));
    }

    [Fact]
    public async Task Four_trackers_creating_one_experiment_at_once_share_it()
    {
        var trackers = Enumerable.Range(0, 4).Select(_ => ExperimentTracker.Create(DatabasePath, o => o.CaptureEnvironment = false)).ToArray();
        try
        {
            var ids = await Task.WhenAll(trackers.Select(t => Task.Run(() => t.GetOrCreateExperimentAsync("shared"))));

            Assert.Single(ids.Distinct());
        }
        finally
        {
            foreach (var tracker in trackers)
            {
                await tracker.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Four_processes_write_at_once_and_every_point_is_there()
    {
        const int Points = 10_000;
        await using var setup = new SqliteTrackingStore(DatabasePath);
        var experiment = await setup.CreateExperimentAsync("shared-runs");
        var shared = (await setup.CreateRunAsync(new NewRun { ExperimentId = experiment })).RunId;

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => RunWriterAsync("write", DatabasePath, shared, $"p{i}", Points.ToString(System.Globalization.CultureInfo.InvariantCulture))));

        Assert.All(results, r => Assert.True(r.ExitCode == 0, $"A writer failed with exit code {r.ExitCode}: {r.Error}"));
        Assert.All(results, r => Assert.DoesNotContain("locked", r.Error, StringComparison.OrdinalIgnoreCase));
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(Points, (await setup.GetMetricHistoryAsync(shared, $"p{i}")).Count);
            var own = (await setup.GetRunAsync(results[i].Output.Trim()))!;
            Assert.Equal(RunStatus.Finished, own.Info.Status);
            Assert.Equal(Points, (await setup.GetMetricHistoryAsync(own.Info.RunId, "own")).Count);
        }
    }

    [Fact]
    public async Task A_process_killed_mid_run_leaves_a_readable_store_with_every_flushed_point()
    {
        var psi = WriterStartInfo("hang", DatabasePath, "5000");
        using var process = Process.Start(psi)!;
        var runId = (await process.StandardOutput.ReadLineAsync())?.Trim();
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();

        Assert.False(string.IsNullOrEmpty(runId), await process.StandardError.ReadToEndAsync());
        SqliteConnection.ClearAllPools();
        await using var store = new SqliteTrackingStore(DatabasePath);
        var run = (await store.GetRunAsync(runId))!;
        Assert.Equal(RunStatus.Running, run.Info.Status);
        Assert.Equal(5000, (await store.GetMetricHistoryAsync(runId, "loss")).Count);
        Assert.Equal("ok", Scalar("PRAGMA integrity_check"));

        // A later process notices that the run's process is gone and marks the run FAILED, keeping its points.
        await using var tracker = ExperimentTracker.Create(DatabasePath, o => o.CaptureEnvironment = false);
        Assert.Equal([runId], await tracker.FailAbandonedRunsAsync());
        Assert.Equal(RunStatus.Failed, (await tracker.GetRunAsync(runId!)).Info.Status);
        Assert.Equal(5000, (await tracker.GetMetricHistoryAsync(runId!, "loss")).Count);
    }

    private static ProcessStartInfo WriterStartInfo(params string[] args)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // The test host runs under 'dotnet'; run this assembly's Main the same way.
        psi.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        if (!Path.GetFileNameWithoutExtension(psi.FileName).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            psi.FileName = "dotnet";
        }

        return psi;
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunWriterAsync(params string[] args)
    {
        using var process = Process.Start(WriterStartInfo(args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    private object? Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

public sealed class SqliteTrackingStoreLocationTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_store_under_a_file_says_where_and_what_to_do()
    {
        var blocker = _temp.Combine("not-a-folder");
        await File.WriteAllTextAsync(blocker, "x");
        await using var store = new SqliteTrackingStore(Path.Combine(blocker, "mlruns.db"));

        var error = await Assert.ThrowsAsync<TrackingException>(() => store.InitializeAsync());

        Assert.Equal(TrackingErrorCode.StoreFailure, error.ErrorCode);
        Assert.Contains(blocker, error.Message, StringComparison.Ordinal);
        Assert.Contains("MLOPS_TRACKING_URI", error.Message, StringComparison.Ordinal);
    }
}
