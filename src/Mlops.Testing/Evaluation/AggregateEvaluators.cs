using Mlops.Testing.Data;

namespace Mlops.Testing.Evaluation;

/// <summary>Streaming statistics of a numeric column (min, max, sum, mean, sample standard deviation), or min/max of dates.</summary>
internal sealed class ColumnStatistics
{
    public long Count { get; private set; }

    public double Min { get; private set; } = double.PositiveInfinity;

    public double Max { get; private set; } = double.NegativeInfinity;

    public double Sum { get; private set; }

    public double Mean { get; private set; }

    public DateTime? MinDate { get; private set; }

    public DateTime? MaxDate { get; private set; }

    private double _m2;

    /// <summary>The sample standard deviation (ddof = 1, as pandas), or null with fewer than two values.</summary>
    public double? StandardDeviation => Count < 2 ? null : Math.Sqrt(_m2 / (Count - 1));

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Add(double value)
    {
        Count++;
        Sum += value;
        if (value < Min)
        {
            Min = value;
        }

        if (value > Max)
        {
            Max = value;
        }

        var delta = value - Mean;
        Mean += delta / Count;
        _m2 += delta * (value - Mean);
    }

    public void Add(DateTime value)
    {
        Count++;
        if (MinDate is null || value < MinDate)
        {
            MinDate = value;
        }

        if (MaxDate is null || value > MaxDate)
        {
            MaxDate = value;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Observe(ColumnVector vector)
    {
        switch (vector)
        {
            case ColumnVector<double> d:
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

                break;
            }

            case ColumnVector<long> l:
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

                break;
            }

            case ColumnVector<DateTime> t:
            {
                var values = t.Values;
                var missing = t.Missing;
                for (var i = 0; i < values.Length; i++)
                {
                    if (!missing[i])
                    {
                        Add(values[i]);
                    }
                }

                break;
            }
        }
    }
}

/// <summary>Which statistic an aggregate expectation observes.</summary>
internal enum Statistic
{
    Min,
    Max,
    Mean,
    Sum,
    StandardDeviation,
}

/// <summary>
/// <c>expect_column_min/max/mean/sum/stdev_to_be_between</c>: a streaming statistic (constant memory) checked against
/// <c>min_value</c>/<c>max_value</c>. Min and max also apply to date columns.
/// </summary>
internal sealed class StatisticEvaluator(string column, Statistic statistic, Expectations.Bounds bounds) : ExpectationEvaluator
{
    private readonly ColumnStatistics _statistics = new();
    private DataColumn? _column;

    public override IReadOnlyList<string> Columns { get; } = [column];

    public override void Begin(DataSchema schema)
    {
        _column = RequireColumn(schema, column);
        var datesAllowed = statistic is Statistic.Min or Statistic.Max;
        if (!Domain.IsNumeric(_column.Type) && !(datesAllowed && _column.Type == ColumnType.DateTime))
        {
            throw new EvaluationException($"The column '{column}' is {_column.Type}; its {statistic.ToString().ToLowerInvariant()} needs a numeric{(datesAllowed ? " or date" : string.Empty)} column.");
        }
    }

    public override void Observe(ColumnBatch batch) => _statistics.Observe(batch[column]);

    public override Outcome Complete(long rowCount, DataSchema schema)
    {
        var s = _statistics;
        object? observed = s.Count == 0 ? null : statistic switch
        {
            Statistic.Min when _column!.Type == ColumnType.DateTime => s.MinDate,
            Statistic.Max when _column!.Type == ColumnType.DateTime => s.MaxDate,
            Statistic.Min => _column!.Type == ColumnType.Int64 ? (object)(long)s.Min : s.Min,
            Statistic.Max => _column!.Type == ColumnType.Int64 ? (object)(long)s.Max : s.Max,
            Statistic.Mean => s.Mean,
            Statistic.Sum => _column!.Type == ColumnType.Int64 ? (object)(long)s.Sum : s.Sum,
            _ => s.StandardDeviation,
        };
        return new Outcome(Domain.ObservedInRange(observed, bounds, _column!), new ExpectationResultDetails { ObservedValue = observed });
    }
}

/// <summary>
/// Median and quantiles: these need every non-missing value of the column, so the values are kept (8 bytes each) and
/// sorted at the end — the one family of expectations whose memory grows with the data.
/// </summary>
internal sealed class SortedValuesEvaluator(string column, Func<double[], int, DataColumn, Outcome> complete) : ExpectationEvaluator
{
    private double[] _values = new double[1024];
    private int _count;
    private DataColumn? _column;

    public override IReadOnlyList<string> Columns { get; } = [column];

    public override void Begin(DataSchema schema)
    {
        _column = RequireColumn(schema, column);
        if (!Domain.IsNumeric(_column.Type))
        {
            throw new EvaluationException($"The column '{column}' is {_column.Type}; medians and quantiles need a numeric column.");
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Observe(ColumnBatch batch)
    {
        var vector = batch[column];
        if (_count + vector.Length > _values.Length)
        {
            Array.Resize(ref _values, Math.Max(_values.Length * 2, _count + vector.Length));
        }

        if (vector is ColumnVector<double> d)
        {
            for (var i = 0; i < d.Length; i++)
            {
                if (!d.Missing[i])
                {
                    _values[_count++] = d.Values[i];
                }
            }
        }
        else if (vector is ColumnVector<long> l)
        {
            for (var i = 0; i < l.Length; i++)
            {
                if (!l.Missing[i])
                {
                    _values[_count++] = l.Values[i];
                }
            }
        }
    }

    public override Outcome Complete(long rowCount, DataSchema schema)
    {
        Statistics.Sorting.Sort(_values.AsSpan(0, _count));
        return complete(_values, _count, _column!);
    }

    /// <summary>The median as pandas computes it (the mean of the two middle values for an even count).</summary>
    public static double? Median(double[] sorted, int count) =>
        count == 0 ? null : count % 2 == 1 ? sorted[count / 2] : (sorted[(count / 2) - 1] + sorted[count / 2]) / 2.0;

    /// <summary>
    /// A quantile with numpy's <c>nearest</c> interpolation (what GX asks pandas for): the value at position q·(n−1),
    /// rounded half to even.
    /// </summary>
    public static double? Quantile(double[] sorted, int count, double q)
    {
        if (count == 0)
        {
            return null;
        }

        var position = (int)Math.Round(q * (count - 1), MidpointRounding.ToEven);
        return sorted[Math.Clamp(position, 0, count - 1)];
    }
}

/// <summary>
/// Expectations on the distinct values of a column (unique count, proportion of unique values, distinct values in /
/// containing / equal to a set, most common value). Holds one count per distinct value.
/// </summary>
internal sealed class DistinctValuesEvaluator(string column, Func<DistinctValues, DataColumn, Outcome> complete) : ExpectationEvaluator
{
    private ValueCounter? _counter;
    private DataColumn? _column;

    public override IReadOnlyList<string> Columns { get; } = [column];

    public override void Begin(DataSchema schema)
    {
        _column = RequireColumn(schema, column);
        _counter = CreateTyped<ValueCounter>(typeof(ValueCounter<>), _column.Type);
    }

    public override void Observe(ColumnBatch batch) => _counter!.Observe(batch[column]);

    public override Outcome Complete(long rowCount, DataSchema schema) =>
        complete(new DistinctValues(_counter!.Counts(), _counter.NonMissing), _column!);
}

/// <summary>The distinct non-missing values of a column with their counts, and the number of non-missing values.</summary>
internal sealed record DistinctValues(IReadOnlyList<(object Value, long Count)> Counts, long NonMissing)
{
    public IReadOnlyList<object> Sorted => [.. Counts.Select(c => c.Value).Order(ValueComparer.Instance)];
}

internal abstract class ValueCounter
{
    public long NonMissing { get; protected set; }

    public abstract void Observe(ColumnVector vector);

    public abstract IReadOnlyList<(object Value, long Count)> Counts();
}

internal sealed class ValueCounter<T> : ValueCounter
    where T : notnull
{
    private readonly Dictionary<T, long> _counts = [];

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Observe(ColumnVector vector)
    {
        var typed = (ColumnVector<T>)vector;
        var values = typed.Values;
        var missing = typed.Missing;
        for (var i = 0; i < values.Length; i++)
        {
            if (!missing[i])
            {
                NonMissing++;
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_counts, values[i], out _)++;
            }
        }
    }

    public override IReadOnlyList<(object Value, long Count)> Counts() => [.. _counts.Select(kv => ((object)kv.Key, kv.Value))];
}
