using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Mlops.Testing.Data;

/// <summary>
/// An ML.NET <see cref="IDataView"/> read through a row cursor over only the needed columns, with getters hoisted out of
/// the row loop. NaN is missing (ML.NET's missing number), as is an empty text and a key of 0. A known-size vector column
/// of numbers (<see cref="VBuffer{T}"/>, dense or sparse) becomes one <see cref="ColumnType.Double"/> column per slot, named
/// <c>Features[0]</c>, <c>Features[1]</c>, …. Hidden columns are left out.
/// </summary>
public sealed class DataViewDataSource : DataSource
{
    private const int MaxExpandedSlots = 1024;
    private readonly IDataView _view;
    private readonly DataSchema _schema;
    private readonly Dictionary<string, (DataViewSchema.Column Column, int Slot)> _map = new(StringComparer.Ordinal);

    /// <summary>Creates a source over a data view.</summary>
    public DataViewDataSource(IDataView view, string name = "IDataView")
    {
        ArgumentNullException.ThrowIfNull(view);
        _view = view;
        Name = name;
        var columns = new List<DataColumn>();
        foreach (var column in view.Schema.Where(c => !c.IsHidden))
        {
            if (column.Type is VectorDataViewType { IsKnownSize: true, Size: <= MaxExpandedSlots } vector && IsNumber(vector.ItemType.RawType))
            {
                for (var slot = 0; slot < vector.Size; slot++)
                {
                    var slotName = $"{column.Name}[{slot}]";
                    columns.Add(new DataColumn(slotName, ColumnType.Double));
                    _map[slotName] = (column, slot);
                }
            }
            else if (TypeOf(column.Type) is { } type)
            {
                columns.Add(new DataColumn(column.Name, type));
                _map[column.Name] = (column, -1);
            }
        }

        _schema = new DataSchema(columns);
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override ValueTask<DataSchema> GetSchemaAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(_schema);

    /// <inheritdoc />
    public override ValueTask<long?> GetRowCountAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(_view.GetRowCount());

    /// <inheritdoc />
    public override async IAsyncEnumerable<ColumnBatch> ReadAsync(IReadOnlyList<string> columns, int batchSize = DefaultBatchSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var wanted = columns.Select(name => _schema.TryGetColumn(name, out var column)
            ? column
            : throw new DataTestingException($"The data view '{Name}' has no readable column '{name}'; its columns are: {string.Join(", ", _schema.Names)}.")).ToArray();
        var needed = wanted.Select(c => _map[c.Name].Column).DistinctBy(c => c.Index).ToList();
        using var cursor = _view.GetRowCursor(needed);
        using var batch = new ColumnBatch(wanted, batchSize);

        // One reader per data-view column; a vector column fills every wanted slot from one getter call per row.
        var readers = wanted
            .Select((c, i) => (Target: i, Source: _map[c.Name]))
            .GroupBy(x => x.Source.Column.Index)
            .Select(g => CreateReader(cursor, g.First().Source.Column, [.. g.Select(x => (x.Source.Slot, x.Target))]))
            .ToArray();
        long start = 0;
        var count = 0;
        batch.Reset(0, batchSize);
        while (cursor.MoveNext())
        {
            foreach (var reader in readers)
            {
                reader.Read(batch, count);
            }

            if (++count == batchSize)
            {
                yield return batch;
                cancellationToken.ThrowIfCancellationRequested();
                start += count;
                count = 0;
                batch.Reset(start, batchSize);
            }
        }

        if (count > 0)
        {
            batch.Reset(start, count);
            yield return batch;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private static bool IsNumber(Type raw) =>
        raw == typeof(float) || raw == typeof(double) || raw == typeof(sbyte) || raw == typeof(byte) || raw == typeof(short)
        || raw == typeof(ushort) || raw == typeof(int) || raw == typeof(uint) || raw == typeof(long);

    private static ColumnType? TypeOf(DataViewType type) => type switch
    {
        KeyDataViewType => ColumnType.Int64,
        _ when type.RawType == typeof(float) || type.RawType == typeof(double) => ColumnType.Double,
        _ when IsNumber(type.RawType) || type.RawType == typeof(ulong) => ColumnType.Int64,
        BooleanDataViewType => ColumnType.Boolean,
        TextDataViewType => ColumnType.String,
        DateTimeDataViewType or DateTimeOffsetDataViewType => ColumnType.DateTime,
        _ => null,
    };

    private static Reader CreateReader(DataViewRowCursor cursor, DataViewSchema.Column column, (int Slot, int Target)[] targets)
    {
        var raw = column.Type is VectorDataViewType vector ? vector.ItemType.RawType : column.Type.RawType;
        var key = column.Type is KeyDataViewType;
        if (column.Type is VectorDataViewType)
        {
            return raw == typeof(float) ? new VectorReader<float>(cursor, column, targets, v => v)
                : raw == typeof(double) ? new VectorReader<double>(cursor, column, targets, v => v)
                : raw == typeof(int) ? new VectorReader<int>(cursor, column, targets, v => v)
                : raw == typeof(long) ? new VectorReader<long>(cursor, column, targets, v => v)
                : raw == typeof(uint) ? new VectorReader<uint>(cursor, column, targets, v => v)
                : raw == typeof(short) ? new VectorReader<short>(cursor, column, targets, v => v)
                : raw == typeof(ushort) ? new VectorReader<ushort>(cursor, column, targets, v => v)
                : raw == typeof(byte) ? new VectorReader<byte>(cursor, column, targets, v => v)
                : new VectorReader<sbyte>(cursor, column, targets, v => v);
        }

        var target = targets[0].Target;
        return raw == typeof(float) ? new ScalarReader<float, double>(cursor, column, target, v => v, null)
            : raw == typeof(double) ? new ScalarReader<double, double>(cursor, column, target, v => v, null)
            : raw == typeof(int) ? new ScalarReader<int, long>(cursor, column, target, v => v, null)
            : raw == typeof(long) ? new ScalarReader<long, long>(cursor, column, target, v => v, null)
            : raw == typeof(short) ? new ScalarReader<short, long>(cursor, column, target, v => v, null)
            : raw == typeof(sbyte) ? new ScalarReader<sbyte, long>(cursor, column, target, v => v, null)
            : raw == typeof(byte) ? new ScalarReader<byte, long>(cursor, column, target, v => v, key ? v => v == 0 : null)
            : raw == typeof(ushort) ? new ScalarReader<ushort, long>(cursor, column, target, v => v, key ? v => v == 0 : null)
            : raw == typeof(uint) ? new ScalarReader<uint, long>(cursor, column, target, v => v, key ? v => v == 0 : null)
            : raw == typeof(ulong) ? new ScalarReader<ulong, long>(cursor, column, target, v => unchecked((long)v), key ? v => v == 0 : null)
            : raw == typeof(bool) ? new ScalarReader<bool, bool>(cursor, column, target, v => v, null)
            : raw == typeof(DateTime) ? new ScalarReader<DateTime, DateTime>(cursor, column, target, v => v, null)
            : raw == typeof(DateTimeOffset) ? new ScalarReader<DateTimeOffset, DateTime>(cursor, column, target, v => v.UtcDateTime, null)
            : new TextReader(cursor, column, target);
    }

    private abstract class Reader
    {
        public abstract void Read(ColumnBatch batch, int row);
    }

    private sealed class ScalarReader<TRaw, TValue>(DataViewRowCursor cursor, DataViewSchema.Column column, int target, Func<TRaw, TValue> convert, Func<TRaw, bool>? isMissing) : Reader
    {
        private readonly ValueGetter<TRaw> _getter = cursor.GetGetter<TRaw>(column);
        private TRaw _value = default!;

        public override void Read(ColumnBatch batch, int row)
        {
            _getter(ref _value);
            var vector = (ColumnVector<TValue>)batch.Columns[target];
            if (isMissing is not null && isMissing(_value))
            {
                vector.SetMissing(row);
            }
            else
            {
                vector.Set(row, convert(_value));
            }
        }
    }

    private sealed class TextReader(DataViewRowCursor cursor, DataViewSchema.Column column, int target) : Reader
    {
        private readonly ValueGetter<ReadOnlyMemory<char>> _getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        private ReadOnlyMemory<char> _value;

        public override void Read(ColumnBatch batch, int row)
        {
            _getter(ref _value);
            var vector = (ColumnVector<string>)batch.Columns[target];
            if (_value.IsEmpty)
            {
                vector.SetMissing(row);
            }
            else
            {
                vector.Set(row, _value.ToString());
            }
        }
    }

    private sealed class VectorReader<TRaw>(DataViewRowCursor cursor, DataViewSchema.Column column, (int Slot, int Target)[] targets, Func<TRaw, double> convert) : Reader
    {
        private readonly ValueGetter<VBuffer<TRaw>> _getter = cursor.GetGetter<VBuffer<TRaw>>(column);
        private VBuffer<TRaw> _value;

        public override void Read(ColumnBatch batch, int row)
        {
            _getter(ref _value);
            foreach (var (slot, target) in targets)
            {
                ((ColumnVector<double>)batch.Columns[target]).Set(row, convert(_value.GetItemOrDefault(slot)));
            }
        }
    }
}
