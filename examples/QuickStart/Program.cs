// The QuickStart: the MLOps story on the Auto MPG data, on embedded defaults (a local cache,
// a SQLite tracking file; no server). It needs git on the PATH. Each chapter adds its step here.
//
//   dotnet run --project examples/QuickStart -c Release [-- WORKSPACE]
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mlops.Core;
using Mlops.DataVersioning;
using Mlops.Testing;
using Mlops.Testing.Data;
using Mlops.Tracking;
using Mlops.Tracking.Registry;

var workspace = Path.GetFullPath(args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "mlops-quickstart"));
if (Directory.Exists(workspace) && Directory.EnumerateFileSystemEntries(workspace).Any())
{
    if (args.Length > 0)
    {
        Console.Error.WriteLine($"The workspace '{workspace}' is not empty: name a new or empty folder.");
        return 2;
    }

    DeleteTree(workspace); // our own default workspace from an earlier run
}

Directory.CreateDirectory(Path.Combine(workspace, "data"));
var csv = Path.Combine(workspace, "data", "auto-mpg.csv");
File.Copy(Path.Combine(AppContext.BaseDirectory, "data", "auto-mpg.csv"), csv);
Git("init", "-q", "-b", "main");
Git("config", "user.email", "quickstart@example.invalid");
Git("config", "user.name", "QuickStart");

// Chapter 0: what does this run on? The snapshot every tracked run carries.
var snapshot = new EnvironmentSnapshotProvider().Capture();
Console.WriteLine($"0. Environment: {snapshot.Runtime} on {snapshot.OperatingSystem} ({snapshot.Architecture}, {snapshot.ProcessorCount} cores)");

// Chapter 1: version the data with Git and a DVC-compatible cache.
var repository = await DataRepository.InitAsync(workspace);
var v1 = await repository.AddAsync("data/auto-mpg.csv");
Git("add", "-A");
Git("commit", "-q", "-m", "Auto MPG, as published");
Git("tag", "v1");
Console.WriteLine($"1. Data v1: data/auto-mpg.csv (md5 {v1.Md5}) tracked by data/auto-mpg.csv.dvc, tagged v1");

// Chapter 3 (testing) on v1: the raw table has gaps a model must not see.
var suite = ExpectationSuite.Create("auto-mpg")
    .ExpectColumnValuesToNotBeNull("Miles_per_Gallon")
    .ExpectColumnValuesToNotBeNull("Horsepower")
    .ExpectColumnValuesToBeBetween("Weight_in_lbs", 1000, 6000)
    .ExpectColumnValuesToBeInSet("Origin", ["USA", "Europe", "Japan"])
    .Build();
var check = await suite.ValidateAsync(CsvDataSource.FromFile(csv));
Console.WriteLine($"   Expectations on v1: {check.Statistics.SuccessfulExpectations} of {check.Statistics.EvaluatedExpectations} met");
foreach (var failure in check.Failures)
{
    var rows = string.Join(", ", failure.Result.PartialUnexpectedIndexList ?? []);
    Console.WriteLine($"   - {failure.ExpectationConfig.Type}({failure.ExpectationConfig.Kwargs["column"]}): {failure.Result.UnexpectedCount} rows ({rows})");
}

// v2: drop the incomplete rows, version the result, and check it again.
var lines = File.ReadAllLines(csv);
var header = lines[0].Split(',');
int mpgColumn = Array.IndexOf(header, "Miles_per_Gallon"), horsepowerColumn = Array.IndexOf(header, "Horsepower");
File.WriteAllLines(csv, lines.Take(1).Concat(lines.Skip(1).Where(l => l.Split(',') is var f && f[mpgColumn].Length > 0 && f[horsepowerColumn].Length > 0)));
var v2 = await repository.AddAsync("data/auto-mpg.csv");
Git("add", "-A");
Git("commit", "-q", "-m", "Drop rows without MPG or horsepower");
Git("tag", "v2");
var recheck = await suite.ValidateAsync(CsvDataSource.FromFile(csv));
Console.WriteLine($"   Data v2: md5 {v2.Md5}, {File.ReadAllLines(csv).Length - 1} rows; expectations {(recheck.Success ? "all met" : "NOT met")}");

// Reading v1 in code while the workspace holds v2: the pointer at that revision names the bytes.
var original = await repository.ReadAllBytesAsync("data/auto-mpg.csv", revision: "v1");
Console.WriteLine($"   Read at v1 without touching the workspace: {original.Length:N0} bytes, {original.Count(b => b == '\n') - 1} rows");

// Chapter 2: track the experiment. A one-feature least-squares fit (MPG from weight) stands in for the model.
await using var tracker = ExperimentTracker.Create(Path.Combine(workspace, "mlruns.db"));
var rowsV2 = File.ReadAllLines(csv).Skip(1).Select(l => l.Split(',')).ToArray();
var weight = rowsV2.Select(f => Parse(f[Array.IndexOf(header, "Weight_in_lbs")])).ToArray();
var mpg = rowsV2.Select(f => Parse(f[mpgColumn])).ToArray();
var (slope, intercept) = Fit(weight, mpg);
var rmse = Math.Sqrt(weight.Select((w, i) => Math.Pow(intercept + slope * w - mpg[i], 2)).Average());

string runId;
await using (var run = await tracker.StartRunAsync("auto-mpg", runName: "least-squares-weight"))
{
    runId = run.RunId;
    run.LogParam("features", "Weight_in_lbs");
    run.LogParam("trainer", "ordinary-least-squares");
    run.LogDataVersion("data/auto-mpg.csv", "v2", v2.Md5);
    run.LogMetric("rmse", rmse);
    var modelFile = Path.Combine(workspace, "model.json");
    await File.WriteAllTextAsync(modelFile, JsonSerializer.Serialize(new { feature = "Weight_in_lbs", slope, intercept }));
    await run.LogArtifactAsync(modelFile, "model/model.json");
    await run.CompleteAsync();
}

var registry = new ModelRegistry(tracker.Store);
var version = await registry.RegisterRunModelAsync("auto-mpg", runId, "model");
await registry.SetAliasAsync("auto-mpg", "champion", version.Version);
var champion = await registry.ResolveAsync("models:/auto-mpg@champion");
Console.WriteLine($"2. Run {runId[..8]}: rmse {rmse:F3} mpg on v2 (mpg ≈ {intercept:F2} {slope * 1000:+0.00;-0.00} per 1000 lbs)");
Console.WriteLine($"   Registered auto-mpg v{champion.Version} as @champion (source {champion.Source})");

Console.WriteLine($"Done. Workspace: {workspace} (try: mlops status -C {workspace}; mlops runs list --store {Path.Combine(workspace, "mlruns.db")})");
return recheck.Success && original.Length > 0 ? 0 : 1;

void Git(params string[] arguments)
{
    var start = new ProcessStartInfo("git") { WorkingDirectory = workspace, RedirectStandardError = true };
    foreach (var argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    using var git = Process.Start(start) ?? throw new InvalidOperationException("git could not be started: install git.");
    var error = git.StandardError.ReadToEnd();
    git.WaitForExit();
    if (git.ExitCode != 0)
    {
        throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {error}");
    }
}

static double Parse(string text) => double.Parse(text, CultureInfo.InvariantCulture);

static (double Slope, double Intercept) Fit(double[] x, double[] y)
{
    double meanX = x.Average(), meanY = y.Average();
    var slope = x.Select((xi, i) => (xi - meanX) * (y[i] - meanY)).Sum() / x.Sum(xi => (xi - meanX) * (xi - meanX));
    return (slope, meanY - slope * meanX);
}

static void DeleteTree(string path)
{
    foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
    {
        File.SetAttributes(file, FileAttributes.Normal); // cache objects are read-only
    }

    Directory.Delete(path, recursive: true);
}
