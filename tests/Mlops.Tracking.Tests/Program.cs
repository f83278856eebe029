using System.Globalization;

namespace Mlops.Tracking.Tests;

/// <summary>
/// The test assembly's entry point, used by the multi-process tests as a writer:
/// <c>dotnet Mlops.Tracking.Tests.dll write DB SHARED_RUN NAME POINTS</c> logs POINTS metric points to a run of its own
/// (through <see cref="ActiveRun"/>) and to SHARED_RUN (through <see cref="TrackingStore.LogBatchAsync"/>), then prints its run id;
/// <c>… hang DB POINTS</c> logs and flushes, prints the run id, and waits to be killed.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            return 0;
        }

        try
        {
            await using var tracker = ExperimentTracker.Create(args[1], o => o.CaptureEnvironment = false);
            switch (args[0])
            {
                case "write":
                    return await WriteAsync(tracker, args[2], args[3], int.Parse(args[4], CultureInfo.InvariantCulture));
                case "hang":
                    await using (var run = await tracker.StartRunAsync("killed", runName: "doomed"))
                    {
                        for (var step = 0; step < int.Parse(args[2], CultureInfo.InvariantCulture); step++)
                        {
                            run.LogMetric("loss", step, step);
                        }

                        await run.FlushAsync();
                        Console.WriteLine(run.RunId);
                        await Task.Delay(Timeout.Infinite);
                    }

                    return 0;
                default:
                    Console.Error.WriteLine($"Unknown mode '{args[0]}'.");
                    return 2;
            }
        }
#pragma warning disable CA1031 // Report every failure to the parent test through the exit code.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Console.Error.WriteLine(ex);
            return 1;
        }
    }

    private static async Task<int> WriteAsync(ExperimentTracker tracker, string sharedRunId, string name, int points)
    {
        await using var run = await tracker.StartRunAsync("concurrency", runName: name);
        var shared = tracker.Store;
        var batch = new List<Metric>(100);
        for (var step = 0; step < points; step++)
        {
            run.LogMetric("own", step, step);
            batch.Add(new Metric(name, step, step, step));
            if (batch.Count == 100)
            {
                await shared.LogBatchAsync(sharedRunId, batch);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            await shared.LogBatchAsync(sharedRunId, batch);
        }

        await run.CompleteAsync();
        Console.WriteLine(run.RunId);
        return 0;
    }
}
