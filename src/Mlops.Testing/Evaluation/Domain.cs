using System.Runtime.CompilerServices;
using System.Text.Json;
using Mlops.Testing.Data;
using Mlops.Testing.Expectations;

namespace Mlops.Testing.Evaluation;

/// <summary>
/// Converts suite arguments to a column's domain: numbers for Double and Int64 columns (compared as doubles), dates for
/// DateTime columns (ISO strings in the suite), strings for String columns, booleans for Boolean columns.
/// </summary>
internal static class Domain
{
    public static bool IsNumeric(ColumnType type) => type is ColumnType.Double or ColumnType.Int64;

    /// <summary>A suite value in the column's domain, or <see langword="null"/> when it cannot be one (never equal to a value).</summary>
    public static object? FromJson(JsonElement value, ColumnType type) => type switch
    {
        ColumnType.Double or ColumnType.Int64 => value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null,
        ColumnType.Boolean => value.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null },
        ColumnType.String => value.ValueKind == JsonValueKind.String ? value.GetString() : null,
        _ => value.ValueKind == JsonValueKind.String && TextValues.TryParseDateTime(value.GetString(), out var d) ? d : null,
    };

    /// <summary>A column value in the domain used for comparisons with suite values (integers become doubles).</summary>
    public static object? Normalize(object? value) => value is long l ? (double)l : value;

    /// <summary>A bound in the column's domain; an error names the bound when it does not fit the column's type.</summary>
    public static T? Bound<T>(JsonElement? bound, string argument, DataColumn column)
        where T : struct
    {
        if (bound is not { } b)
        {
            return null;
        }

        var converted = FromJson(b, column.Type);
        return converted is T t
            ? t
            : throw new EvaluationException($"'{argument}' ({b.GetRawText()}) cannot be compared with the {column.Type} column '{column.Name}'.");
    }

    public static string? StringBound(JsonElement? bound, string argument, DataColumn column) =>
        bound is not { } b ? null
        : b.ValueKind == JsonValueKind.String ? b.GetString()
        : throw new EvaluationException($"'{argument}' ({b.GetRawText()}) cannot be compared with the String column '{column.Name}'.");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool InRange<T>(T value, T? min, T? max, bool strictMin, bool strictMax)
        where T : struct, IComparable<T>
    {
        if (min is { } lo && (strictMin ? value.CompareTo(lo) <= 0 : value.CompareTo(lo) < 0))
        {
            return false;
        }

        return max is not { } hi || (strictMax ? value.CompareTo(hi) < 0 : value.CompareTo(hi) <= 0);
    }

    /// <summary>A map test that a value lies within the bounds, for the column's type.</summary>
    public static RowTest Between(DataColumn column, Bounds bounds)
    {
        switch (column.Type)
        {
            case ColumnType.Double or ColumnType.Int64:
            {
                var min = Bound<double>(bounds.Min, "min_value", column);
                var max = Bound<double>(bounds.Max, "max_value", column);
                bool strictMin = bounds.StrictMin, strictMax = bounds.StrictMax;
                return column.Type == ColumnType.Double
                    ? new RowTest<double>([MethodImpl(MethodImplOptions.AggressiveOptimization)] (v) => InRange(v, min, max, strictMin, strictMax))
                    : new RowTest<long>([MethodImpl(MethodImplOptions.AggressiveOptimization)] (v) => InRange((double)v, min, max, strictMin, strictMax));
            }

            case ColumnType.DateTime:
            {
                var min = Bound<DateTime>(bounds.Min, "min_value", column);
                var max = Bound<DateTime>(bounds.Max, "max_value", column);
                return new RowTest<DateTime>(v => InRange(v, min, max, bounds.StrictMin, bounds.StrictMax));
            }

            case ColumnType.String:
            {
                var min = StringBound(bounds.Min, "min_value", column);
                var max = StringBound(bounds.Max, "max_value", column);
                return new RowTest<string>(v =>
                    (min is null || (bounds.StrictMin ? string.CompareOrdinal(v, min) > 0 : string.CompareOrdinal(v, min) >= 0))
                    && (max is null || (bounds.StrictMax ? string.CompareOrdinal(v, max) < 0 : string.CompareOrdinal(v, max) <= 0)));
            }

            default:
                throw new EvaluationException($"The Boolean column '{column.Name}' has no order to compare with bounds.");
        }
    }

    /// <summary>Whether an observed aggregate (number or date) lies within the bounds.</summary>
    public static bool ObservedInRange(object? observed, Bounds bounds, DataColumn column)
    {
        switch (observed)
        {
            case null:
                return false;
            case DateTime d:
                return InRange(d, Bound<DateTime>(bounds.Min, "min_value", column with { Type = ColumnType.DateTime }), Bound<DateTime>(bounds.Max, "max_value", column with { Type = ColumnType.DateTime }), bounds.StrictMin, bounds.StrictMax);
            default:
                var value = Convert.ToDouble(observed, System.Globalization.CultureInfo.InvariantCulture);
                var numeric = column with { Type = ColumnType.Double };
                return InRange(value, Bound<double>(bounds.Min, "min_value", numeric), Bound<double>(bounds.Max, "max_value", numeric), bounds.StrictMin, bounds.StrictMax);
        }
    }

    /// <summary>A map test of membership in a value set, for the column's type.</summary>
    public static RowTest InSet(DataColumn column, IReadOnlyList<JsonElement> valueSet, bool expectIn)
    {
        var converted = valueSet.Select(v => FromJson(v, column.Type)).Where(v => v is not null).ToList();
        return column.Type switch
        {
            ColumnType.Double => Test(converted.Cast<double>().ToHashSet()),
            ColumnType.Int64 => Test(converted.Cast<double>().Where(d => d == Math.Floor(d) && d is >= long.MinValue and <= long.MaxValue).Select(d => (long)d).ToHashSet()),
            ColumnType.Boolean => Test(converted.Cast<bool>().ToHashSet()),
            ColumnType.String => Test(converted.Cast<string>().ToHashSet(StringComparer.Ordinal)),
            _ => Test(converted.Cast<DateTime>().ToHashSet()),
        };

        RowTest Test<T>(HashSet<T> set) => new RowTest<T>([MethodImpl(MethodImplOptions.AggressiveOptimization)] (v) => set.Contains(v) == expectIn);
    }

    public static RowTest Strings(DataColumn column, string what, Func<string, bool> isExpected) =>
        column.Type == ColumnType.String
            ? new RowTest<string>(isExpected)
            : throw new EvaluationException($"{what} apply to string columns; '{column.Name}' is {column.Type}.");

    /// <summary>The length of a string in Unicode code points (as Python's <c>len</c>).</summary>
    public static int CodePointLength(string value)
    {
        var length = value.Length;
        foreach (var c in value)
        {
            if (char.IsLowSurrogate(c))
            {
                length--;
            }
        }

        return length;
    }
}

/// <summary>A per-value test of a column map expectation, scanned over a batch.</summary>
internal abstract class RowTest
{
    /// <summary>Scans a vector; returns the number of missing values and adds unexpected ones to the tally.</summary>
    public abstract long Scan(ColumnVector vector, long startRow, UnexpectedTally tally);
}

internal sealed class RowTest<T>(Func<T, bool> isExpected) : RowTest
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override long Scan(ColumnVector vector, long startRow, UnexpectedTally tally)
    {
        var typed = (ColumnVector<T>)vector;
        var values = typed.Values;
        var missing = typed.Missing;
        long missingCount = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (missing[i])
            {
                missingCount++;
            }
            else if (!isExpected(values[i]))
            {
                tally.Add(values[i], startRow + i);
            }
        }

        return missingCount;
    }
}
