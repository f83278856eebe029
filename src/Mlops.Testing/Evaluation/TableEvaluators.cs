using Mlops.Testing.Data;

namespace Mlops.Testing.Evaluation;

/// <summary>Row-count expectations: the row count comes from the pass (or from the source when it knows it).</summary>
internal sealed class RowCountEvaluator(Func<long, bool> check) : ExpectationEvaluator
{
    public override IReadOnlyList<string> Columns { get; } = [];

    public override bool NeedsRows => true;

    public override Outcome Complete(long rowCount, DataSchema schema) =>
        new(check(rowCount), new ExpectationResultDetails { ObservedValue = rowCount });
}

/// <summary>Expectations on the columns themselves (count, names, order): they read the schema, not the rows.</summary>
internal sealed class SchemaEvaluator(Func<DataSchema, Outcome> check) : ExpectationEvaluator
{
    public override IReadOnlyList<string> Columns { get; } = [];

    public override bool NeedsRows => false;

    public override void Begin(DataSchema schema)
    {
    }

    public override Outcome Complete(long rowCount, DataSchema schema) => check(schema);
}

/// <summary>
/// Column pair map expectations (<c>column_A</c>, <c>column_B</c>): rows are skipped per <c>ignore_row_if</c>; in the
/// rest, a missing value on one side is unexpected (as a comparison with NaN is false in pandas).
/// </summary>
internal sealed class ColumnPairEvaluator(string columnA, string columnB, string ignoreRowIf, double? mostly, Func<DataColumn, DataColumn, Func<ColumnVector, ColumnVector, int, bool>> build) : ExpectationEvaluator
{
    private readonly UnexpectedTally _tally = new();
    private Func<ColumnVector, ColumnVector, int, bool>? _test;
    private long _elements;
    private long _ignored;

    public override IReadOnlyList<string> Columns { get; } = [columnA, columnB];

    public override void Begin(DataSchema schema) => _test = build(RequireColumn(schema, columnA), RequireColumn(schema, columnB));

    public override void Observe(ColumnBatch batch)
    {
        var a = batch[columnA];
        var b = batch[columnB];
        _elements += batch.RowCount;
        for (var i = 0; i < batch.RowCount; i++)
        {
            var missingA = a.IsMissing(i);
            var missingB = b.IsMissing(i);
            var ignore = ignoreRowIf switch
            {
                "both_values_are_missing" => missingA && missingB,
                "either_value_is_missing" => missingA || missingB,
                _ => false,
            };
            if (ignore)
            {
                _ignored++;
            }
            else if (missingA || missingB || !_test!(a, b, i))
            {
                _tally.Add<object?>(new RowKey([a.GetValue(i), b.GetValue(i)]), batch.StartRow + i);
            }
        }
    }

    public override Outcome Complete(long rowCount, DataSchema schema) =>
        UnexpectedTally.MapOutcome(_elements, _ignored, _tally.Count, mostly, _tally.Values, _tally.Indexes, _tally.TopCounts());

    /// <summary>A comparison of two columns' present values: numbers as doubles, dates, strings (ordinal) or booleans.</summary>
    public static Func<ColumnVector, ColumnVector, int, bool> Compare(DataColumn a, DataColumn b, Func<int, bool> accept)
    {
        if (Domain.IsNumeric(a.Type) && Domain.IsNumeric(b.Type))
        {
            return (x, y, i) => accept(Number(x, i).CompareTo(Number(y, i)));
        }

        if (a.Type != b.Type)
        {
            throw new EvaluationException($"The columns '{a.Name}' ({a.Type}) and '{b.Name}' ({b.Type}) cannot be compared.");
        }

        return a.Type switch
        {
            ColumnType.DateTime => (x, y, i) => accept(((ColumnVector<DateTime>)x).Values[i].CompareTo(((ColumnVector<DateTime>)y).Values[i])),
            ColumnType.String => (x, y, i) => accept(string.CompareOrdinal(((ColumnVector<string>)x).Values[i], ((ColumnVector<string>)y).Values[i])),
            _ => (x, y, i) => accept(((ColumnVector<bool>)x).Values[i].CompareTo(((ColumnVector<bool>)y).Values[i])),
        };
    }

    public static double Number(ColumnVector vector, int index) =>
        vector is ColumnVector<double> d ? d.Values[index] : ((ColumnVector<long>)vector).Values[index];
}

/// <summary>
/// <c>expect_compound_columns_to_be_unique</c>: every row whose combination of values occurs more than once is
/// unexpected. Holds one entry per distinct combination.
/// </summary>
internal sealed class CompoundUniqueEvaluator(IReadOnlyList<string> columns, string ignoreRowIf, double? mostly) : ExpectationEvaluator
{
    private readonly DuplicateFinder<RowKey> _finder = new();
    private long _elements;
    private long _ignored;

    public override IReadOnlyList<string> Columns => columns;

    public override void Observe(ColumnBatch batch)
    {
        var vectors = columns.Select(c => batch[c]).ToArray();
        _elements += batch.RowCount;
        for (var i = 0; i < batch.RowCount; i++)
        {
            if (Ignore(vectors, i, ignoreRowIf))
            {
                _ignored++;
                continue;
            }

            var values = new object?[vectors.Length];
            for (var c = 0; c < vectors.Length; c++)
            {
                values[c] = vectors[c].GetValue(i);
            }

            _finder.Add(new RowKey(values), batch.StartRow + i);
        }
    }

    public override Outcome Complete(long rowCount, DataSchema schema) => _finder.Outcome(_elements, _ignored, mostly);

    public static bool Ignore(ColumnVector[] vectors, int row, string ignoreRowIf) => ignoreRowIf switch
    {
        "all_values_are_missing" => vectors.All(v => v.IsMissing(row)),
        "any_value_is_missing" => vectors.Any(v => v.IsMissing(row)),
        _ => false,
    };
}

/// <summary><c>expect_multicolumn_sum_to_equal</c>: the row-wise sum (missing values count as 0, as pandas sums) equals <c>sum_total</c>.</summary>
internal sealed class MulticolumnSumEvaluator(IReadOnlyList<string> columns, double sumTotal, string ignoreRowIf, double? mostly) : ExpectationEvaluator
{
    private readonly UnexpectedTally _tally = new();
    private long _elements;
    private long _ignored;

    public override IReadOnlyList<string> Columns => columns;

    public override void Begin(DataSchema schema)
    {
        foreach (var name in columns)
        {
            if (!Domain.IsNumeric(RequireColumn(schema, name).Type))
            {
                throw new EvaluationException($"The column '{name}' is not numeric; a sum needs numeric columns.");
            }
        }
    }

    public override void Observe(ColumnBatch batch)
    {
        var vectors = columns.Select(c => batch[c]).ToArray();
        _elements += batch.RowCount;
        for (var i = 0; i < batch.RowCount; i++)
        {
            if (CompoundUniqueEvaluator.Ignore(vectors, i, ignoreRowIf))
            {
                _ignored++;
                continue;
            }

            var sum = 0.0;
            foreach (var v in vectors)
            {
                if (!v.IsMissing(i))
                {
                    sum += ColumnPairEvaluator.Number(v, i);
                }
            }

            if (sum != sumTotal)
            {
                _tally.Add<object?>(new RowKey([.. vectors.Select(v => v.GetValue(i))]), batch.StartRow + i);
            }
        }
    }

    public override Outcome Complete(long rowCount, DataSchema schema) =>
        UnexpectedTally.MapOutcome(_elements, _ignored, _tally.Count, mostly, _tally.Values, _tally.Indexes, _tally.TopCounts());
}

/// <summary>The values of several columns in one row: compared item by item, shown and serialised as a list.</summary>
internal sealed class RowKey(object?[] values) : IReadOnlyList<object?>, IEquatable<RowKey>
{
    public object? this[int index] => values[index];

    public int Count => values.Length;

    public bool Equals(RowKey? other) => other is not null && ValueComparer.Equal(this, other);

    public override bool Equals(object? obj) => obj is RowKey other && Equals(other);

    public override int GetHashCode() => ValueComparer.Hash(this);

    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)values).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => values.GetEnumerator();
}
