using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Mlops.Testing.Tests.Features;

/// <summary>An Auto MPG-like car: weight, horsepower, cylinders and origin; miles per gallon is the label.</summary>
public sealed record Car
{
    public string Name { get; set; } = string.Empty;

    public float Weight { get; set; }

    public float Horsepower { get; set; }

    public float Cylinders { get; set; }

    public string Origin { get; set; } = string.Empty;

    public float Mpg { get; set; }
}

public sealed class MpgPrediction
{
    [VectorType(6)]
    public float[] Features { get; set; } = [];

    public float Score { get; set; }
}

internal static class Cars
{
    private static readonly string[] Origins = ["USA", "Europe", "Japan"];

    /// <summary>Cars whose mpg falls with weight and horsepower, as in Auto MPG, with a little noise.</summary>
    public static List<Car> Generate(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var weight = 1600 + (float)random.NextDouble() * 3400;
            var horsepower = 50 + (float)random.NextDouble() * 180;
            var origin = Origins[random.Next(3)];
            return new Car
            {
                Name = "car " + i,
                Weight = weight,
                Horsepower = horsepower,
                Cylinders = new[] { 4f, 6f, 8f }[random.Next(3)],
                Origin = origin,
                Mpg = 46 - 0.0065f * weight - 0.04f * horsepower + (origin == "Japan" ? 2 : 0) + (float)(random.NextDouble() - 0.5),
            };
        })];
    }

    public static IDataView Load(IEnumerable<Car> cars) => new MLContext().Data.LoadFromEnumerable(cars);

    /// <summary>One-hot origin, the numbers concatenated and normalised, and a single-threaded SDCA regression.</summary>
    public static IEstimator<ITransformer> MpgPipeline(MLContext context) =>
        Features(context)
            .Append(context.Transforms.NormalizeMeanVariance("Features"))
            .Append(context.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options
            {
                LabelColumnName = "Mpg",
                FeatureColumnName = "Features",
                NumberOfThreads = 1,
                MaximumNumberOfIterations = 30,
            }));

    public static EstimatorChain<ColumnConcatenatingTransformer> Features(MLContext context) =>
        context.Transforms.Categorical.OneHotEncoding("OriginHot", "Origin")
            .Append(context.Transforms.Concatenate("Features", "Weight", "Horsepower", "Cylinders", "OriginHot"));
}
