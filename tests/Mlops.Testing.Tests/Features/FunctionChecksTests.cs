using Mlops.Testing.Features;

namespace Mlops.Testing.Tests.Features;

public sealed class FunctionChecksTests
{
    private static readonly List<Car> Sample = Cars.Generate(50, seed: 3);

    private static float[] CarFeatures(Car car) => [car.Weight / 1000f, MathF.Log(car.Horsepower), car.Origin == "Japan" ? 1 : 0];

    [Fact]
    public void A_sound_feature_function_passes_every_check()
    {
        var results = FeatureChecks.For<Car, float[]>(CarFeatures, Sample)
            .IsDeterministic()
            .ProducesFiniteValues()
            .IsInvariantTo("a renamed car", car => car with { Name = "x" })
            .IsMonotone("Weight", (car, w) => car with { Weight = (float)w }, [1000, 3000, 2000], f => f[0], Direction.Increasing)
            .Assert();

        Assert.Equal(4, results.Count);
        Assert.Equal("0 of 50 inputs gave a different output on the second call", results[0].Summary);
    }

    [Fact]
    public void A_function_with_hidden_randomness_is_not_deterministic()
    {
        var result = FeatureChecks.For((double x) => x + Random.Shared.NextDouble(), [1.0, 2.0, 3.0]).IsDeterministic().Run().Single();

        Assert.False(result.Success);
        Assert.Equal(3, result.FailureCount);
        Assert.Equal([0L, 1L, 2L], result.Failures.Select(f => f.Row));
    }

    [Fact]
    public void A_function_producing_NaN_and_infinity_names_the_inputs_and_the_output_slot()
    {
        double[] inputs = [.. Enumerable.Range(0, 10).Select(i => (double)i)];
        var result = FeatureChecks.For((double x) => new { Root = Math.Sqrt(x - 3), Inverse = 1 / (x - 5) }, inputs).ProducesFiniteValues().Run().Single();

        var bad = inputs.Select((x, row) => (x, row)).Where(p => p.x < 3 || p.x == 5).Select(p => (long)p.row).ToList();
        Assert.False(result.Success);
        Assert.Equal(bad.Count, result.FailureCount);
        Assert.Equal(bad, result.Failures.Select(f => f.Row));
        Assert.Equal(new FeatureCheckFailure(5, "Inverse", "a finite number", "Infinity"), result.Failures[^1]);
        Assert.Equal("Root", result.Failures[0].Column);
    }

    [Fact]
    public void A_perturbation_that_should_not_matter_but_does_breaks_invariance()
    {
        string[] names = ["ford pinto", "vw rabbit", "toyota corolla"];
        var checks = FeatureChecks.For((string name) => name.Length, names)
            .IsInvariantTo("upper case", n => n.ToUpperInvariant())
            .IsInvariantTo("a trailing space", n => n + " ");

        var results = checks.Run();

        Assert.True(results[0].Success);
        Assert.False(results[1].Success);
        Assert.Equal(new FeatureCheckFailure(0, "value", "10", "11"), results[1].Failures[0]);
        Assert.Equal("invariant to a trailing space", results[1].Check);
    }

    [Fact]
    public void A_function_that_is_not_monotone_fails_the_directional_expectation()
    {
        var result = FeatureChecks.For((double x) => x * x, [0.0])
            .IsMonotone("x", (_, v) => v, [-2, -1, 0, 1, 2], y => y, Direction.Increasing)
            .Run()
            .Single();

        Assert.False(result.Success);
        Assert.Equal(new FeatureCheckFailure(0, "output at x = -1", ">= 4 (its value at x = -2)", "1"), result.Failures.Single());
    }

    [Fact]
    public void The_message_shows_twenty_failures_and_counts_the_rest()
    {
        var error = Assert.Throws<FeatureCheckException>(() => FeatureChecks.For((int i) => double.NaN, Enumerable.Range(0, 25)).ProducesFiniteValues().Assert());

        var lines = error.Message.ReplaceLineEndings("\n").Split('\n');
        Assert.Equal("- finite values: 25 of 25 inputs gave NaN or an infinite value", lines[1]);
        Assert.Equal("    row 0, value: expected a finite number, actual NaN", lines[2]);
        Assert.Equal("    row 19, value: expected a finite number, actual NaN", lines[21]);
        Assert.Equal("    … 5 more", lines[22]);
    }
}
