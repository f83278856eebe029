// The QuickStart: the MLOps story on the Auto MPG data, on embedded defaults (a local cache,
// a SQLite tracking file; no server). It needs git on the PATH. Each chapter adds its step here.
//
//   dotnet run --project examples/QuickStart -c Release [-- WORKSPACE]
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Core;
using Mlops.DataVersioning;
using Mlops.Testing;
using Mlops.Testing.Data;
using Mlops.Tracking;
using Mlops.Tracking.MLNet;
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

// Chapter 2: track the experiment. The training data is read through the data repository inside the run,
// so the run records which version it used (path, commit, md5) without being told.
await using var tracker = ExperimentTracker.Create(Path.Combine(workspace, "mlruns.db"));
var ml = new MLContext(seed: 1);
string runId;
double testRmse;
await using (var run = await tracker.StartRunAsync("auto-mpg", runName: "sdca"))
{
    runId = run.RunId;
    var trainingCsv = Path.Combine(Path.GetTempPath(), $"auto-mpg-{runId}.csv"); // ML.NET's loader reads files
    await File.WriteAllBytesAsync(trainingCsv, await repository.ReadAllBytesAsync("data/auto-mpg.csv", revision: "v2"));
    var data = ml.Data.LoadFromTextFile<Car>(trainingCsv, separatorChar: ',', hasHeader: true);
    var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1);
    string[] features = [nameof(Car.Cylinders), nameof(Car.Displacement), nameof(Car.Horsepower), nameof(Car.Weight), nameof(Car.Acceleration)];
    var pipeline = ml.Transforms.Concatenate("Features", features)
        .Append(ml.Transforms.NormalizeMeanVariance("Features"))
        .Append(ml.Regression.Trainers.Sdca(labelColumnName: nameof(Car.Mpg), l2Regularization: 0.1f));
    run.LogParam("trainer", "sdca");
    run.LogParam("l2", 0.1);
    run.LogParam("features", string.Join(",", features));

    var model = pipeline.Fit(split.TrainSet);
    var metrics = ml.Regression.Evaluate(model.Transform(split.TestSet), labelColumnName: nameof(Car.Mpg));
    testRmse = metrics.RootMeanSquaredError;
    run.LogRegressionMetrics(metrics, prefix: "test_");
    await run.LogModelAsync(ml, model, split.TrainSet);
    await run.CompleteAsync();
    File.Delete(trainingCsv);
}

var registry = new ModelRegistry(tracker.Store);
var version = await registry.RegisterRunModelAsync("auto-mpg", runId);
await registry.SetAliasAsync("auto-mpg", "champion", version.Version);
var recorded = DataVersion.FromTags((await tracker.GetRunAsync(runId)).Data.Tags).Single();
Console.WriteLine($"2. Run {runId[..8]}: test rmse {testRmse:F2} mpg; it read {recorded.Path} at {recorded.Revision[..8]} (md5 {recorded.Md5})");

// Serving-to-be: load the champion back by alias and predict one car.
var champion = await tracker.LoadRegisteredModelAsync(ml, "models:/auto-mpg@champion");
var engine = ml.Model.CreatePredictionEngine<Car, MpgPrediction>(champion.Model);
var car = new Car { Cylinders = 4, Displacement = 120, Horsepower = 90, Weight = 2400, Acceleration = 15.5f };
Console.WriteLine($"   Registered auto-mpg v{version.Version} as @champion; inputs {string.Join(", ", champion.Signature.Inputs.Select(c => c.Name))}");
Console.WriteLine($"   @champion predicts {engine.Predict(car).Score:F1} mpg for a 4-cylinder, 2400 lbs car");

Console.WriteLine($"Done. Workspace: {workspace} (try: mlops status -C {workspace}; mlops runs list --store {Path.Combine(workspace, "mlruns.db")})");
return recheck.Success && original.Length > 0 && recorded.Md5 == v2.Md5 ? 0 : 1;

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

static void DeleteTree(string path)
{
    foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
    {
        File.SetAttributes(file, FileAttributes.Normal); // cache objects are read-only
    }

    Directory.Delete(path, recursive: true);
}

/// <summary>A row of the Auto MPG file, as ML.NET loads it.</summary>
internal sealed class Car
{
    [LoadColumn(1)]
    public float Mpg { get; set; }

    [LoadColumn(2)]
    public float Cylinders { get; set; }

    [LoadColumn(3)]
    public float Displacement { get; set; }

    [LoadColumn(4)]
    public float Horsepower { get; set; }

    [LoadColumn(5)]
    [ColumnName("Weight")]
    public float Weight { get; set; }

    [LoadColumn(6)]
    public float Acceleration { get; set; }
}

/// <summary>The model's answer.</summary>
internal sealed class MpgPrediction
{
    public float Score { get; set; }
}
