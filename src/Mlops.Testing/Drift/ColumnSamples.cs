using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Mlops.Testing.Data;
using Mlops.Testing.Statistics;

namespace Mlops.Testing.Drift;

/// <summary>Collects one column of one data set during the read: values of numbers, counts of categories.</summary>
internal abstract class ColumnCollector
{
    /// <summary>The number of values kept (not missing, not infinite).</summary>
    public long Count { get; protected set; }

    /// <summary>The number of rows left out.</summary>
    public long Missing { get; protected set; }

    public abstract void Observe(ColumnVector vector);

    public static ColumnCollector Create(DataColumn column, long? rows) => column.Type switch
    {
        ColumnType.Double or ColumnType.Int64 => new NumericCollector(rows),
        ColumnType.String => new StringCollector(),
        ColumnType.Boolean => new CategoricalCollector<bool>(),
        _ => throw new DataTestingException($"The column '{column.Name}' is {column.Type}, which drift tests do not compare."),
    };
}

/// <summary>Keeps the finite values of a numerical column (8 bytes each), to sort them.</summary>
internal sealed class NumericCollector(long? rows) : ColumnCollector
{
    private double[] _values = new double[(int)Math.Clamp(rows ?? 1024, 16, Array.MaxLength)];

    public Span<double> Values => _values.AsSpan(0, (int)Count);

    /// <summary>The buffer behind <see cref="Values"/>.</summary>
    public double[] Buffer => _values;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Observe(ColumnVector vector)
    {
        if (Count + vector.Length > _values.Length)
        {
            Array.Resize(ref _values, (int)Math.Min(Math.Max(_values.Length * 2L, Count + vector.Length), Array.MaxLength));
        }

        var count = (int)Count;
        var missing = Missing;
        if (vector is ColumnVector<double> d)
        {
            var values = d.Values;
            var mask = d.Missing;
            for (var i = 0; i < values.Length; i++)
            {
                var v = values[i];
                if (mask[i] || !double.IsFinite(v))
                {
                    missing++;
                }
                else
                {
                    _values[count++] = v;
                }
            }
        }
        else if (vector is ColumnVector<long> l)
        {
            var values = l.Values;
            var mask = l.Missing;
            for (var i = 0; i < values.Length; i++)
            {
                if (mask[i])
                {
                    missing++;
                }
                else
                {
                    _values[count++] = values[i];
                }
            }
        }

        Count = count;
        Missing = missing;
    }
}

/// <summary>Counts the values of a categorical column.</summary>
internal abstract class CategoricalCollector : ColumnCollector
{
    /// <summary>
    /// Aligns this (reference) column's counts with another's (current, of the same type): the reference's values, then
    /// the current's values the reference lacks. Lookups only, no new table; the values themselves are listed only
    /// when asked for (the Z-test needs the smallest).
    /// </summary>
    public abstract (double[] Reference, double[] Current, Func<List<object>> Keys) Align(CategoricalCollector current);
}

internal sealed class CategoricalCollector<T> : CategoricalCollector
    where T : notnull
{
    private readonly Dictionary<T, long> _counts = typeof(T) == typeof(string) ? new((IEqualityComparer<T>)StringComparer.Ordinal) : [];

    public override void Observe(ColumnVector vector)
    {
        var typed = (ColumnVector<T>)vector;
        var values = typed.Values;
        var mask = typed.Missing;
        long missing = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (mask[i])
            {
                missing++;
            }
            else
            {
                CollectionsMarshal.GetValueRefOrAddDefault(_counts, values[i], out _)++;
            }
        }

        Missing += missing;
        Count += values.Length - missing;
    }

    public override (double[] Reference, double[] Current, Func<List<object>> Keys) Align(CategoricalCollector current)
    {
        var other = ((CategoricalCollector<T>)current)._counts;
        var onlyCurrent = 0;
        foreach (var key in other.Keys)
        {
            if (!_counts.ContainsKey(key))
            {
                onlyCurrent++;
            }
        }

        var reference = new double[_counts.Count + onlyCurrent];
        var currentCounts = new double[reference.Length];
        var i = 0;
        foreach (var (key, count) in _counts)
        {
            reference[i] = count;
            currentCounts[i++] = other.TryGetValue(key, out var c) ? c : 0;
        }

        foreach (var (key, count) in other)
        {
            if (!_counts.ContainsKey(key))
            {
                currentCounts[i++] = count;
            }
        }

        return (reference, currentCounts, () => [.. _counts.Keys.Select(k => (object)k), .. other.Keys.Where(k => !_counts.ContainsKey(k)).Select(k => (object)k)]);
    }
}

/// <summary>Counts the values of a string column exactly, without keeping string objects (see <see cref="StringCounter"/>).</summary>
internal sealed class StringCollector : CategoricalCollector
{
    private readonly StringCounter _counts = new();

    public override void Observe(ColumnVector vector)
    {
        ReadOnlySpan<bool> mask;
        if (vector is TextVector text)
        {
            mask = text.Missing;
            _counts.AddAll(new TextVectorValues(text), mask);
        }
        else
        {
            var typed = (ColumnVector<string>)vector;
            mask = typed.Missing;
            _counts.AddAll(new StringValues(typed.Values), mask);
        }

        var missing = mask.Count(true);
        Missing += missing;
        Count += mask.Length - missing;
    }

    public override (double[] Reference, double[] Current, Func<List<object>> Keys) Align(CategoricalCollector current)
    {
        var other = ((StringCollector)current)._counts;

        // One lookup per current value: its count goes beside the reference's, or after them when the reference lacks it.
        var indices = _counts.IndicesOf(other);
        var reference = new double[_counts.Count + indices.AsSpan().Count(-1)];
        var currentCounts = new double[reference.Length];
        for (var i = 0; i < _counts.Count; i++)
        {
            reference[i] = _counts.CountAt(i);
        }

        var onlyCurrent = new List<int>(reference.Length - _counts.Count);
        for (var j = 0; j < other.Count; j++)
        {
            var i = indices[j];
            if (i >= 0)
            {
                currentCounts[i] = other.CountAt(j);
            }
            else
            {
                currentCounts[_counts.Count + onlyCurrent.Count] = other.CountAt(j);
                onlyCurrent.Add(j);
            }
        }

        return (reference, currentCounts, () =>
            [.. Enumerable.Range(0, _counts.Count).Select(i => (object)_counts.Value(i).ToString()), .. onlyCurrent.Select(j => (object)other.Value(j).ToString())]);
    }
}

/// <summary>Orders category keys as Python's sorted() would for one type: numbers, booleans (false first), strings (by code point).</summary>
internal sealed class KeyComparer : IComparer<object>
{
    public static readonly KeyComparer Instance = new();

    public int Compare(object? x, object? y) => (x, y) switch
    {
        (double a, double b) => a.CompareTo(b),
        (bool a, bool b) => a.CompareTo(b),
        (string a, string b) => CompareCodePoints(a, b),
        _ => string.CompareOrdinal(x?.ToString(), y?.ToString()),
    };

    private static int CompareCodePoints(string a, string b)
    {
        var ea = a.EnumerateRunes();
        var eb = b.EnumerateRunes();
        while (true)
        {
            var hasA = ea.MoveNext();
            var hasB = eb.MoveNext();
            if (!hasA || !hasB)
            {
                return hasA.CompareTo(hasB);
            }

            var c = ea.Current.Value.CompareTo(eb.Current.Value);
            if (c != 0)
            {
                return c;
            }
        }
    }
}

/// <summary>The reference and current samples of one column, ready for the tests.</summary>
internal sealed class ColumnSamples
{
    private readonly double[]? _reference;
    private readonly double[]? _current;
    private readonly int _referenceLength;
    private readonly int _currentLength;
    private readonly Func<List<object>>? _keys;
    private readonly double[]? _referenceCounts;
    private readonly double[]? _currentCounts;

    private ColumnSamples(double[] reference, int referenceLength, double[] current, int currentLength)
    {
        _reference = reference;
        _current = current;
        _referenceLength = referenceLength;
        _currentLength = currentLength;
        ReferenceCount = referenceLength;
        CurrentCount = currentLength;
        DistinctValues = CountDistinct(Reference, Current);
    }

    private ColumnSamples(Func<List<object>> keys, double[] referenceCounts, double[] currentCounts, long referenceCount, long currentCount)
    {
        _keys = keys;
        _referenceCounts = referenceCounts;
        _currentCounts = currentCounts;
        ReferenceCount = referenceCount;
        CurrentCount = currentCount;
        DistinctValues = referenceCounts.Length;
    }

    public long ReferenceCount { get; }

    public long CurrentCount { get; }

    public long DistinctValues { get; }

    /// <summary>The sorted reference values (numerical columns).</summary>
    public ReadOnlySpan<double> Reference => _reference.AsSpan(0, _referenceLength);

    /// <summary>The sorted current values (numerical columns).</summary>
    public ReadOnlySpan<double> Current => _current.AsSpan(0, _currentLength);

    public static ColumnSamples FromNumbers(NumericCollector reference, NumericCollector current)
    {
        var r = reference.Values;
        var c = current.Values;
        Sorting.Sort(r);
        Sorting.Sort(c);
        return new ColumnSamples(reference.Buffer, r.Length, current.Buffer, c.Length);
    }

    public static ColumnSamples FromCounts(CategoricalCollector reference, CategoricalCollector current)
    {
        var (r, c, keys) = reference.Align(current);
        return new ColumnSamples(keys, r, c, reference.Count, current.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long CountDistinct(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        long distinct = 0;
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            var value = j >= b.Length || (i < a.Length && a[i] <= b[j]) ? a[i] : b[j];
            distinct++;
            while (i < a.Length && a[i] == value)
            {
                i++;
            }

            while (j < b.Length && b[j] == value)
            {
                j++;
            }
        }

        return distinct;
    }

    /// <summary>The counts of each distinct value on each side, aligned.</summary>
    public (double[] Reference, double[] Current) Counts()
    {
        if (_keys is not null)
        {
            return (_referenceCounts!, _currentCounts!);
        }

        var (_, r, c) = ValueCounts();
        return (r, c);
    }

    /// <summary>The distinct values with their counts on each side (for numbers, the values themselves, in order).</summary>
    public (List<object> Keys, double[] Reference, double[] Current) ValueCounts()
    {
        if (_keys is not null)
        {
            return (_keys(), _referenceCounts!, _currentCounts!);
        }

        var keys = new List<object>();
        var reference = new List<double>();
        var current = new List<double>();
        var a = Reference;
        var b = Current;
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            var value = j >= b.Length || (i < a.Length && a[i] <= b[j]) ? a[i] : b[j];
            var startI = i;
            var startJ = j;
            while (i < a.Length && a[i] == value)
            {
                i++;
            }

            while (j < b.Length && b[j] == value)
            {
                j++;
            }

            keys.Add(value);
            reference.Add(i - startI);
            current.Add(j - startJ);
        }

        return (keys, [.. reference], [.. current]);
    }

    /// <summary>
    /// Evidently's <c>get_binned_data</c>: for a numerical column with more than 20 distinct reference values, the
    /// shares of each set in numpy's Sturges bins over both sets together; otherwise the share of each value. With
    /// <paramref name="fillZeroes"/> an empty bin gets a tiny share (the smallest non-zero share / 10⁶ when that is at
    /// most 0.0001, else 0.0001), as PSI and KL need.
    /// </summary>
    public (double[] Reference, double[] Current) Proportions(DriftColumnKind kind, bool fillZeroes)
    {
        double[] reference, current;
        if (kind == DriftColumnKind.Numerical && CountDistinct(Reference, []) > 20)
        {
            var min = Math.Min(Reference[0], Current[0]);
            var max = Math.Max(Reference[^1], Current[^1]);
            var edges = Divergences.SturgesEdges(min, max, ReferenceCount + CurrentCount);
            reference = Divergences.Histogram(Reference, edges).Select(c => (double)c / ReferenceCount).ToArray();
            current = Divergences.Histogram(Current, edges).Select(c => (double)c / CurrentCount).ToArray();
        }
        else
        {
            var (r, c) = Counts();
            reference = r.Select(x => x / ReferenceCount).ToArray();
            current = c.Select(x => x / CurrentCount).ToArray();
        }

        if (fillZeroes)
        {
            FillZeroes(reference);
            FillZeroes(current);
        }

        return (reference, current);
    }

    private static void FillZeroes(double[] shares)
    {
        var smallest = shares.Where(s => s != 0).DefaultIfEmpty(double.NaN).Min();
        var fill = smallest <= 0.0001 ? smallest / 1e6 : 0.0001;
        for (var i = 0; i < shares.Length; i++)
        {
            if (shares[i] == 0)
            {
                shares[i] = fill;
            }
        }
    }
}
