using System.Text.Json;
using Microsoft.ML;
using Mlops.Conformance;
using Mlops.Tracking.Registry;

namespace Mlops.Tracking.MLNet.Tests;

public sealed class MLNetModelTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly MLContext _ml = new(seed: 1);
    private ExperimentTracker _tracker = null!;

    public Task InitializeAsync()
    {
        _tracker = ExperimentTracker.Create(_temp.Combine("mlruns.db"), o => o.CaptureEnvironment = false);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _tracker.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task Regression_metrics_are_logged_in_one_call_under_a_prefix()
    {
        var (model, data) = TrainRegression();
        var metrics = _ml.Regression.Evaluate(model.Transform(data), labelColumnName: nameof(Car.Mpg));

        await using var run = await _tracker.StartRunAsync("mpg");
        run.LogRegressionMetrics(metrics, prefix: "test_", step: 3);
        await run.CompleteAsync();

        var logged = (await _tracker.GetRunAsync(run.RunId)).Data.Metrics;
        Assert.Equal(
            ["test_loss_function", "test_mean_absolute_error", "test_mean_squared_error", "test_r_squared", "test_root_mean_squared_error"],
            logged.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(metrics.RootMeanSquaredError, logged["test_root_mean_squared_error"].Value);
        Assert.Equal(metrics.RSquared, logged["test_r_squared"].Value);
        Assert.Equal(3, logged["test_mean_absolute_error"].Step);
    }

    [Fact]
    public async Task Binary_and_multiclass_metrics_are_logged_in_one_call()
    {
        var rows = Enumerable.Range(0, 200).Select(i => new Labelled { X = i % 20, Y = (i * 7) % 13, Positive = i % 20 >= 10, Class = (uint)(i % 3) }).ToList();
        var data = _ml.Data.LoadFromEnumerable(rows);
        var features = _ml.Transforms.Concatenate("Features", nameof(Labelled.X), nameof(Labelled.Y));
        var binary = features.Append(_ml.BinaryClassification.Trainers.SdcaLogisticRegression(nameof(Labelled.Positive))).Fit(data);
        var binaryMetrics = _ml.BinaryClassification.Evaluate(binary.Transform(data), nameof(Labelled.Positive));
        var multiclass = features.Append(_ml.Transforms.Conversion.MapValueToKey("Label", nameof(Labelled.Class)))
            .Append(_ml.MulticlassClassification.Trainers.SdcaMaximumEntropy()).Fit(data);
        var multiclassMetrics = _ml.MulticlassClassification.Evaluate(multiclass.Transform(data), topKPredictionCount: 2);

        await using var run = await _tracker.StartRunAsync("classes");
        run.LogBinaryClassificationMetrics(binaryMetrics);
        run.LogMulticlassClassificationMetrics(multiclassMetrics, prefix: "mc_");
        await run.CompleteAsync();

        var logged = (await _tracker.GetRunAsync(run.RunId)).Data.Metrics;
        Assert.Equal(binaryMetrics.Accuracy, logged["accuracy"].Value);
        Assert.Equal(binaryMetrics.AreaUnderRocCurve, logged["area_under_roc_curve"].Value);
        Assert.Equal(binaryMetrics.LogLoss, logged["log_loss"].Value); // calibrated: log loss and entropy too
        Assert.Equal(multiclassMetrics.MacroAccuracy, logged["mc_macro_accuracy"].Value);
        Assert.Equal(multiclassMetrics.TopKAccuracy, logged["mc_top_k_accuracy"].Value);
        Assert.Equal(multiclassMetrics.PerClassLogLoss[2], logged["mc_log_loss_class_2"].Value);
    }

    [Fact]
    public async Task A_logged_model_loads_back_from_its_run_with_signature_and_input_example_and_predicts_the_same()
    {
        var (model, data) = TrainRegression();
        await using var run = await _tracker.StartRunAsync("mpg");
        var logged = await run.LogModelAsync(_ml, model, data, exampleRows: 3);
        await run.CompleteAsync();

        var loaded = await _tracker.LoadModelAsync(_ml, run.RunId);

        Assert.Equal(
            ["Cylinders: float", "Horsepower: float", "Weight: float", "Mpg: float"],
            loaded.Signature.Inputs.Select(c => c.ToString()));
        Assert.Equal(["Features: float[3]", "Score: float"], loaded.Signature.Outputs.Select(c => c.ToString()));
        Assert.Equal(logged.Signature.Inputs, loaded.Signature.Inputs);
        Assert.Equal(logged.Signature.Outputs, loaded.Signature.Outputs);

        using var example = JsonDocument.Parse(loaded.InputExampleJson!);
        Assert.Equal(["Cylinders", "Horsepower", "Weight", "Mpg"], example.RootElement.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        var firstRow = example.RootElement.GetProperty("data")[0].EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(3, example.RootElement.GetProperty("data").GetArrayLength());
        Assert.Equal([Cars[0].Cylinders, Cars[0].Horsepower, Cars[0].Weight, Cars[0].Mpg], firstRow);

        var original = _ml.Model.CreatePredictionEngine<Car, MpgPrediction>(model);
        var reloaded = _ml.Model.CreatePredictionEngine<Car, MpgPrediction>(loaded.Model);
        foreach (var car in Cars.Take(10))
        {
            Assert.Equal(original.Predict(car).Score, reloaded.Predict(car).Score);
        }

        Assert.Equal(["Cylinders", "Horsepower", "Weight", "Mpg"], loaded.InputSchema.Select(c => c.Name));
        var mlmodel = await ReadArtifactAsync(run.RunId, "model/MLmodel");
        Assert.Contains("mlnet:", mlmodel, StringComparison.Ordinal);
        Assert.Contains($"run_id: {run.RunId}", mlmodel, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registered_model_loads_by_alias_and_by_version()
    {
        var (model, data) = TrainRegression();
        await using var run = await _tracker.StartRunAsync("mpg");
        await run.LogModelAsync(_ml, model, data, artifactPath: "sdca");
        await run.CompleteAsync();
        var registry = new ModelRegistry(_tracker.Store);
        var version = await registry.RegisterRunModelAsync("mpg", run.RunId, "sdca");
        await registry.SetAliasAsync("mpg", "champion", version.Version);

        var byAlias = await _tracker.LoadRegisteredModelAsync(_ml, "models:/mpg@champion");
        var byVersion = await _tracker.LoadRegisteredModelAsync(_ml, $"models:/mpg/{version.Version}");

        Assert.Equal(version.Source, byAlias.Source);
        Assert.Equal("Score", byAlias.Signature.Outputs[^1].Name);
        var car = Cars[5];
        Assert.Equal(
            _ml.Model.CreatePredictionEngine<Car, MpgPrediction>(byAlias.Model).Predict(car).Score,
            _ml.Model.CreatePredictionEngine<Car, MpgPrediction>(byVersion.Model).Predict(car).Score);
        var missing = await Assert.ThrowsAsync<TrackingException>(() => _tracker.LoadRegisteredModelAsync(_ml, "models:/mpg@challenger"));
        Assert.Equal(TrackingErrorCode.NotFound, missing.ErrorCode);
    }

    [Fact]
    public async Task Loading_where_no_ML_NET_model_was_logged_says_what_is_missing()
    {
        await using var run = await _tracker.StartRunAsync("mpg");
        using (var other = new MemoryStream("flavors:\n  python_function:\n    loader_module: x\n"u8.ToArray()))
        {
            await run.LogArtifactStreamAsync(other, "sklearn/MLmodel");
        }

        await run.CompleteAsync();

        var none = await Assert.ThrowsAsync<TrackingException>(() => _tracker.LoadModelAsync(_ml, run.RunId));
        Assert.Equal(TrackingErrorCode.NotFound, none.ErrorCode);
        Assert.Contains("model/MLmodel", none.Message, StringComparison.Ordinal);
        var foreign = await Assert.ThrowsAsync<TrackingException>(() => _tracker.LoadModelAsync(_ml, run.RunId, "sklearn"));
        Assert.Contains("no flavor 'mlnet'", foreign.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_that_cannot_take_the_example_columns_is_refused_and_nothing_is_written()
    {
        var (model, _) = TrainRegression();
        var wrong = _ml.Data.LoadFromEnumerable(new[] { new Labelled { X = 1, Y = 2 } });
        await using var run = await _tracker.StartRunAsync("mpg");

        var error = await Assert.ThrowsAsync<TrackingException>(() => run.LogModelAsync(_ml, model, wrong));

        Assert.Equal(TrackingErrorCode.InvalidArgument, error.ErrorCode);
        Assert.Contains("Cylinders", error.Message, StringComparison.Ordinal);
        await run.CompleteAsync();
        Assert.DoesNotContain(await _tracker.ListArtifactsAsync(run.RunId), a => a.StartsWith("model/", StringComparison.Ordinal));
    }

    private static readonly Car[] Cars = [.. Enumerable.Range(0, 120).Select(i =>
    {
        var cylinders = 4 + (i % 3) * 2;
        var horsepower = 60 + (i * 37 % 140);
        var weight = 1800 + (i * 53 % 2600);
        return new Car { Cylinders = cylinders, Horsepower = horsepower, Weight = weight, Mpg = 50 - (0.004f * weight) - (0.05f * horsepower) - cylinders * 0.3f };
    })];

    private (ITransformer Model, IDataView Data) TrainRegression()
    {
        var data = _ml.Data.LoadFromEnumerable(Cars);
        var pipeline = _ml.Transforms.Concatenate("Features", nameof(Car.Cylinders), nameof(Car.Horsepower), nameof(Car.Weight))
            .Append(_ml.Transforms.NormalizeMinMax("Features"))
            .Append(_ml.Regression.Trainers.Sdca(labelColumnName: nameof(Car.Mpg), maximumNumberOfIterations: 50));
        return (pipeline.Fit(data), data);
    }

    private async Task<string> ReadArtifactAsync(string runId, string path)
    {
        await using var stream = await _tracker.OpenArtifactAsync(runId, path);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    public sealed class Car
    {
        public float Cylinders { get; set; }

        public float Horsepower { get; set; }

        public float Weight { get; set; }

        public float Mpg { get; set; }
    }

    public sealed class MpgPrediction
    {
        public float Score { get; set; }
    }

    public sealed class Labelled
    {
        public float X { get; set; }

        public float Y { get; set; }

        public bool Positive { get; set; }

        public uint Class { get; set; }
    }
}
