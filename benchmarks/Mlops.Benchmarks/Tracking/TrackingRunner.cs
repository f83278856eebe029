using System.Diagnostics;
using System.Globalization;
using Mlops.Tracking;
using Mlops.Tracking.Search;

namespace Mlops.Benchmarks.Tracking;

/// <summary>
/// The in-process side of <c>benchmarks/tracking.sh</c>. STORE is a store URI as <c>MLOPS_TRACKING_URI</c> takes it
/// (a SQLite file or a PostgreSQL connection string). Each timing is a <see cref="Stopwatch"/> around public
/// <see cref="ExperimentTracker"/> / <see cref="TrackingStore"/> calls, opening the store included; process start-up is not.
/// </summary>
internal static class TrackingRunner
{
    /// <summary>The search measured: two clauses and an order, first page of 100.</summary>
    public const string SearchFilter = "metrics.m0 < 0.1 and params.p0 = 'v3'";

    /// <summary>The ordering of the measured search.</summary>
    public const string SearchOrder = "metrics.m1 DESC";

    private const string LogExperiment = "bench-log";
    private const string SearchExperiment = "bench-search";

    /// <summary>
    /// <c>--tracking-log STORE RUNS STEPS</c>: RUNS runs one after the other, each logging STEPS points of the metric
    /// <c>loss</c> through <see cref="ActiveRun.LogMetric"/> and completed; prints the seconds for all of it.
    /// </summary>
    public static async Task<int> Log(string store, int runs, int steps)
    {
        var clock = Stopwatch.StartNew();
        var tracker = ExperimentTracker.Create(store);
        await using (tracker.ConfigureAwait(false))
        {
            for (var r = 0; r < runs; r++)
            {
                var run = await tracker.StartRunAsync(LogExperiment, runName: "run-" + r.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                await using (run.ConfigureAwait(false))
                {
                    for (var step = 0; step < steps; step++)
                    {
                        run.LogMetric("loss", 1.0 / (step + 1), step);
                    }

                    await run.CompleteAsync().ConfigureAwait(false);
                }
            }
        }

        Report(clock.Elapsed.TotalSeconds, (long)runs * steps);
        return 0;
    }

    /// <summary>
    /// <c>--tracking-seed STORE RUNS</c>: RUNS runs with params p0..p9 (<c>v0</c>..<c>v9</c>) and metrics m0..m9 (uniform
    /// in [0, 1)), through <see cref="TrackingStore.CreateRunAsync"/> and one <see cref="TrackingStore.LogBatchAsync"/> per run.
    /// SQLite takes one writer at a time, so it is seeded from one task; PostgreSQL from four.
    /// </summary>
    public static async Task<int> Seed(string store, int runs)
    {
        var clock = Stopwatch.StartNew();
        var tracker = ExperimentTracker.Create(store);
        await using (tracker.ConfigureAwait(false))
        {
            var experimentId = await tracker.GetOrCreateExperimentAsync(SearchExperiment).ConfigureAwait(false);
            var writers = TrackingOptions.IsPostgreSqlUri(store) ? 4 : 1;
            await Parallel.ForAsync(0, writers, async (writer, cancellationToken) =>
            {
                var random = new Random(writer);
                var parameters = new Param[10];
                var metrics = new Metric[10];
                for (var r = writer; r < runs; r += writers)
                {
                    var info = await tracker.Store.CreateRunAsync(new NewRun { ExperimentId = experimentId, RunName = "seed-" + r.ToString(CultureInfo.InvariantCulture), StartTime = r }, cancellationToken).ConfigureAwait(false);
                    for (var i = 0; i < 10; i++)
                    {
                        var n = i.ToString(CultureInfo.InvariantCulture);
                        parameters[i] = new Param("p" + n, "v" + random.Next(10).ToString(CultureInfo.InvariantCulture));
                        metrics[i] = new Metric("m" + n, random.NextDouble(), r, 0);
                    }

                    await tracker.Store.LogBatchAsync(info.RunId, metrics, parameters, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        }

        Report(clock.Elapsed.TotalSeconds, runs);
        return 0;
    }

    /// <summary>
    /// <c>--tracking-search STORE ROUNDS</c>: the first 100 runs of the seeded experiment matching <see cref="SearchFilter"/>
    /// ordered by <see cref="SearchOrder"/>, ROUNDS times on one store after one untimed warm-up; prints each round's milliseconds.
    /// </summary>
    public static async Task<int> Search(string store, int rounds)
    {
        var tracker = ExperimentTracker.Create(store);
        await using (tracker.ConfigureAwait(false))
        {
            var experiment = await tracker.Store.GetExperimentByNameAsync(SearchExperiment).ConfigureAwait(false)
                ?? throw new InvalidOperationException("Seed the store first (--tracking-seed).");
            var request = new RunSearchRequest { ExperimentIds = [experiment.ExperimentId], Filter = SearchFilter, OrderBy = [SearchOrder], MaxResults = 100 };
            return await TimeRoundsAsync(rounds, async () =>
            {
                var result = await tracker.SearchRunsAsync(request).ConfigureAwait(false);
                return result.Runs.Count == 100 ? result.Runs.Count : throw new InvalidOperationException($"Expected 100 runs, found {result.Runs.Count}.");
            }).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <c>--tracking-history STORE ROUNDS</c>: the history of <c>loss</c> of the last run <c>--tracking-log</c> wrote, ROUNDS
    /// times after one untimed warm-up; prints each round's milliseconds.
    /// </summary>
    public static async Task<int> History(string store, int rounds)
    {
        var tracker = ExperimentTracker.Create(store);
        await using (tracker.ConfigureAwait(false))
        {
            var experiment = await tracker.Store.GetExperimentByNameAsync(LogExperiment).ConfigureAwait(false)
                ?? throw new InvalidOperationException("Log to the store first (--tracking-log).");
            var latest = await tracker.SearchRunsAsync(new RunSearchRequest { ExperimentIds = [experiment.ExperimentId], MaxResults = 1 }).ConfigureAwait(false);
            var runId = latest.Runs[0].Info.RunId;
            return await TimeRoundsAsync(rounds, async () => (await tracker.GetMetricHistoryAsync(runId, "loss").ConfigureAwait(false)).Count).ConfigureAwait(false);
        }
    }

    private static async Task<int> TimeRoundsAsync(int rounds, Func<Task<int>> action)
    {
        var count = await action().ConfigureAwait(false);
        var times = new List<double>();
        for (var i = 0; i < rounds; i++)
        {
            var clock = Stopwatch.StartNew();
            count = await action().ConfigureAwait(false);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine(string.Join(' ', times.Select(t => t.ToString("0.0", CultureInfo.InvariantCulture))) + " " + count.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>Prints "wall-seconds cpu-seconds count": on a shared machine the CPU time says what the wall-clock cannot.</summary>
    private static void Report(double seconds, long count) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{seconds:0.000} {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:0.000} {count}"));
}
