namespace Mlops.Testing.Features;

/// <summary>Feature checks for a plain function; create with <see cref="FeatureChecks.For{TIn, TOut}"/>.</summary>
/// <typeparam name="TIn">The function's input.</typeparam>
/// <typeparam name="TOut">Its output: a number, text, an array of numbers, or an object whose properties are those.</typeparam>
public sealed class FunctionChecks<TIn, TOut>
{
    private readonly Func<TIn, TOut> _transform;
    private readonly IReadOnlyList<TIn> _inputs;
    private readonly CheckList _checks = new();

    internal FunctionChecks(Func<TIn, TOut> transform, IReadOnlyList<TIn> inputs)
    {
        _transform = transform;
        _inputs = inputs;
    }

    /// <summary>Calling the function twice with the same input gives the same output, exactly.</summary>
    public FunctionChecks<TIn, TOut> IsDeterministic()
    {
        _checks.Add(() => Compare("deterministic", _transform, 0, "inputs gave a different output on the second call"));
        return this;
    }

    /// <summary>No output number is NaN or infinite.</summary>
    public FunctionChecks<TIn, TOut> ProducesFiniteValues()
    {
        _checks.Add(() =>
        {
            var tally = new FailureTally();
            for (var row = 0; row < _inputs.Count; row++)
            {
                foreach (var (name, value) in FeatureValues.Flatten(_transform(_inputs[row])))
                {
                    FeatureValues.CheckFinite(tally, row, name, value);
                }
            }

            return tally.Result("finite values", _inputs.Count, "inputs gave NaN or an infinite value");
        });
        return this;
    }

    /// <summary>A perturbation of the input that should not matter leaves the output unchanged within <paramref name="tolerance"/>.</summary>
    /// <param name="perturbation">Names the perturbation in messages (<c>"upper-cased name"</c>).</param>
    /// <param name="perturb">Returns a perturbed copy of an input.</param>
    /// <param name="tolerance">Absolute up to 1, relative above.</param>
    public FunctionChecks<TIn, TOut> IsInvariantTo(string perturbation, Func<TIn, TIn> perturb, double tolerance = 1e-9)
    {
        ArgumentException.ThrowIfNullOrEmpty(perturbation);
        ArgumentNullException.ThrowIfNull(perturb);
        _checks.Add(() => Compare($"invariant to {perturbation}", x => _transform(perturb(x)), tolerance, "perturbed inputs changed the output"));
        return this;
    }

    /// <summary>
    /// Directional expectation: with the other inputs held, the output moves only in <paramref name="direction"/> as a
    /// feature rises through <paramref name="values"/>.
    /// </summary>
    /// <param name="feature">Names the feature in messages.</param>
    /// <param name="setFeature">Returns a copy of an input with the feature set to a value.</param>
    /// <param name="values">The values to sweep through (sorted ascending here).</param>
    /// <param name="output">Picks the output number that should move.</param>
    /// <param name="direction">Increasing or decreasing.</param>
    /// <param name="tolerance">How far (absolute up to 1, relative above) a step may go the wrong way.</param>
    public FunctionChecks<TIn, TOut> IsMonotone(string feature, Func<TIn, double, TIn> setFeature, IReadOnlyList<double> values, Func<TOut, double> output, Direction direction, double tolerance = 1e-9)
    {
        ArgumentException.ThrowIfNullOrEmpty(feature);
        ArgumentNullException.ThrowIfNull(setFeature);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(values?.Count ?? 0, 2, nameof(values));
        var sweep = values!.Order().ToArray();
        _checks.Add(() =>
        {
            var tally = new FailureTally();
            for (var row = 0; row < _inputs.Count; row++)
            {
                var input = _inputs[row];
                CheckList.CheckMonotone(tally, row, feature, sweep, [.. sweep.Select(v => output(_transform(setFeature(input, v))))], "output", direction, tolerance);
            }

            return tally.Result($"output {direction.ToString().ToLowerInvariant()} in {feature}", _inputs.Count, "inputs moved the other way");
        });
        return this;
    }

    /// <summary>Runs the checks and returns a result per check, in order.</summary>
    public IReadOnlyList<FeatureCheckResult> Run() => _checks.Run();

    /// <summary>Runs the checks; returns their results when all hold.</summary>
    /// <exception cref="FeatureCheckException">When a check fails, naming it, its inputs and values.</exception>
    public IReadOnlyList<FeatureCheckResult> Assert() => _checks.Assert();

    private FeatureCheckResult Compare(string check, Func<TIn, TOut> other, double tolerance, string subject)
    {
        var tally = new FailureTally();
        for (var row = 0; row < _inputs.Count; row++)
        {
            var expected = FeatureValues.Flatten(_transform(_inputs[row]));
            var actual = FeatureValues.Flatten(other(_inputs[row]));
            CheckList.CompareFlat(tally, row, expected, actual, tolerance);
        }

        return tally.Result(check, _inputs.Count, subject);
    }
}
