using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Mlops.Testing.Features;

/// <summary>
/// Feature checks for an ML.NET pipeline; create with <see cref="FeatureChecks.For(Func{MLContext, IEstimator{ITransformer}}, IDataView, IDataView?, int)"/>.
/// The pipeline is fitted once on the training data (lazily, when the checks run) and the checks transform the check data.
/// </summary>
public sealed class TransformerChecks
{
    private readonly Func<MLContext, IEstimator<ITransformer>> _pipeline;
    private readonly IDataView _trainData;
    private readonly IDataView _data;
    private readonly int _seed;
    private readonly CheckList _checks = new();
    private (MLContext Context, ITransformer Model)? _fitted;

    internal TransformerChecks(Func<MLContext, IEstimator<ITransformer>> pipeline, IDataView trainData, IDataView data, int seed)
    {
        _pipeline = pipeline;
        _trainData = trainData;
        _data = data;
        _seed = seed;
    }

    private (MLContext Context, ITransformer Model) Fitted => _fitted ??= Fit(_seed);

    /// <summary>Fitting twice with the same seed gives exactly the same output columns (all readable columns when none are named).</summary>
    public TransformerChecks IsDeterministic(int seed, params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _checks.Add(() =>
        {
            var first = Fit(seed).Model.Transform(_data);
            var second = Fit(seed).Model.Transform(_data);
            return CompareViews($"deterministic under seed {seed.ToString(CultureInfo.InvariantCulture)}", first, second, columns, 0, "rows differ between two fits");
        });
        return this;
    }

    /// <summary>No value of the named output columns (all readable columns when none are named), vector slots included, is NaN or infinite.</summary>
    public TransformerChecks ProducesFiniteValues(params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _checks.Add(() =>
        {
            var output = Fitted.Model.Transform(_data);
            IReadOnlyList<string> names = columns.Length > 0 ? columns : FeatureValues.ReadableColumns(output.Schema);
            var rows = FeatureValues.Read(output, names);
            var tally = new FailureTally();
            for (var row = 0; row < rows.Count; row++)
            {
                for (var c = 0; c < names.Count; c++)
                {
                    FeatureValues.CheckFinite(tally, row, names[c], rows[row][c]);
                }
            }

            return tally.Result($"finite values in {string.Join(", ", names)}", rows.Count, "rows hold NaN or an infinite value");
        });
        return this;
    }

    /// <summary>The fitted model's output has each declared column with exactly the declared type (vector sizes included).</summary>
    public TransformerChecks HasOutputSchema(params (string Name, DataViewType Type)[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _checks.Add(() =>
        {
            var schema = Fitted.Model.GetOutputSchema(_trainData.Schema);
            var tally = new FailureTally();
            foreach (var (name, type) in columns)
            {
                var actual = schema.GetColumnOrNull(name);
                if (actual is not { } column || column.IsHidden)
                {
                    tally.Fail(-1, name, type, "no such column");
                }
                else if (!column.Type.Equals(type))
                {
                    tally.Fail(-1, name, type, column.Type);
                }
            }

            return tally.Result("output schema", columns.Length, "declared columns are missing or of another type");
        });
        return this;
    }

    /// <summary>
    /// Train/serve parity: the batch <c>Transform</c> of each row equals a single-row <see cref="PredictionEngine{TSrc, TDst}"/>
    /// prediction for it, value by value, within <paramref name="tolerance"/> (absolute up to 1, relative above).
    /// </summary>
    /// <typeparam name="TIn">The input row class, as the check data's schema reads into it.</typeparam>
    /// <typeparam name="TOut">The prediction class; its properties are compared.</typeparam>
    public TransformerChecks HasParityWithPredictionEngine<TIn, TOut>(double tolerance = 1e-5)
        where TIn : class, new()
        where TOut : class, new()
    {
        _checks.Add(() =>
        {
            var (context, model) = Fitted;
            var inputs = context.Data.CreateEnumerable<TIn>(_data, reuseRowObject: false).ToList();
            var batch = context.Data.CreateEnumerable<TOut>(model.Transform(_data), reuseRowObject: false).ToList();
            using var engine = context.Model.CreatePredictionEngine<TIn, TOut>(model);
            var tally = new FailureTally();
            for (var row = 0; row < inputs.Count; row++)
            {
                CheckList.CompareFlat(tally, row, FeatureValues.Flatten(batch[row]), FeatureValues.Flatten(engine.Predict(inputs[row])), tolerance);
            }

            return tally.Result("parity of batch Transform and PredictionEngine", inputs.Count, "rows differ (expected: batch, actual: PredictionEngine)");
        });
        return this;
    }

    /// <summary>A perturbation of the input that should not matter leaves the named output columns unchanged within <paramref name="tolerance"/>.</summary>
    /// <param name="perturbation">Names the perturbation in messages.</param>
    /// <param name="perturb">Returns a perturbed copy of an input row (a record's <c>with</c>).</param>
    /// <param name="tolerance">Absolute up to 1, relative above.</param>
    /// <param name="columns">The output columns to compare (at least one; not the perturbed input column itself).</param>
    public TransformerChecks IsInvariantTo<TIn>(string perturbation, Func<TIn, TIn> perturb, double tolerance, params string[] columns)
        where TIn : class, new()
    {
        ArgumentException.ThrowIfNullOrEmpty(perturbation);
        ArgumentNullException.ThrowIfNull(perturb);
        ArgumentOutOfRangeException.ThrowIfZero(columns?.Length ?? 0, nameof(columns));
        _checks.Add(() =>
        {
            var inputs = Fitted.Context.Data.CreateEnumerable<TIn>(_data, reuseRowObject: false).ToList();
            var original = FeatureValues.Read(Transform(inputs), columns!);
            var perturbed = FeatureValues.Read(Transform([.. inputs.Select(perturb)]), columns!);
            return CompareRows($"invariant to {perturbation}", original, perturbed, columns!, tolerance, "rows changed (expected: original, actual: perturbed)");
        });
        return this;
    }

    /// <summary>
    /// Directional expectation: with the other inputs held, <paramref name="outputColumn"/> moves only in
    /// <paramref name="direction"/> as a feature rises through <paramref name="values"/>, for every row of the check data.
    /// </summary>
    /// <param name="feature">Names the feature in messages.</param>
    /// <param name="setFeature">Returns a copy of an input row with the feature set to a value (a record's <c>with</c>).</param>
    /// <param name="values">The values to sweep through (sorted ascending here).</param>
    /// <param name="outputColumn">A number column of the output (a score).</param>
    /// <param name="direction">Increasing or decreasing.</param>
    /// <param name="tolerance">How far (absolute up to 1, relative above) a step may go the wrong way.</param>
    public TransformerChecks IsMonotone<TIn>(string feature, Func<TIn, double, TIn> setFeature, IReadOnlyList<double> values, string outputColumn, Direction direction, double tolerance = 1e-5)
        where TIn : class, new()
    {
        ArgumentException.ThrowIfNullOrEmpty(feature);
        ArgumentNullException.ThrowIfNull(setFeature);
        ArgumentException.ThrowIfNullOrEmpty(outputColumn);
        ArgumentOutOfRangeException.ThrowIfLessThan(values?.Count ?? 0, 2, nameof(values));
        var sweep = values!.Order().ToArray();
        _checks.Add(() =>
        {
            var inputs = Fitted.Context.Data.CreateEnumerable<TIn>(_data, reuseRowObject: false).ToList();
            var outputs = FeatureValues.Read(Transform([.. inputs.SelectMany(input => sweep.Select(v => setFeature(input, v)))]), [outputColumn])
                .Select(cells => cells[0] switch
                {
                    double d => d,
                    double[] { Length: 1 } v => v[0],
                    var other => throw new DataTestingException($"The column '{outputColumn}' holds {FeatureValues.Format(other)}; a directional expectation needs one number per row."),
                })
                .ToArray();
            var tally = new FailureTally();
            for (var row = 0; row < inputs.Count; row++)
            {
                CheckList.CheckMonotone(tally, row, feature, sweep, new ArraySegment<double>(outputs, row * sweep.Length, sweep.Length), outputColumn, direction, tolerance);
            }

            return tally.Result($"{outputColumn} {direction.ToString().ToLowerInvariant()} in {feature}", inputs.Count, "rows moved the other way");
        });
        return this;
    }

    /// <summary>
    /// No leakage: the fitted model transforms each row of <paramref name="testData"/> using only that row and what it
    /// learned from the training data. Each half of the test set is transformed alone and must give exactly what the whole
    /// set gives; a transform that computes statistics from the data it transforms (normalising a test set by its own
    /// mean) fails.
    /// </summary>
    /// <param name="testData">Held-out rows (at least 2).</param>
    /// <param name="columns">The output columns to compare; all readable columns when none are named.</param>
    public TransformerChecks HasNoLeakage(IDataView testData, params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(testData);
        ArgumentNullException.ThrowIfNull(columns);
        _checks.Add(() =>
        {
            var (context, model) = Fitted;
            var whole = model.Transform(testData);
            IReadOnlyList<string> names = columns.Length > 0 ? columns : FeatureValues.ReadableColumns(whole.Schema);
            var rows = FeatureValues.Read(whole, names);
            if (rows.Count < 2)
            {
                throw new DataTestingException($"The leakage check splits the test data in two, so it needs at least 2 rows; it has {rows.Count}.");
            }

            var half = rows.Count / 2;
            var alone = FeatureValues.Read(model.Transform(context.Data.TakeRows(testData, half)), names)
                .Concat(FeatureValues.Read(model.Transform(context.Data.SkipRows(testData, half)), names))
                .ToList();
            return CompareRows("no leakage between test rows", rows, alone, names, 0, "test rows change when their half of the test set is transformed alone (expected: whole set, actual: half)");
        });
        return this;
    }

    /// <summary>Runs the checks and returns a result per check, in order.</summary>
    public IReadOnlyList<FeatureCheckResult> Run() => _checks.Run();

    /// <summary>Runs the checks; returns their results when all hold.</summary>
    /// <exception cref="FeatureCheckException">When a check fails, naming it, its rows and values.</exception>
    public IReadOnlyList<FeatureCheckResult> Assert() => _checks.Assert();

    private (MLContext Context, ITransformer Model) Fit(int seed)
    {
        var context = new MLContext(seed);
        return (context, _pipeline(context).Fit(_trainData));
    }

    private IDataView Transform<TIn>(List<TIn> rows)
        where TIn : class
    {
        var (context, model) = Fitted;
        return model.Transform(context.Data.LoadFromEnumerable(rows, _data.Schema));
    }

    private static FeatureCheckResult CompareViews(string check, IDataView expected, IDataView actual, IReadOnlyList<string> columns, double tolerance, string subject)
    {
        var names = columns.Count > 0 ? columns : FeatureValues.ReadableColumns(expected.Schema);
        return CompareRows(check, FeatureValues.Read(expected, names), FeatureValues.Read(actual, names), names, tolerance, subject);
    }

    private static FeatureCheckResult CompareRows(string check, List<object?[]> expected, List<object?[]> actual, IReadOnlyList<string> columns, double tolerance, string subject)
    {
        var tally = new FailureTally();
        if (expected.Count != actual.Count)
        {
            tally.Fail(-1, "row count", expected.Count, actual.Count);
        }

        for (var row = 0; row < Math.Min(expected.Count, actual.Count); row++)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                FeatureValues.Compare(tally, row, columns[c], expected[row][c], actual[row][c], tolerance);
            }
        }

        return tally.Result(check, expected.Count, subject);
    }
}
