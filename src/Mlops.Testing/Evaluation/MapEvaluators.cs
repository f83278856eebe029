using Mlops.Testing.Data;

namespace Mlops.Testing.Evaluation;

/// <summary>A column map expectation: a per-value test, counted in the streaming pass with bounded memory.</summary>
internal sealed class ColumnMapEvaluator(string column, double? mostly, Func<DataColumn, RowTest> build) : ExpectationEvaluator
{
    private readonly UnexpectedTally _tally = new();
    private RowTest? _test;
    private long _elements;
    private long _missing;

    public override IReadOnlyList<string> Columns { get; } = [column];

    public override void Begin(DataSchema schema) => _test = build(RequireColumn(schema, column));

    public override void Observe(ColumnBatch batch)
    {
        _elements += batch.RowCount;
        _missing += _test!.Scan(batch[column], batch.StartRow, _tally);
    }

    public override Outcome Complete(long rowCount, DataSchema schema) =>
        UnexpectedTally.MapOutcome(_elements, _missing, _tally.Count, mostly, _tally.Values, _tally.Indexes, _tally.TopCounts());
}

/// <summary><c>expect_column_values_to_not_be_null</c> and <c>expect_column_values_to_be_null</c>: every row is considered.</summary>
internal sealed class NullEvaluator(string column, double? mostly, bool expectNull) : ExpectationEvaluator
{
    private readonly UnexpectedTally _tally = new();
    private long _elements;

    public override IReadOnlyList<string> Columns { get; } = [column];

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Observe(ColumnBatch batch)
    {
        _elements += batch.RowCount;
        var vector = batch[column];
        for (var i = 0; i < batch.RowCount; i++)
        {
            if (vector.IsMissing(i) != expectNull)
            {
                _tally.Add(vector.GetValue(i), batch.StartRow + i);
            }
        }
    }

    public override Outcome Complete(long rowCount, DataSchema schema) =>
        UnexpectedTally.MapOutcome(_elements, 0, _tally.Count, mostly, _tally.Values, _tally.Indexes, _tally.TopCounts(), nullExpectation: true);
}

/// <summary>
/// <c>expect_column_values_to_be_unique</c>: every row whose value occurs more than once is unexpected (the first
/// occurrence too, as in GX). Holds one entry per distinct value.
/// </summary>
internal sealed class UniqueEvaluator(string column, double? mostly) : ExpectationEvaluator
{
    private DuplicateFinder? _finder;
    private long _elements;
    private long _missing;

    public override IReadOnlyList<string> Columns { get; } = [column];

    public override void Begin(DataSchema schema) =>
        _finder = CreateTyped<DuplicateFinder>(typeof(DuplicateFinder<>), RequireColumn(schema, column).Type);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Observe(ColumnBatch batch)
    {
        var vector = batch[column];
        _elements += batch.RowCount;
        for (var i = 0; i < batch.RowCount; i++)
        {
            if (vector.IsMissing(i))
            {
                _missing++;
            }
        }

        _finder!.Observe(vector, batch.StartRow);
    }

    public override Outcome Complete(long rowCount, DataSchema schema) => _finder!.Outcome(_elements, _missing, mostly);
}

/// <summary>Finds rows whose key occurs more than once, keeping the first 20 such rows by index.</summary>
internal abstract class DuplicateFinder
{
    private readonly SortedSet<(long Row, int Order)> _first = [];
    private readonly List<object?> _values = [];

    public long Unexpected { get; private set; }

    public abstract void Observe(ColumnVector vector, long startRow);

    protected abstract IEnumerable<(object? Value, long Count)> Duplicates();

    /// <summary>Records an unexpected row (rows may arrive out of order: a first occurrence is found late).</summary>
    protected void AddUnexpected(long row, object? value)
    {
        Unexpected++;
        if (_first.Count == UnexpectedTally.PartialCount && row > _first.Max.Row)
        {
            return;
        }

        _values.Add(value);
        _first.Add((row, _values.Count - 1));
        if (_first.Count > UnexpectedTally.PartialCount)
        {
            _first.Remove(_first.Max);
        }
    }

    public Outcome Outcome(long elements, long missing, double? mostly)
    {
        var ordered = _first.ToList();
        return UnexpectedTally.MapOutcome(
            elements,
            missing,
            Unexpected,
            mostly,
            [.. ordered.Select(o => _values[o.Order])],
            [.. ordered.Select(o => o.Row)],
            UnexpectedTally.TopCounts(Duplicates()));
    }
}

internal sealed class DuplicateFinder<T> : DuplicateFinder
    where T : notnull
{
    private readonly Dictionary<T, (long FirstRow, long Count)> _seen = [];

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Observe(ColumnVector vector, long startRow)
    {
        var typed = (ColumnVector<T>)vector;
        var values = typed.Values;
        var missing = typed.Missing;
        for (var i = 0; i < values.Length; i++)
        {
            if (!missing[i])
            {
                Add(values[i], startRow + i);
            }
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Add(T key, long row)
    {
        ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_seen, key, out var exists);
        if (!exists)
        {
            entry = (row, 1);
            return;
        }

        entry.Count++;
        if (entry.Count == 2)
        {
            AddUnexpected(entry.FirstRow, key);
        }

        AddUnexpected(row, key);
    }

    protected override IEnumerable<(object? Value, long Count)> Duplicates() =>
        _seen.Where(kv => kv.Value.Count > 1).Select(kv => ((object?)kv.Key, kv.Value.Count));
}
