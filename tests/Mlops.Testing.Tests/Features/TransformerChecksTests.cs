using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Testing.Features;

namespace Mlops.Testing.Tests.Features;

public sealed class TransformerChecksTests
{
    private static readonly List<Car> TrainCars = Cars.Generate(100, seed: 1);
    private static readonly List<Car> TestCars = Cars.Generate(20, seed: 2);
    private static readonly IDataView Train = Cars.Load(TrainCars);
    private static readonly IDataView Test = Cars.Load(TestCars);

    [Fact]
    public void A_sound_pipeline_passes_every_check()
    {
        var results = FeatureChecks.For(Cars.MpgPipeline, Train, Test)
            .IsDeterministic(seed: 1)
            .ProducesFiniteValues("Features", "Score")
            .HasOutputSchema(("Features", new VectorDataViewType(NumberDataViewType.Single, 6)), ("Score", NumberDataViewType.Single))
            .HasParityWithPredictionEngine<Car, MpgPrediction>()
            .IsInvariantTo<Car>("a renamed car", car => car with { Name = car.Name.ToUpperInvariant() + "!" }, 0, "Score")
            .IsMonotone<Car>("Weight", (car, weight) => car with { Weight = (float)weight }, [4500, 1800, 2500, 3500], "Score", Direction.Decreasing)
            .HasNoLeakage(Test, "Features", "Score")
            .Assert();

        Assert.Equal(7, results.Count);
        Assert.All(results, r => Assert.True(r.Success, r.Summary));
        Assert.Equal("0 of 20 rows differ between two fits", results[0].Summary);
    }

    public sealed class WeightInput
    {
        public float Weight { get; set; }
    }

    public sealed class Jitter
    {
        public float Noise { get; set; }
    }

    private static int draws;

    [Fact]
    public void A_transform_that_draws_unseeded_numbers_is_not_deterministic()
    {
        // A counter shared across fits stands in for an unseeded random draw: unlike
        // weight + Random.NextSingle(), which rounds to the same float now and then, it
        // differs on every row between two fits, so the counts below are exact.
        var result = FeatureChecks.For(c => c.Transforms.CustomMapping<WeightInput, Jitter>((i, o) => o.Noise = i.Weight + Interlocked.Increment(ref draws), null), Train)
            .IsDeterministic(seed: 1)
            .Run()
            .Single();

        Assert.False(result.Success);
        Assert.Equal("deterministic under seed 1", result.Check);
        Assert.Equal($"{TrainCars.Count} of {TrainCars.Count} rows differ between two fits", result.Summary);
        Assert.Equal(20, result.Failures.Count);
        Assert.Equal((0L, "Noise"), (result.Failures[0].Row, result.Failures[0].Column));
        Assert.NotEqual(result.Failures[0].Expected, result.Failures[0].Actual);
    }

    public sealed class LogWeight
    {
        public float Log { get; set; }
    }

    [Fact]
    public void NaN_and_infinity_are_found_in_scalar_and_vector_columns_with_their_rows()
    {
        // log(weight - 2000) is NaN for cars under 2,000 lbs: a classic unguarded transform.
        var checks = FeatureChecks.For(
            c => c.Transforms.CustomMapping<WeightInput, LogWeight>((i, o) => o.Log = MathF.Log(i.Weight - 2000), null)
                .Append(c.Transforms.Concatenate("Features", "Weight", "Log")),
            Train);

        var results = checks.ProducesFiniteValues("Log", "Features").Run();

        var light = TrainCars.Select((car, row) => (car, row)).Where(x => x.car.Weight <= 2000).Select(x => (long)x.row).ToList();
        Assert.NotEmpty(light);
        var result = Assert.Single(results);
        Assert.False(result.Success);
        Assert.Equal($"{light.Count} of {TrainCars.Count} rows hold NaN or an infinite value", result.Summary);
        Assert.Equal(light[0], result.Failures[0].Row);
        Assert.Equal(("Log", "a finite number", "NaN"), (result.Failures[0].Column, result.Failures[0].Expected, result.Failures[0].Actual));
        Assert.Equal(("Features[1]", light[0]), (result.Failures[1].Column, result.Failures[1].Row));
    }

    [Fact]
    public void A_schema_that_differs_from_the_declared_one_names_each_column()
    {
        var result = FeatureChecks.For(Cars.MpgPipeline, Train)
            .HasOutputSchema(
                ("Features", new VectorDataViewType(NumberDataViewType.Single, 7)),
                ("Score", NumberDataViewType.Single),
                ("Probability", NumberDataViewType.Single))
            .Run()
            .Single();

        Assert.False(result.Success);
        Assert.Equal("2 of 3 declared columns are missing or of another type", result.Summary);
        Assert.Equal(new FeatureCheckFailure(-1, "Features", "Vector<Single, 7>", "Vector<Single, 6>"), result.Failures[0]);
        Assert.Equal(new FeatureCheckFailure(-1, "Probability", "Single", "no such column"), result.Failures[1]);
    }

    public sealed class Scaled
    {
        public float Kilotons { get; set; }
    }

    public sealed class ScaledPrediction
    {
        public float Kilotons { get; set; }
    }

    [Fact]
    public void A_transform_that_serves_differently_from_the_batch_breaks_parity_row_by_row()
    {
        // A conversion factor that changes after the batch run (a lookup refreshed at serving time).
        var calls = 0;
        var result = FeatureChecks.For(
                c => c.Transforms.CustomMapping<WeightInput, Scaled>((i, o) => o.Kilotons = i.Weight / (Interlocked.Increment(ref calls) <= TestCars.Count ? 2000f : 2204.6f), null),
                Train,
                Test)
            .HasParityWithPredictionEngine<Car, ScaledPrediction>()
            .Run()
            .Single();

        Assert.False(result.Success);
        Assert.Equal($"{TestCars.Count} of {TestCars.Count} rows differ (expected: batch, actual: PredictionEngine)", result.Summary);
        Assert.Equal("Kilotons", result.Failures[0].Column);
        Assert.Equal((double)(TestCars[0].Weight / 2000f), double.Parse(result.Failures[0].Expected, System.Globalization.CultureInfo.InvariantCulture), 5);
    }

    [Fact]
    public void Changing_a_feature_the_model_uses_breaks_invariance_for_exactly_the_changed_rows()
    {
        var result = FeatureChecks.For(Cars.MpgPipeline, Train, Test)
            .IsInvariantTo<Car>("origin set to USA", car => car with { Origin = "USA" }, 1e-6, "Score")
            .Run()
            .Single();

        var changed = TestCars.Select((car, row) => (car, row)).Where(x => x.car.Origin != "USA").Select(x => (long)x.row).ToList();
        Assert.False(result.Success);
        Assert.Equal(changed.Count, result.FailureCount);
        Assert.Equal(changed, result.Failures.Select(f => f.Row));
    }

    [Fact]
    public void Expecting_mpg_to_rise_with_weight_fails_for_every_car()
    {
        var result = FeatureChecks.For(Cars.MpgPipeline, Train, Test)
            .IsMonotone<Car>("Weight", (car, weight) => car with { Weight = (float)weight }, [1800, 2500, 3500, 4500], "Score", Direction.Increasing)
            .Run()
            .Single();

        Assert.False(result.Success);
        Assert.Equal("Score increasing in Weight", result.Check);
        Assert.Equal(TestCars.Count, result.FailureCount);
        Assert.Equal("Score at Weight = 2500", result.Failures[0].Column);
        Assert.StartsWith(">= ", result.Failures[0].Expected, StringComparison.Ordinal);
    }

    /// <summary>The leak: a "normaliser" that learns its mean and variance from whatever data it transforms.</summary>
    private sealed class RefitOnTransform(MLContext context) : IEstimator<ITransformer>, ITransformer
    {
        private IDataView? _fitInput;

        public bool IsRowToRowMapper => false;

        private IEstimator<ITransformer> Normalizer => context.Transforms.NormalizeMeanVariance("Features");

        public ITransformer Fit(IDataView input)
        {
            _fitInput = input;
            return this;
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => Normalizer.GetOutputSchema(inputSchema);

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Normalizer.Fit(_fitInput!).GetOutputSchema(inputSchema);

        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => throw new NotSupportedException();

        public void Save(ModelSaveContext ctx) => throw new NotSupportedException();

        public IDataView Transform(IDataView input) => Normalizer.Fit(input).Transform(input);
    }

    [Fact]
    public void A_transform_that_learns_from_the_test_set_leaks_and_every_test_row_shows_it()
    {
        var result = FeatureChecks.For(c => Cars.Features(c).Append(new RefitOnTransform(c)), Train)
            .HasNoLeakage(Test, "Features")
            .Run()
            .Single();

        Assert.False(result.Success);
        Assert.Equal(TestCars.Count, result.FailureCount);
        Assert.Equal((0L, "Features[0]"), (result.Failures[0].Row, result.Failures[0].Column));
    }

    [Fact]
    public void Assert_throws_a_message_naming_each_failed_check_its_rows_and_values()
    {
        var checks = FeatureChecks.For(Cars.MpgPipeline, Train, Test)
            .ProducesFiniteValues("Score")
            .IsMonotone<Car>("Weight", (car, weight) => car with { Weight = (float)weight }, [1800, 4500], "Score", Direction.Increasing);

        var error = Assert.Throws<FeatureCheckException>(() => checks.Assert());

        Assert.StartsWith("1 of 2 feature checks failed.\n- Score increasing in Weight: 20 of 20 rows moved the other way\n    row 0, Score at Weight = 4500: expected >= ", error.Message.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal(20, error.Results[1].Failures.Count);
        Assert.True(error.Results[0].Success);
        Assert.IsAssignableFrom<DataTestingException>(error);
    }

    [Fact]
    public void Naming_a_column_the_output_lacks_is_an_error_that_lists_the_columns()
    {
        var error = Assert.Throws<DataTestingException>(() => FeatureChecks.For(Cars.MpgPipeline, Train).ProducesFiniteValues("Feature").Run());

        Assert.Contains("The output has no column 'Feature'; its columns are: Name, Weight,", error.Message, StringComparison.Ordinal);
    }
}
