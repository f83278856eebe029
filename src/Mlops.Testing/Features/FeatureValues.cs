using System.Collections;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Testing.Data;

namespace Mlops.Testing.Features;

/// <summary>
/// The values feature checks compare: a number is a <see cref="double"/>, a vector a <see cref="double"/>[], text a
/// <see cref="string"/>; objects are flattened to named values (<c>Score</c>, <c>Features[2]</c>).
/// </summary>
internal static class FeatureValues
{
    public static bool IsNumber(object? value) => value is float or double or int or long or short or byte or uint or ulong or ushort or sbyte or decimal;

    /// <summary>A function's or prediction's output as (name, value) pairs: numbers, numbers of arrays, texts, booleans, properties.</summary>
    public static List<(string Name, object? Value)> Flatten(object? value, string name = "value")
    {
        var values = new List<(string, object?)>();
        Add(values, name, value, depth: 0);
        return values;
    }

    private static void Add(List<(string, object?)> values, string name, object? value, int depth)
    {
        switch (value)
        {
            case null or string or bool:
                values.Add((name, value));
                break;
            case var number when IsNumber(number):
                values.Add((name, Convert.ToDouble(number, CultureInfo.InvariantCulture)));
                break;
            case IEnumerable items:
                var i = 0;
                foreach (var item in items)
                {
                    Add(values, string.Create(CultureInfo.InvariantCulture, $"{name}[{i++}]"), item, depth + 1);
                }

                break;
            case var other when depth < 3:
                foreach (var property in other.GetType().GetProperties().Where(p => p.CanRead && p.GetIndexParameters().Length == 0))
                {
                    Add(values, depth == 0 && name == "value" ? property.Name : $"{name}.{property.Name}", property.GetValue(other), depth + 1);
                }

                break;
            default:
                values.Add((name, value));
                break;
        }
    }

    /// <summary>Equal within <paramref name="tolerance"/>: absolute up to 1, relative above; NaN equals NaN.</summary>
    public static bool Close(double expected, double actual, double tolerance) =>
        expected.Equals(actual) || Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Max(Math.Abs(expected), Math.Abs(actual)));

    /// <summary>Compares two cells (numbers, vectors, texts), reporting each differing value.</summary>
    public static void Compare(FailureTally tally, long row, string column, object? expected, object? actual, double tolerance)
    {
        switch (expected, actual)
        {
            case (double e, double a):
                if (!Close(e, a, tolerance))
                {
                    tally.Fail(row, column, e, a);
                }

                break;
            case (double[] e, double[] a) when e.Length == a.Length:
                for (var i = 0; i < e.Length; i++)
                {
                    if (!Close(e[i], a[i], tolerance))
                    {
                        tally.Fail(row, Slot(column, i), e[i], a[i]);
                    }
                }

                break;
            default:
                if (!Equals(expected, actual) && !(expected is double[] x && actual is double[] y && x.SequenceEqual(y)))
                {
                    tally.Fail(row, column, expected, actual);
                }

                break;
        }
    }

    /// <summary>Reports each NaN or infinite number in a cell.</summary>
    public static void CheckFinite(FailureTally tally, long row, string column, object? cell)
    {
        if (cell is double d && !double.IsFinite(d))
        {
            tally.Fail(row, column, "a finite number", d);
        }
        else if (cell is double[] vector)
        {
            for (var i = 0; i < vector.Length; i++)
            {
                if (!double.IsFinite(vector[i]))
                {
                    tally.Fail(row, Slot(column, i), "a finite number", vector[i]);
                }
            }
        }
    }

    public static string Slot(string column, int index) => string.Create(CultureInfo.InvariantCulture, $"{column}[{index}]");

    public static string Format(object? value) => value switch
    {
        string s => s,
        double[] v => "[" + string.Join(", ", v.Take(8).Select(x => TextValues.Format(x))) + (v.Length > 8 ? $", … ({v.Length} values)]" : "]"),
        _ => TextValues.Format(value),
    };

    /// <summary>Reads the named columns of a data view, row by row: numbers as doubles, vectors as double arrays, text as strings.</summary>
    public static List<object?[]> Read(IDataView view, IReadOnlyList<string> columns)
    {
        var schemaColumns = columns.Select(name => view.Schema.GetColumnOrNull(name)
            ?? throw new DataTestingException($"The output has no column '{name}'; its columns are: {string.Join(", ", view.Schema.Where(c => !c.IsHidden).Select(c => c.Name))}.")).ToList();
        var rows = new List<object?[]>();
        using var cursor = view.GetRowCursor(schemaColumns);
        var getters = schemaColumns.Select(c => Getter(cursor, c)).ToArray();
        while (cursor.MoveNext())
        {
            rows.Add([.. getters.Select(g => g())]);
        }

        return rows;
    }

    /// <summary>The visible columns of a schema whose values <see cref="Read"/> can compare.</summary>
    public static List<string> ReadableColumns(DataViewSchema schema) =>
        [.. schema.Where(c => !c.IsHidden && IsReadable(c.Type)).Select(c => c.Name)];

    private static bool IsReadable(DataViewType type) =>
        type is TextDataViewType or BooleanDataViewType
        || (type is KeyDataViewType && type.RawType == typeof(uint))
        || (type is NumberDataViewType && NumberGetterTypes.Contains(type.RawType))
        || (type is VectorDataViewType v && (v.ItemType.RawType == typeof(float) || v.ItemType.RawType == typeof(double)));

    private static readonly Type[] NumberGetterTypes = [typeof(float), typeof(double), typeof(int), typeof(long), typeof(uint)];

    private static Func<object?> Getter(DataViewRowCursor cursor, DataViewSchema.Column column) => column.Type switch
    {
        NumberDataViewType when column.Type.RawType == typeof(float) => Scalar<float>(cursor, column, v => v),
        NumberDataViewType when column.Type.RawType == typeof(double) => Scalar<double>(cursor, column, v => v),
        NumberDataViewType when column.Type.RawType == typeof(int) => Scalar<int>(cursor, column, v => v),
        NumberDataViewType when column.Type.RawType == typeof(long) => Scalar<long>(cursor, column, v => v),
        NumberDataViewType or KeyDataViewType when column.Type.RawType == typeof(uint) => Scalar<uint>(cursor, column, v => v),
        BooleanDataViewType => Boxed<bool>(cursor, column, v => v),
        TextDataViewType => Boxed<ReadOnlyMemory<char>>(cursor, column, v => v.ToString()),
        VectorDataViewType v when v.ItemType.RawType == typeof(float) => Vector<float>(cursor, column, x => x),
        VectorDataViewType v when v.ItemType.RawType == typeof(double) => Vector<double>(cursor, column, x => x),
        _ => throw new DataTestingException($"The column '{column.Name}' is of type {column.Type}; feature checks compare numbers, number vectors, booleans and text."),
    };

    private static Func<object?> Scalar<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, double> convert) =>
        Boxed(cursor, column, (T v) => (object)convert(v));

    private static Func<object?> Boxed<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, object> convert)
    {
        var getter = cursor.GetGetter<T>(column);
        return () =>
        {
            T value = default!;
            getter(ref value);
            return convert(value);
        };
    }

    private static Func<object?> Vector<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, double> convert)
    {
        var getter = cursor.GetGetter<VBuffer<T>>(column);
        return () =>
        {
            VBuffer<T> buffer = default;
            getter(ref buffer);
            return buffer.DenseValues().Select(convert).ToArray();
        };
    }
}

/// <summary>Collects a check's failures: counts failing rows, keeps the first 20 values.</summary>
internal sealed class FailureTally
{
    private const int MaxShown = 20;
    private readonly List<FeatureCheckFailure> _failures = [];
    private long _lastRow = long.MinValue;

    public long FailingRows { get; private set; }

    public void Fail(long row, string column, object? expected, object? actual)
    {
        if (row != _lastRow || row < 0)
        {
            FailingRows++;
            _lastRow = row;
        }

        if (_failures.Count < MaxShown)
        {
            _failures.Add(new FeatureCheckFailure(row, column, FeatureValues.Format(expected), FeatureValues.Format(actual)));
        }
    }

    /// <summary>The result; the summary reads "{failing} of {total} {subject}".</summary>
    public FeatureCheckResult Result(string check, long total, string subject) =>
        new(check, FailingRows == 0, string.Create(CultureInfo.InvariantCulture, $"{FailingRows} of {total} {subject}"), FailingRows, [.. _failures]);
}

/// <summary>The checks added to a fluent check set, run in order by <c>Run</c> or <c>Assert</c>.</summary>
internal sealed class CheckList
{
    private readonly List<Func<FeatureCheckResult>> _checks = [];

    public void Add(Func<FeatureCheckResult> check) => _checks.Add(check);

    public IReadOnlyList<FeatureCheckResult> Run() => [.. _checks.Select(check => check())];

    public IReadOnlyList<FeatureCheckResult> Assert()
    {
        var results = Run();
        return results.All(r => r.Success) ? results : throw new FeatureCheckException(results);
    }

    /// <summary>Compares two flattened outputs of one row, value by value.</summary>
    public static void CompareFlat(FailureTally tally, long row, List<(string Name, object? Value)> expected, List<(string Name, object? Value)> actual, double tolerance)
    {
        if (expected.Count != actual.Count)
        {
            tally.Fail(row, "output", $"{expected.Count} values", $"{actual.Count} values");
            return;
        }

        for (var i = 0; i < expected.Count; i++)
        {
            FeatureValues.Compare(tally, row, expected[i].Name, expected[i].Value, actual[i].Value, tolerance);
        }
    }

    /// <summary>Checks that one row's outputs over an ascending sweep of a feature move only in the expected direction.</summary>
    public static void CheckMonotone(FailureTally tally, long row, string feature, IReadOnlyList<double> values, IReadOnlyList<double> outputs, string output, Direction direction, double tolerance)
    {
        for (var j = 1; j < outputs.Count; j++)
        {
            var step = outputs[j] - outputs[j - 1];
            var slack = tolerance * Math.Max(1, Math.Max(Math.Abs(outputs[j]), Math.Abs(outputs[j - 1])));
            if (double.IsNaN(step) || (direction == Direction.Increasing ? step < -slack : step > slack))
            {
                var where = string.Create(CultureInfo.InvariantCulture, $"{output} at {feature} = {values[j]}");
                var bound = string.Create(CultureInfo.InvariantCulture, $"{(direction == Direction.Increasing ? ">=" : "<=")} {TextValues.Format(outputs[j - 1])} (its value at {feature} = {values[j - 1]})");
                tally.Fail(row, where, bound, outputs[j]);
                return;
            }
        }
    }
}
