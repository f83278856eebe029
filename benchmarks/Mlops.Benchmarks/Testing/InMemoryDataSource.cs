using System.Runtime.CompilerServices;
using Mlops.Testing.Data;

namespace Mlops.Benchmarks.Testing;

/// <summary>
/// A data source whose columns are already in memory (copied out of another source once), so that a benchmark can time
/// the drift computation without the file parsing.
/// </summary>
internal sealed class InMemoryDataSource : DataSource
{
    private readonly DataSchema _schema;
    private readonly Dictionary<string, Array> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool[]> _missing = new(StringComparer.Ordinal);
    private readonly int _rows;

    private InMemoryDataSource(string name, DataSchema schema, int rows)
    {
        Name = name;
        _schema = schema;
        _rows = rows;
    }

    public override string Name { get; }

    /// <summary>Reads every column of <paramref name="source"/> into memory.</summary>
    public static async Task<InMemoryDataSource> LoadAsync(DataSource source)
    {
        var schema = await source.GetSchemaAsync();
        var names = schema.Names.ToList();
        var values = names.Select(_ => new List<object?>()).ToArray();
        var typed = schema.Columns.Select(c => c.Type).ToArray();
        var doubles = names.Select(_ => new List<double>()).ToArray();
        var longs = names.Select(_ => new List<long>()).ToArray();
        var strings = names.Select(_ => new List<string>()).ToArray();
        var bools = names.Select(_ => new List<bool>()).ToArray();
        var missing = names.Select(_ => new List<bool>()).ToArray();
        var rows = 0;
        await foreach (var batch in source.ReadAsync(names))
        {
            for (var c = 0; c < names.Count; c++)
            {
                var vector = batch.Columns[c];
                for (var i = 0; i < batch.RowCount; i++)
                {
                    missing[c].Add(vector.IsMissing(i));
                }

                switch (vector)
                {
                    case ColumnVector<double> d: doubles[c].AddRange(d.Values); break;
                    case ColumnVector<long> l: longs[c].AddRange(l.Values); break;
                    case ColumnVector<string> s: strings[c].AddRange(s.Values); break;
                    case ColumnVector<bool> b: bools[c].AddRange(b.Values); break;
                    default: throw new NotSupportedException(vector.Type.ToString());
                }
            }

            rows += batch.RowCount;
        }

        var result = new InMemoryDataSource(source.Name, schema, rows);
        for (var c = 0; c < names.Count; c++)
        {
            result._missing[names[c]] = [.. missing[c]];
            result._values[names[c]] = typed[c] switch
            {
                ColumnType.Double => doubles[c].ToArray(),
                ColumnType.Int64 => longs[c].ToArray(),
                ColumnType.Boolean => bools[c].ToArray(),
                _ => strings[c].ToArray(),
            };
        }

        return result;
    }

    public override ValueTask<DataSchema> GetSchemaAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(_schema);

    public override ValueTask<long?> GetRowCountAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<long?>(_rows);

    public override async IAsyncEnumerable<ColumnBatch> ReadAsync(IReadOnlyList<string> columns, int batchSize = DefaultBatchSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var batch = new ColumnBatch(columns.Select(n => _schema.Columns[_schema.IndexOf(n)]), batchSize);
        for (var start = 0; start < _rows; start += batchSize)
        {
            var count = Math.Min(batchSize, _rows - start);
            batch.Reset(start, count);
            for (var c = 0; c < columns.Count; c++)
            {
                var vector = batch.Columns[c];
                _missing[columns[c]].AsSpan(start, count).CopyTo(MissingOf(vector));
                switch (vector)
                {
                    case ColumnVector<double> d: ((double[])_values[columns[c]]).AsSpan(start, count).CopyTo(d.Values); break;
                    case ColumnVector<long> l: ((long[])_values[columns[c]]).AsSpan(start, count).CopyTo(l.Values); break;
                    case ColumnVector<string> s: ((string[])_values[columns[c]]).AsSpan(start, count).CopyTo(s.Values); break;
                    case ColumnVector<bool> b: ((bool[])_values[columns[c]]).AsSpan(start, count).CopyTo(b.Values); break;
                }
            }

            yield return batch;
        }

        await Task.CompletedTask;
    }

    private static Span<bool> MissingOf(ColumnVector vector) => vector switch
    {
        ColumnVector<double> d => d.Missing,
        ColumnVector<long> l => l.Missing,
        ColumnVector<string> s => s.Missing,
        ColumnVector<bool> b => b.Missing,
        _ => throw new NotSupportedException(vector.Type.ToString()),
    };
}
