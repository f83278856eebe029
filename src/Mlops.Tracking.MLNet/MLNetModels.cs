using System.Globalization;
using Microsoft.ML;
using Mlops.Core.Storage;
using Mlops.Tracking.Registry;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Mlops.Tracking.MLNet;

/// <summary>A model logged to a run.</summary>
/// <param name="RunId">The run.</param>
/// <param name="ArtifactPath">The artifact folder holding <c>MLmodel</c>, <c>model.zip</c> and <c>input_example.json</c>.</param>
/// <param name="Signature">The model's input and output columns.</param>
public sealed record LoggedModel(string RunId, string ArtifactPath, ModelSignature Signature);

/// <summary>A model loaded back from a run or from the registry.</summary>
/// <param name="Model">The trained transformer, ready for <c>Transform</c> or a prediction engine.</param>
/// <param name="InputSchema">The input schema saved with the model.</param>
/// <param name="Signature">The signature recorded when the model was logged.</param>
/// <param name="InputExampleJson">The input example (pandas "split" JSON), or null when none was saved.</param>
/// <param name="Source">Where the model's files are in the artifact store.</param>
public sealed record LoadedModel(ITransformer Model, DataViewSchema InputSchema, ModelSignature Signature, string? InputExampleJson, string Source);

/// <summary>
/// Logs a trained ML.NET model as run artifacts in MLflow's layout — a folder with an <c>MLmodel</c> file (flavor
/// <c>mlnet</c>, the signature, the input example's description), <c>model.zip</c> and <c>input_example.json</c> —
/// and loads it back from a run or from the registry.
/// </summary>
public static class MLNetModels
{
    /// <summary>The flavor name in <c>MLmodel</c>.</summary>
    public const string Flavor = "mlnet";

    private const string MLmodelFile = "MLmodel";
    private const string ModelFile = "model.zip";
    private const string InputExampleFile = "input_example.json";

    /// <summary>
    /// Saves <paramref name="model"/> with the schema of <paramref name="inputExample"/> into the run's artifacts under
    /// <paramref name="artifactPath"/>, with its signature and the first <paramref name="exampleRows"/> rows of
    /// <paramref name="inputExample"/> as the input example.
    /// </summary>
    /// <exception cref="TrackingException">The model cannot take the input's columns, or the artifact path is invalid.</exception>
    public static async Task<LoggedModel> LogModelAsync(
        this ActiveRun run,
        MLContext mlContext,
        ITransformer model,
        IDataView inputExample,
        string artifactPath = "model",
        int exampleRows = 5,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(inputExample);
        ArgumentException.ThrowIfNullOrEmpty(artifactPath);
        ArgumentOutOfRangeException.ThrowIfNegative(exampleRows);
        artifactPath = artifactPath.Replace('\\', '/').Trim('/');
        var signature = ModelSignature.Infer(model, inputExample.Schema);

        // The model and example go first: MLmodel is the marker that the folder is complete.
        using (var zip = new MemoryStream())
        {
            mlContext.Model.Save(model, inputExample.Schema, zip);
            zip.Position = 0;
            await run.LogArtifactStreamAsync(zip, $"{artifactPath}/{ModelFile}", cancellationToken).ConfigureAwait(false);
        }

        if (exampleRows > 0)
        {
            using var example = new MemoryStream(InputExample.ToJson(inputExample, exampleRows));
            await run.LogArtifactStreamAsync(example, $"{artifactPath}/{InputExampleFile}", cancellationToken).ConfigureAwait(false);
        }

        using var mlmodel = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(WriteMLmodel(run.RunId, artifactPath, signature, exampleRows > 0)));
        await run.LogArtifactStreamAsync(mlmodel, $"{artifactPath}/{MLmodelFile}", cancellationToken).ConfigureAwait(false);
        return new LoggedModel(run.RunId, artifactPath, signature);
    }

    /// <summary>Loads the model a run logged under <paramref name="artifactPath"/>.</summary>
    /// <exception cref="TrackingException">There is no such run, or no ML.NET model under that path.</exception>
    public static async Task<LoadedModel> LoadModelAsync(
        this ExperimentTracker tracker,
        MLContext mlContext,
        string runId,
        string artifactPath = "model",
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentException.ThrowIfNullOrEmpty(artifactPath);
        var run = await tracker.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        var source = $"{run.Info.ArtifactUri.TrimEnd('/')}/{artifactPath.Replace('\\', '/').Trim('/')}";
        return await LoadAsync(tracker.ArtifactStore, mlContext, source, $"run {runId}, artifact '{artifactPath}'", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Loads a registered model version: <c>models:/name/3</c>, <c>models:/name@champion</c> or <c>models:/name/latest</c>.</summary>
    /// <exception cref="TrackingException">The URI names no version, or the version's source holds no ML.NET model.</exception>
    public static async Task<LoadedModel> LoadRegisteredModelAsync(
        this ExperimentTracker tracker,
        MLContext mlContext,
        string modelUri,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        var version = await new ModelRegistry(tracker.Store).ResolveAsync(modelUri, cancellationToken).ConfigureAwait(false);
        return await LoadAsync(tracker.ArtifactStore, mlContext, version.Source.TrimEnd('/'), $"{modelUri} (version {version.Version})", cancellationToken).ConfigureAwait(false);
    }

    private static async Task<LoadedModel> LoadAsync(BlobStore artifacts, MLContext mlContext, string source, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        var mlmodelText = await ReadTextAsync(artifacts, $"{source}/{MLmodelFile}", cancellationToken).ConfigureAwait(false)
            ?? throw new TrackingException(TrackingErrorCode.NotFound, $"There is no model at {what}: '{source}/{MLmodelFile}' does not exist. Log one with LogModelAsync, or check the path.");
        var (modelFile, signature, examplePath) = ReadMLmodel(mlmodelText, $"{source}/{MLmodelFile}");

        Stream zip;
        try
        {
            zip = await artifacts.OpenReadAsync($"{source}/{modelFile}", cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException ex)
        {
            throw new TrackingException(TrackingErrorCode.NotFound, $"The model at {what} is incomplete: '{source}/{modelFile}' is missing.", ex);
        }

        using var seekable = new MemoryStream();
        await using (zip.ConfigureAwait(false))
        {
            await zip.CopyToAsync(seekable, cancellationToken).ConfigureAwait(false);
        }

        seekable.Position = 0;
        var model = mlContext.Model.Load(seekable, out var inputSchema);
        var example = examplePath is null ? null : await ReadTextAsync(artifacts, $"{source}/{examplePath}", cancellationToken).ConfigureAwait(false);
        return new LoadedModel(model, inputSchema, signature, example, source);
    }

    private static async Task<string?> ReadTextAsync(BlobStore artifacts, string key, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await artifacts.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var reader = new StreamReader(stream);
                return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (BlobNotFoundException)
        {
            return null;
        }
    }

    private static string WriteMLmodel(string runId, string artifactPath, ModelSignature signature, bool hasExample)
    {
        var document = new Dictionary<string, object>
        {
            ["artifact_path"] = artifactPath,
            ["flavors"] = new Dictionary<string, object>
            {
                [Flavor] = new Dictionary<string, object>
                {
                    ["mlnet_version"] = typeof(MLContext).Assembly.GetName().Version?.ToString(3) ?? "",
                    ["model_file"] = ModelFile,
                },
            },
            ["model_uuid"] = Guid.NewGuid().ToString("N"),
            ["run_id"] = runId,
            ["signature"] = new Dictionary<string, object>
            {
                ["inputs"] = ModelSignature.ToJson(signature.Inputs),
                ["outputs"] = ModelSignature.ToJson(signature.Outputs),
            },
            ["utc_time_created"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        };
        if (hasExample)
        {
            document["saved_input_example_info"] = new Dictionary<string, object>
            {
                ["artifact_path"] = InputExampleFile,
                ["pandas_orient"] = "split",
                ["type"] = "dataframe",
            };
        }

        return new SerializerBuilder().Build().Serialize(document);
    }

    private static (string ModelFile, ModelSignature Signature, string? ExamplePath) ReadMLmodel(string text, string key)
    {
        Dictionary<string, object?> document;
        try
        {
            document = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object?>>(text) ?? [];
        }
        catch (YamlException ex)
        {
            throw new TrackingException(TrackingErrorCode.InvalidArgument, $"'{key}' is not valid YAML (line {ex.Start.Line}): {ex.Message}", ex);
        }

        var flavor = Map(Map(document, "flavors"), Flavor)
            ?? throw new TrackingException(TrackingErrorCode.InvalidArgument, $"'{key}' describes no ML.NET model (no flavor '{Flavor}'); load it with the library that logged it.");
        var modelFile = flavor.GetValueOrDefault("model_file") as string ?? ModelFile;
        var signature = Map(document, "signature");
        var inputs = signature?.GetValueOrDefault("inputs") as string;
        var outputs = signature?.GetValueOrDefault("outputs") as string;
        return (
            modelFile,
            new ModelSignature(inputs is null ? [] : ModelSignature.ParseColumns(inputs), outputs is null ? [] : ModelSignature.ParseColumns(outputs)),
            Map(document, "saved_input_example_info")?.GetValueOrDefault("artifact_path") as string);
    }

    private static Dictionary<string, object?>? Map(Dictionary<string, object?>? parent, string key) =>
        parent?.GetValueOrDefault(key) is Dictionary<object, object?> map
            ? map.ToDictionary(e => e.Key.ToString() ?? "", e => e.Value, StringComparer.Ordinal)
            : null;
}
