using System.Globalization;
using System.Text.Json;
using Mlops.Testing.Data;
using Mlops.Testing.Expectations;
using Mlops.Testing.Statistics;

namespace Mlops.Testing.Evaluation;

/// <summary>
/// A GX partition object: categorical (<c>values</c> + <c>weights</c>) or continuous (<c>bins</c> + <c>weights</c>,
/// optionally <c>tail_weights</c>). Checked as GX's <c>is_valid_partition_object</c> checks it: as many values as
/// weights (one more bin edge than weights), strictly increasing bins, weights (with the tail weights) summing to one
/// within numpy's <c>allclose</c> tolerance.
/// </summary>
internal sealed record Partition(IReadOnlyList<JsonElement>? Values, double[]? Bins, double[] Weights, double[]? TailWeights)
{
    public bool IsCategorical => Values is not null;

    public static Partition? Read(KwargReader k, string argument = "partition_object")
    {
        if (!k.TryGet(argument, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw k.Error(argument, $"must be an object with 'values' (or 'bins') and 'weights', got {element.GetRawText()}");
        }

        var weights = Numbers(k, argument, element, "weights") ?? throw k.Error(argument, "needs 'weights', a list of numbers");
        var tails = Numbers(k, argument, element, "tail_weights");
        if (element.TryGetProperty("values", out var values) && values.ValueKind == JsonValueKind.Array)
        {
            var list = values.EnumerateArray().ToList();
            if (list.Count != weights.Length)
            {
                throw k.Error(argument, $"has {list.Count} values but {weights.Length} weights");
            }

            CheckSum(k, argument, weights);
            return new Partition(list, null, weights, null);
        }

        var bins = Numbers(k, argument, element, "bins") ?? throw k.Error(argument, "needs 'values' (a categorical partition) or 'bins' (a continuous one)");
        if (bins.Length != weights.Length + 1)
        {
            throw k.Error(argument, $"has {bins.Length} bin edges but {weights.Length} weights; a continuous partition has one more edge than weights");
        }

        for (var i = 1; i < bins.Length; i++)
        {
            if (!(bins[i] > bins[i - 1]))
            {
                throw k.Error(argument, "has bins that are not strictly increasing");
            }
        }

        if (tails is not null && tails.Length != 2)
        {
            throw k.Error(argument, $"has {tails.Length} tail_weights; give two (below the first bin, above the last)");
        }

        CheckSum(k, argument, [.. weights, .. tails ?? []]);
        return new Partition(null, bins, weights, tails);
    }

    private static void CheckSum(KwargReader k, string argument, double[] weights)
    {
        var sum = weights.Sum();
        if (!(Math.Abs(sum - 1.0) <= 1e-8 + 1e-5))
        {
            throw k.Error(argument, $"has weights that sum to {sum.ToString("R", CultureInfo.InvariantCulture)}, not 1");
        }
    }

    // A list of numbers; "Infinity"/"-Infinity" (as Python's json writes them, quoted here) are accepted for bins.
    private static double[]? Numbers(KwargReader k, string argument, JsonElement partition, string name)
    {
        if (!partition.TryGetProperty(name, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw k.Error(argument, $"has '{name}' that is not a list");
        }

        return [.. list.EnumerateArray().Select(e => e.ValueKind switch
        {
            JsonValueKind.Number => e.GetDouble(),
            JsonValueKind.String when TextValues.TryParseDouble(e.GetString(), out var d) && !double.IsNaN(d) => d,
            _ => throw k.Error(argument, $"has '{name}' with {e.GetRawText()}, which is not a number"),
        })];
    }

    /// <summary>The partition as GX writes it in <c>details</c>.</summary>
    public static Dictionary<string, object?> Describe(IEnumerable<object?>? values, IEnumerable<double>? bins, IEnumerable<double> weights, IEnumerable<double>? tails)
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (values is not null)
        {
            d["values"] = values.ToList();
        }

        if (bins is not null)
        {
            d["bins"] = bins.ToList();
        }

        d["weights"] = weights.ToList();
        if (tails is not null)
        {
            d["tail_weights"] = tails.ToList();
        }

        return d;
    }
}

/// <summary>The observed and expected frequencies of a categorical partition, aligned on one list of values.</summary>
internal sealed record AlignedCategories(List<object?> Values, double[] Observed, double[] Expected, int Unexpected)
{
    /// <summary>
    /// Aligns observed counts with a partition as GX does with <c>pd.concat([expected, observed], axis=1)</c>: the
    /// partition's values in order, then the observed values the partition does not name, by value. Observed is the
    /// count (0 when not seen); expected is the partition's weight (NaN for a value it does not name).
    /// </summary>
    public static AlignedCategories Align(Partition partition, DistinctValues counts, DataColumn column)
    {
        var values = new List<object?>();
        var observed = new List<double>();
        var expected = new List<double>();
        var byValue = new Dictionary<UnexpectedTally.ValueKey, long>();
        foreach (var (value, count) in counts.Counts)
        {
            byValue[new UnexpectedTally.ValueKey(Domain.Normalize(value))] = count;
        }

        var named = new HashSet<UnexpectedTally.ValueKey>();
        for (var i = 0; i < partition.Values!.Count; i++)
        {
            var element = partition.Values[i];
            var key = new UnexpectedTally.ValueKey(Domain.FromJson(element, column.Type));
            named.Add(key);
            values.Add(Plain(element));
            observed.Add(key.Value is not null && byValue.TryGetValue(key, out var n) ? n : 0);
            expected.Add(partition.Weights[i]);
        }

        var unexpected = 0;
        foreach (var (value, count) in counts.Counts.OrderBy(c => c.Value, ValueComparer.Instance))
        {
            if (!named.Contains(new UnexpectedTally.ValueKey(Domain.Normalize(value))))
            {
                values.Add(value);
                observed.Add(count);
                expected.Add(double.NaN);
                unexpected++;
            }
        }

        return new AlignedCategories(values, [.. observed], [.. expected], unexpected);
    }

    private static object? Plain(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => e.GetRawText(),
    };
}

/// <summary>
/// <c>expect_column_kl_divergence_to_be_less_than</c>, with GX's semantics: the KL divergence D(observed ‖ expected) in
/// nats (<c>scipy.stats.entropy</c>) of the column's distribution over the partition; success when it is at most
/// <c>threshold</c> (always when the threshold is null); an infinite divergence is reported as a null observed value
/// and fails.
/// </summary>
internal static class KlDivergence
{
    public sealed record Settings(Partition? Partition, double? Threshold, double InternalWeightHoldout, double TailWeightHoldout, bool BucketizeData);

    public static Func<ExpectationEvaluator> Compile(KwargReader k)
    {
        var column = k.Column();
        var partition = Partition.Read(k);
        var threshold = k.OptionalNumber("threshold");
        var internalHoldout = k.OptionalNumber("internal_weight_holdout") ?? 0;
        var tailHoldout = k.OptionalNumber("tail_weight_holdout") ?? 0;
        var bucketize = k.Boolean("bucketize_data", true);
        _ = k.Bound("min_value"); // GX 1.x declares min_value/max_value on this expectation but does not use them.
        _ = k.Bound("max_value");
        if (threshold is < 0)
        {
            throw k.Error("threshold", "must be greater than or equal to zero");
        }

        if (internalHoldout is < 0 or > 1)
        {
            throw k.Error("internal_weight_holdout", "must be between zero and one");
        }

        if (tailHoldout is < 0 or > 1)
        {
            throw k.Error("tail_weight_holdout", "must be between zero and one");
        }

        if (partition is { TailWeights: not null } && tailHoldout != 0)
        {
            throw k.Error("tail_weight_holdout", "must be 0 when the partition object has tail_weights");
        }

        if (partition is { IsCategorical: true } && internalHoldout > 0)
        {
            throw k.Error("internal_weight_holdout", "cannot be used with a categorical partition (values and weights)");
        }

        if (partition is { IsCategorical: false } p)
        {
            if (!bucketize)
            {
                throw k.Error("bucketize_data", "cannot be false with a continuous partition object (bins)");
            }

            var lowInfinite = double.IsNegativeInfinity(p.Bins![0]);
            var highInfinite = double.IsPositiveInfinity(p.Bins[^1]);
            if (lowInfinite && highInfinite && tailHoldout > 0)
            {
                throw k.Error("tail_weight_holdout", "cannot be used for partitions with infinite endpoints");
            }

            if ((lowInfinite || highInfinite) && p.TailWeights is not null)
            {
                throw k.Error("partition_object", "has tail_weights, but there can be no tail weights for partitions with one or both endpoints at infinity");
            }
        }

        var settings = new Settings(partition, threshold, internalHoldout, tailHoldout, bucketize);
        return partition switch
        {
            { IsCategorical: true } => () => new DistinctValuesEvaluator(column, (d, col) => Categorical(settings, d, col)),
            not null => () => new HistogramEvaluator(column, partition.Bins!, (h, col) => Continuous(settings, h)),
            null when !bucketize => () => new DistinctValuesEvaluator(column, (d, col) => SelfCategorical(settings, d, col)),
            null => () => new SortedValuesEvaluator(column, (values, n, col) => SelfContinuous(settings, values, n)),
        };
    }

    private static Outcome Result(Settings s, double kl, Dictionary<string, object?> observed, Dictionary<string, object?> expected)
    {
        var success = s.Threshold is not { } t || kl <= t;
        return new Outcome(success, new ExpectationResultDetails
        {
            ObservedValue = double.IsFinite(kl) ? kl : null,
            Details = new Dictionary<string, object?> { ["observed_partition"] = observed, ["expected_partition"] = expected },
        });
    }

    private static Outcome Categorical(Settings s, DistinctValues d, DataColumn column)
    {
        var aligned = AlignedCategories.Align(s.Partition!, d, column);
        var pk = aligned.Observed.Select(o => o / d.NonMissing).ToArray();
        var qk = aligned.Expected.ToArray();
        if (aligned.Unexpected > 0)
        {
            for (var i = 0; i < qk.Length; i++)
            {
                qk[i] = double.IsNaN(qk[i]) ? s.TailWeightHoldout / aligned.Unexpected : qk[i] * (1 - s.TailWeightHoldout);
            }
        }

        var kl = Divergences.KullbackLeibler(pk, qk);
        return Result(s, kl, Partition.Describe(aligned.Values, null, pk, null), Partition.Describe(aligned.Values, null, qk, null));
    }

    // partition_object null, bucketize_data false: GX compares the column's value counts with themselves (a profiling aid).
    private static Outcome SelfCategorical(Settings s, DistinctValues d, DataColumn column)
    {
        var sorted = d.Counts.OrderBy(c => c.Value, ValueComparer.Instance).ToList();
        var weights = sorted.Select(c => (double)c.Count / d.NonMissing).ToArray();
        var kl = Divergences.KullbackLeibler(weights, weights);
        var values = sorted.Select(c => (object?)c.Value).ToList();
        return Result(s, kl, Partition.Describe(values, null, weights, null), Partition.Describe(values, null, weights, null));
    }

    // partition_object null, bucketize_data true: GX builds an 'auto' partition from the column (numpy's rule on the
    // nearest quartiles) and compares the column with it.
    private static Outcome SelfContinuous(Settings s, double[] sorted, int n)
    {
        if (n == 0)
        {
            throw new EvaluationException("The column has no values to build a partition from.");
        }

        double Quantile(double q) => SortedValuesEvaluator.Quantile(sorted, n, q)!.Value;
        var min = Quantile(0);
        var max = Quantile(1);
        var iqr = Quantile(0.75) - Quantile(0.25);
        var sturges = Math.Log2(n + 1.0);
        int bins;
        if (iqr < 1e-10)
        {
            // GX passes the unrounded Sturges count to numpy here (which rejects it); round it up instead.
            bins = (int)Math.Ceiling(sturges);
        }
        else
        {
            var fd = 2 * iqr / Math.Pow(n, 1.0 / 3);
            bins = Math.Max((int)Math.Ceiling(sturges), (int)Math.Ceiling((max - min) / fd));
        }

        var edges = Divergences.Linspace(min, max, bins + 1);
        var histogram = Divergences.Histogram(sorted.AsSpan(0, n), edges);
        var weights = histogram.Select(c => (double)c / n).ToArray();
        var tail = (1 - weights.Sum()) / 2;
        var partition = new Partition(null, edges, weights, [tail, tail]);
        var below = Divergences.LowerBound(sorted.AsSpan(0, n), edges[0]);
        var above = n - Divergences.UpperBound(sorted.AsSpan(0, n), edges[^1]);
        return Continuous(s with { Partition = partition }, new Histogram(histogram, below, above, n));
    }

    /// <summary>GX's continuous branch: the histogram over the bins, tails, and both weight holdouts.</summary>
    private static Outcome Continuous(Settings s, Histogram h)
    {
        var p = s.Partition!;
        var bins = p.Bins!;
        var n = (double)h.NonMissing;
        var observedWeights = h.Counts.Select(c => c / n).ToArray();
        var expectedWeights = p.Weights.Select(w => w * (1 - s.TailWeightHoldout - s.InternalWeightHoldout)).ToArray();
        if (s.InternalWeightHoldout > 0)
        {
            var zeros = expectedWeights.Count(w => w == 0);
            if (zeros > 0)
            {
                for (var i = 0; i < expectedWeights.Length; i++)
                {
                    if (expectedWeights[i] == 0)
                    {
                        expectedWeights[i] = s.InternalWeightHoldout / zeros;
                    }
                }
            }
        }

        double[] combinedExpected, combinedObserved, expectedTails, observedTails, expectedBins;
        var below = h.Below / n;
        var above = h.Above / n;
        var lowInfinite = double.IsNegativeInfinity(bins[0]);
        var highInfinite = double.IsPositiveInfinity(bins[^1]);
        if (lowInfinite && highInfinite)
        {
            expectedBins = bins[1..^1];
            combinedExpected = expectedWeights;
            expectedTails = [expectedWeights[0], expectedWeights[^1]];
            combinedObserved = observedWeights;
            observedTails = [observedWeights[0], observedWeights[^1]];
            expectedWeights = expectedWeights[1..^1];
            observedWeights = observedWeights[1..^1];
        }
        else if (lowInfinite)
        {
            expectedBins = bins[1..];
            combinedExpected = [.. expectedWeights, s.TailWeightHoldout];
            expectedTails = [expectedWeights[0], s.TailWeightHoldout];
            combinedObserved = [.. observedWeights, above];
            observedTails = [observedWeights[0], above];
            expectedWeights = expectedWeights[1..];
            observedWeights = observedWeights[1..];
        }
        else if (highInfinite)
        {
            expectedBins = bins[..^1];
            combinedExpected = [s.TailWeightHoldout, .. expectedWeights];
            expectedTails = [s.TailWeightHoldout, expectedWeights[^1]];
            combinedObserved = [below, .. observedWeights];
            observedTails = [below, observedWeights[^1]];
            expectedWeights = expectedWeights[..^1];
            observedWeights = observedWeights[..^1];
        }
        else
        {
            expectedBins = bins;
            expectedTails = p.TailWeights is { } t ? [t[0], t[1]] : [s.TailWeightHoldout / 2, s.TailWeightHoldout / 2];
            combinedExpected = [expectedTails[0], .. expectedWeights, expectedTails[1]];
            combinedObserved = [below, .. observedWeights, above];
            observedTails = [below, above];
        }

        var kl = Divergences.KullbackLeibler(combinedObserved, combinedExpected);
        return Result(
            s,
            kl,
            Partition.Describe(null, expectedBins, observedWeights, observedTails),
            Partition.Describe(null, expectedBins, expectedWeights, expectedTails));
    }
}

/// <summary>
/// <c>expect_column_chisquare_test_p_value_to_be_greater_than</c> (GX 0.x): Pearson's chi-square test of the column's
/// value counts against a categorical partition's weights × the number of non-missing values
/// (<c>scipy.stats.chisquare</c>); values the partition does not name are expected at
/// <c>tail_weight_holdout</c>, split among them (the named weights shrink by the same amount). Success when the
/// p-value is greater than <c>p</c> (0.05).
/// </summary>
internal static class ChiSquareExpectation
{
    public static Func<ExpectationEvaluator> Compile(KwargReader k)
    {
        var column = k.Column();
        var partition = Partition.Read(k) ?? throw k.Error("partition_object", "is required: an object with 'values' and 'weights'");
        if (!partition.IsCategorical)
        {
            throw k.Error("partition_object", "must be categorical ('values' and 'weights'); the chi-square test compares value counts");
        }

        var p = k.OptionalNumber("p") ?? 0.05;
        var tail = k.OptionalNumber("tail_weight_holdout") ?? 0;
        if (tail is < 0 or > 1)
        {
            throw k.Error("tail_weight_holdout", "must be between zero and one");
        }

        return () => new DistinctValuesEvaluator(column, (d, col) =>
        {
            var aligned = AlignedCategories.Align(partition, d, col);
            var n = (double)d.NonMissing;
            var expected = aligned.Expected.Select(w => double.IsNaN(w) ? w : w * n).ToArray();
            if (aligned.Unexpected > 0)
            {
                for (var i = 0; i < expected.Length; i++)
                {
                    expected[i] = double.IsNaN(expected[i]) ? n * (tail / aligned.Unexpected) : expected[i] * (1 - tail);
                }
            }

            if (!Divergences.TotalsAgree(aligned.Observed, expected, out var difference))
            {
                throw new EvaluationException(
                    $"The expected counts (weights × {d.NonMissing} values) add up to a total that differs from the observed total by a relative {difference.ToString("G3", CultureInfo.InvariantCulture)} " +
                    "(scipy's chisquare allows 1e-8): make the partition's weights sum to 1.");
            }

            var result = Divergences.ChiSquare(aligned.Observed, expected);
            return new Outcome(result.PValue > p, new ExpectationResultDetails
            {
                ObservedValue = double.IsNaN(result.PValue) ? null : result.PValue,
                Details = new Dictionary<string, object?>
                {
                    ["observed_partition"] = Partition.Describe(aligned.Values, null, aligned.Observed, null),
                    ["expected_partition"] = Partition.Describe(aligned.Values, null, expected, null),
                    ["chi_square_statistic"] = double.IsNaN(result.Statistic) ? null : result.Statistic,
                },
            });
        });
    }
}

/// <summary>
/// <c>expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than</c> (GX 0.x): the one-sample
/// Kolmogorov–Smirnov test of the column's non-missing values against a scipy distribution
/// (<c>scipy.stats.kstest(values, distribution, args=params)</c>, exact p-value as scipy's default); success when the
/// p-value is at least <c>p_value</c> (0.05). <c>params</c> is scipy's positional list, or GX's named form:
/// norm {mean, std_dev}, uniform {min, max} (GX passes max as scipy's scale, so the support is [min, min + max]),
/// expon {loc, scale}, gamma {alpha, loc, scale}, beta {alpha, beta, loc, scale}, chi2 {df, loc, scale}.
/// </summary>
internal static class ParameterizedKsExpectation
{
    public static Func<ExpectationEvaluator> Compile(KwargReader k)
    {
        var column = k.Column();
        var name = k.RequiredString("distribution");
        var pValue = k.OptionalNumber("p_value") ?? 0.05;
        if (pValue is <= 0 or >= 1)
        {
            throw k.Error("p_value", "must be between 0 and 1 exclusive");
        }

        if (!k.TryGet("params", out var parameters))
        {
            throw k.Error("params", "is required: scipy's positional parameters as a list, or a named object such as {\"mean\": 0, \"std_dev\": 1}");
        }

        double[] positional;
        try
        {
            positional = parameters.ValueKind switch
            {
                JsonValueKind.Array => [.. parameters.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : throw new ArgumentException($"{e.GetRawText()} is not a number"))],
                JsonValueKind.Object => Named(name, parameters),
                _ => throw new ArgumentException($"must be a list or an object, got {parameters.GetRawText()}"),
            };
        }
        catch (ArgumentException e)
        {
            throw k.Error("params", e.Message);
        }

        ContinuousDistribution distribution;
        try
        {
            distribution = ContinuousDistribution.Create(name, positional);
        }
        catch (ArgumentException e)
        {
            throw k.Error(parameters.ValueKind == JsonValueKind.Object || !ContinuousDistribution.Names.Contains(name) ? "distribution" : "params", e.Message);
        }

        return () => new SortedValuesEvaluator(column, (values, n, col) =>
        {
            if (n == 0)
            {
                throw new EvaluationException($"The column '{col.Name}' has no values to test.");
            }

            var result = KolmogorovSmirnov.OneSample(values.AsSpan(0, n), distribution.Cdf);
            return new Outcome(result.PValue >= pValue, new ExpectationResultDetails
            {
                ObservedValue = result.PValue,
                Details = new Dictionary<string, object?>
                {
                    ["expected_params"] = positional,
                    ["observed_ks_result"] = new[] { result.Statistic, result.PValue },
                },
            });
        });
    }

    // GX's _scipy_distribution_positional_args_from_dict, with validate_distribution_parameters' checks.
    private static double[] Named(string distribution, JsonElement parameters)
    {
        double? Get(string key)
        {
            if (!parameters.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw new ArgumentException($"'{key}' must be a number, got {value.GetRawText()}");
        }

        double Required(string key) => Get(key) ?? throw new ArgumentException($"{distribution} needs '{key}'");
        var loc = Get("loc") ?? 0;
        var scale = Get("scale") ?? 1;
        if (Get("std_dev") is <= 0 || scale <= 0)
        {
            throw new ArgumentException("std_dev and scale must be positive");
        }

        return distribution switch
        {
            "norm" => [Required("mean"), Required("std_dev")],
            "beta" => [Required("alpha"), Required("beta"), loc, scale],
            "gamma" => [Required("alpha"), loc, scale],
            "uniform" => [Required("min"), Required("max")],
            "chi2" => [Required("df"), loc, scale],
            "expon" => [loc, scale],
            _ => throw new ArgumentException($"the distribution '{distribution}' is not supported; use one of {string.Join(", ", ContinuousDistribution.Names)}"),
        };
    }
}

/// <summary>Histogram counts over fixed bin edges (numpy's rule), and the counts below and above them.</summary>
internal sealed record Histogram(long[] Counts, long Below, long Above, long NonMissing);

/// <summary>Counts a numeric column into fixed bins as it streams: constant memory.</summary>
internal sealed class HistogramEvaluator(string column, double[] edges, Func<Histogram, DataColumn, Outcome> complete) : ExpectationEvaluator
{
    private readonly long[] _counts = new long[edges.Length - 1];
    private long _below;
    private long _above;
    private long _nonMissing;
    private DataColumn? _column;

    public override IReadOnlyList<string> Columns { get; } = [column];

    public override void Begin(DataSchema schema)
    {
        _column = RequireColumn(schema, column);
        if (!Domain.IsNumeric(_column.Type))
        {
            throw new EvaluationException($"The column '{column}' is {_column.Type}; a partition with bins needs a numeric column (use 'values' for categories).");
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Observe(ColumnBatch batch)
    {
        var vector = batch[column];
        if (vector is ColumnVector<double> d)
        {
            var values = d.Values;
            var missing = d.Missing;
            for (var i = 0; i < values.Length; i++)
            {
                if (!missing[i])
                {
                    Add(values[i]);
                }
            }
        }
        else if (vector is ColumnVector<long> l)
        {
            var values = l.Values;
            var missing = l.Missing;
            for (var i = 0; i < values.Length; i++)
            {
                if (!missing[i])
                {
                    Add(values[i]);
                }
            }
        }
    }

    private void Add(double x)
    {
        _nonMissing++;
        if (x < edges[0])
        {
            _below++;
            return;
        }

        if (x > edges[^1])
        {
            _above++;
            return;
        }

        // The last bin is closed: x = edges[^1] belongs to it.
        var bin = Divergences.UpperBound(edges, x) - 1;
        _counts[Math.Min(bin, _counts.Length - 1)]++;
    }

    public override Outcome Complete(long rowCount, DataSchema schema) =>
        complete(new Histogram(_counts, _below, _above, _nonMissing), _column!);
}
