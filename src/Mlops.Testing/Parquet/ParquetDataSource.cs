using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Schema;

namespace Mlops.Testing.Data;

/// <summary>
/// A Parquet file read with Parquet.Net, one row group at a time and only the columns a validation needs: memory is
/// bounded by one row group of those columns. Floating-point and decimal columns become <see cref="ColumnType.Double"/>,
/// integers <see cref="ColumnType.Int64"/>, dates and timestamps <see cref="ColumnType.DateTime"/>; nested, repeated and
/// binary columns are left out of the schema. The row count comes from the file's metadata, without reading the data.
/// </summary>
public sealed class ParquetDataSource : DataSource
{
    private readonly Func<Stream> _open;
    private DataSchema? _schema;
    private Dictionary<string, DataField>? _fields;
    private long _rowCount;

    private ParquetDataSource(string name, Func<Stream> open)
    {
        Name = name;
        _open = open;
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <summary>A source that opens the file at <paramref name="path"/> for each read.</summary>
    public static ParquetDataSource FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new ParquetDataSource(Path.GetFileName(path), () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess));
    }

    /// <summary>A source that calls <paramref name="open"/> for each read; the stream must be seekable.</summary>
    public static ParquetDataSource FromStream(Func<Stream> open, string name = "parquet")
    {
        ArgumentNullException.ThrowIfNull(open);
        return new ParquetDataSource(name, open);
    }

    /// <inheritdoc />
    public override async ValueTask<DataSchema> GetSchemaAsync(CancellationToken cancellationToken = default)
    {
        if (_schema is not null)
        {
            return _schema;
        }

        var stream = _open();
        await using var streamScope = stream.ConfigureAwait(false);
        var reader = await OpenAsync(stream, cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        var columns = new List<DataColumn>();
        var fields = new Dictionary<string, DataField>(StringComparer.Ordinal);
        foreach (var field in reader.Schema.Fields.OfType<DataField>())
        {
            if (!field.IsArray && TypeOf(field.ClrType) is { } type)
            {
                columns.Add(new DataColumn(field.Name, type));
                fields[field.Name] = field;
            }
        }

        _rowCount = reader.RowGroups.Sum(g => g.RowCount);
        _fields = fields;
        _schema = new DataSchema(columns);
        return _schema;
    }

    /// <inheritdoc />
    public override async ValueTask<long?> GetRowCountAsync(CancellationToken cancellationToken = default)
    {
        await GetSchemaAsync(cancellationToken).ConfigureAwait(false);
        return _rowCount;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ColumnBatch> ReadAsync(IReadOnlyList<string> columns, int batchSize = DefaultBatchSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var schema = await GetSchemaAsync(cancellationToken).ConfigureAwait(false);
        var wanted = columns.Select(name => schema.TryGetColumn(name, out var column)
            ? column
            : throw new DataTestingException($"The Parquet file '{Name}' has no readable column '{name}'; its columns are: {string.Join(", ", schema.Names)}.")).ToArray();
        var stream = _open();
        await using var streamScope = stream.ConfigureAwait(false);
        var reader = await OpenAsync(stream, cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        using var batch = new ColumnBatch(wanted, batchSize);
        long start = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var rows = checked((int)group.RowCount);
            var chunks = new Chunk[wanted.Length];
            for (var c = 0; c < wanted.Length; c++)
            {
                chunks[c] = await ReadChunkAsync(group, _fields![wanted[c].Name], rows, cancellationToken).ConfigureAwait(false);
            }

            if (wanted.Length == 0)
            {
                // Only the row count is needed: batches without columns.
                chunks = [];
            }

            for (var offset = 0; offset < rows; offset += batchSize)
            {
                var count = Math.Min(batchSize, rows - offset);
                batch.Reset(start + offset, count);
                for (var c = 0; c < chunks.Length; c++)
                {
                    chunks[c].CopyTo(batch.Columns[c], offset, count);
                }

                yield return batch;
            }

            start += rows;
        }
    }

    private async Task<ParquetReader> OpenAsync(Stream stream, CancellationToken cancellationToken)
    {
        try
        {
            return await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException)
        {
            throw new DataTestingException($"'{Name}' cannot be read as a Parquet file: {e.Message}", e);
        }
    }

    private static ColumnType? TypeOf(Type clr) =>
        clr == typeof(double) || clr == typeof(float) || clr == typeof(decimal) || clr == typeof(Half) ? ColumnType.Double
        : clr == typeof(long) || clr == typeof(int) || clr == typeof(short) || clr == typeof(sbyte) || clr == typeof(byte)
          || clr == typeof(ushort) || clr == typeof(uint) ? ColumnType.Int64
        : clr == typeof(bool) ? ColumnType.Boolean
        : clr == typeof(string) || clr == typeof(ReadOnlyMemory<char>) ? ColumnType.String
        : clr == typeof(DateTime) || clr == typeof(DateOnly) || clr == typeof(DateTimeOffset) ? ColumnType.DateTime
        : null;

    private static Task<Chunk> ReadChunkAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken)
    {
        var clr = field.ClrType;
        return clr == typeof(double) ? Read<double, double>(group, field, rows, v => v, cancellationToken)
            : clr == typeof(float) ? Read<float, double>(group, field, rows, v => v, cancellationToken)
            : clr == typeof(decimal) ? Read<decimal, double>(group, field, rows, v => (double)v, cancellationToken)
            : clr == typeof(Half) ? Read<Half, double>(group, field, rows, v => (double)v, cancellationToken)
            : clr == typeof(long) ? Read<long, long>(group, field, rows, v => v, cancellationToken)
            : clr == typeof(int) ? Read<int, long>(group, field, rows, v => v, cancellationToken)
            : clr == typeof(short) ? Read<short, long>(group, field, rows, v => v, cancellationToken)
            : clr == typeof(sbyte) ? Read<sbyte, long>(group, field, rows, v => v, cancellationToken)
            : clr == typeof(byte) ? Read<byte, long>(group, field, rows, v => v, cancellationToken)
            : clr == typeof(ushort) ? Read<ushort, long>(group, field, rows, v => v, cancellationToken)
            : clr == typeof(uint) ? Read<uint, long>(group, field, rows, v => v, cancellationToken)
            : clr == typeof(bool) ? Read<bool, bool>(group, field, rows, v => v, cancellationToken)
            : clr == typeof(DateTime) ? Read<DateTime, DateTime>(group, field, rows, v => v, cancellationToken)
            : clr == typeof(DateOnly) ? Read<DateOnly, DateTime>(group, field, rows, v => v.ToDateTime(TimeOnly.MinValue), cancellationToken)
            : clr == typeof(DateTimeOffset) ? Read<DateTimeOffset, DateTime>(group, field, rows, v => v.UtcDateTime, cancellationToken)
            : ReadStrings(group, field, rows, cancellationToken);
    }

    private static async Task<Chunk> Read<TSource, TTarget>(ParquetRowGroupReader group, DataField field, int rows, Func<TSource, TTarget> convert, CancellationToken cancellationToken)
        where TSource : struct
    {
        var values = new TSource?[rows];
        if (field.IsNullable)
        {
            await group.ReadAsync(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var raw = new TSource[rows];
            await group.ReadAsync(field, raw.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < rows; i++)
            {
                values[i] = raw[i];
            }
        }

        return new StructChunk<TSource, TTarget>(values, convert);
    }

    private static async Task<Chunk> ReadStrings(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken)
    {
        var values = new string?[rows];
        await group.ReadAsync(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
        return new StringChunk(values);
    }

    private abstract class Chunk
    {
        public abstract void CopyTo(ColumnVector vector, int offset, int count);
    }

    private sealed class StructChunk<TSource, TTarget>(TSource?[] values, Func<TSource, TTarget> convert) : Chunk
        where TSource : struct
    {
        public override void CopyTo(ColumnVector vector, int offset, int count)
        {
            var typed = (ColumnVector<TTarget>)vector;
            for (var i = 0; i < count; i++)
            {
                if (values[offset + i] is { } v)
                {
                    typed.Set(i, convert(v));
                }
                else
                {
                    typed.SetMissing(i);
                }
            }
        }
    }

    private sealed class StringChunk(string?[] values) : Chunk
    {
        public override void CopyTo(ColumnVector vector, int offset, int count)
        {
            var typed = (ColumnVector<string>)vector;
            for (var i = 0; i < count; i++)
            {
                typed.Set(i, values[offset + i]!);
            }
        }
    }
}
