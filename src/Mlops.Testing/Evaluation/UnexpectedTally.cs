namespace Mlops.Testing.Evaluation;

/// <summary>
/// Counts unexpected values and keeps bounded samples of them: the first 20 values with their row indexes, and exact
/// counts for up to <see cref="MaxDistinctCounted"/> distinct unexpected values (values first seen after that are counted
/// in <see cref="Count"/> only).
/// </summary>
internal sealed class UnexpectedTally
{
    public const int PartialCount = 20;
    public const int MaxDistinctCounted = 10_000;

    private readonly List<object?> _values = new(PartialCount);
    private readonly List<long> _indexes = new(PartialCount);
    private readonly Dictionary<ValueKey, long> _counts = [];

    public long Count { get; private set; }

    public void Add<T>(T value, long row)
    {
        Count++;
        object? boxed = value;
        if (_values.Count < PartialCount)
        {
            _values.Add(boxed);
            _indexes.Add(row);
        }

        var key = new ValueKey(boxed);
        if (_counts.TryGetValue(key, out var n))
        {
            _counts[key] = n + 1;
        }
        else if (_counts.Count < MaxDistinctCounted)
        {
            _counts[key] = 1;
        }
    }

    public IReadOnlyList<object?> Values => _values;

    public IReadOnlyList<long> Indexes => _indexes;

    public IReadOnlyList<UnexpectedValueCount> TopCounts() => TopCounts(_counts.Select(kv => (kv.Key.Value, kv.Value)));

    public static IReadOnlyList<UnexpectedValueCount> TopCounts(IEnumerable<(object? Value, long Count)> counts) =>
        [.. counts.OrderByDescending(c => c.Count).ThenBy(c => c.Value, ValueComparer.Instance).Take(PartialCount).Select(c => new UnexpectedValueCount(c.Value, c.Count))];

    /// <summary>Builds a GX map result from the counts.</summary>
    public static Outcome MapOutcome(long elementCount, long missingCount, long unexpectedCount, double? mostly, IReadOnlyList<object?> values, IReadOnlyList<long> indexes, IReadOnlyList<UnexpectedValueCount> counts, bool nullExpectation = false)
    {
        var considered = nullExpectation ? elementCount : elementCount - missingCount;
        var success = considered == 0 || (double)(considered - unexpectedCount) / considered >= (mostly ?? 1.0);
        double? Percent(long part, long whole) => whole == 0 ? null : 100.0 * part / whole;
        var nonMissing = elementCount - missingCount;
        var details = nullExpectation
            ? new ExpectationResultDetails
            {
                ElementCount = elementCount,
                UnexpectedCount = unexpectedCount,
                UnexpectedPercent = Percent(unexpectedCount, elementCount),
                UnexpectedPercentTotal = Percent(unexpectedCount, elementCount),
                PartialUnexpectedList = values,
                PartialUnexpectedIndexList = indexes,
                PartialUnexpectedCounts = counts,
            }
            : new ExpectationResultDetails
            {
                ElementCount = elementCount,
                MissingCount = missingCount,
                MissingPercent = Percent(missingCount, elementCount),
                UnexpectedCount = unexpectedCount,
                UnexpectedPercent = Percent(unexpectedCount, nonMissing),
                UnexpectedPercentTotal = Percent(unexpectedCount, elementCount),
                UnexpectedPercentNonmissing = Percent(unexpectedCount, nonMissing),
                PartialUnexpectedList = values,
                PartialUnexpectedIndexList = indexes,
                PartialUnexpectedCounts = counts,
            };
        return new Outcome(success, details);
    }

    /// <summary>A dictionary key for a boxed value (null allowed; lists compare by their items).</summary>
    internal readonly record struct ValueKey(object? Value)
    {
        public bool Equals(ValueKey other) => ValueComparer.Equal(Value, other.Value);

        public override int GetHashCode() => ValueComparer.Hash(Value);
    }
}

/// <summary>Orders and compares boxed values of mixed types: null first, then numbers, then others by their text.</summary>
internal sealed class ValueComparer : IComparer<object?>
{
    public static readonly ValueComparer Instance = new();

    public int Compare(object? x, object? y)
    {
        if (x is null || y is null)
        {
            return (x is null ? 0 : 1) - (y is null ? 0 : 1);
        }

        if (IsNumber(x) && IsNumber(y))
        {
            return Convert.ToDouble(x, System.Globalization.CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(y, System.Globalization.CultureInfo.InvariantCulture));
        }

        if (x is DateTime a && y is DateTime b)
        {
            return a.CompareTo(b);
        }

        if (x is IReadOnlyList<object?> l && y is IReadOnlyList<object?> m)
        {
            for (var i = 0; i < Math.Min(l.Count, m.Count); i++)
            {
                var c = Compare(l[i], m[i]);
                if (c != 0)
                {
                    return c;
                }
            }

            return l.Count.CompareTo(m.Count);
        }

        if (IsNumber(x) != IsNumber(y))
        {
            return IsNumber(x) ? -1 : 1;
        }

        return string.CompareOrdinal(Data.TextValues.Format(x), Data.TextValues.Format(y));
    }

    public static bool Equal(object? x, object? y) => x is IReadOnlyList<object?> l && y is IReadOnlyList<object?> m
        ? l.Count == m.Count && l.Zip(m).All(p => Equal(p.First, p.Second))
        : Equals(x, y);

    public static int Hash(object? value)
    {
        if (value is IReadOnlyList<object?> list)
        {
            var hash = new HashCode();
            foreach (var item in list)
            {
                hash.Add(Hash(item));
            }

            return hash.ToHashCode();
        }

        return value?.GetHashCode() ?? 0;
    }

    private static bool IsNumber(object value) => value is double or long or int or float or decimal;
}
