using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Mlops.Testing.Data;

/// <summary>
/// A CSV file (RFC 4180, a header row) read as a stream: only the batch being validated is in memory, so a file of any
/// size is read in bounded memory. An empty field is missing (unlike ML.NET's <c>TextLoader</c>, which reads an empty
/// numeric field as 0). Column types are inferred from the first <see cref="CsvOptions.InferenceRows"/> rows with the
/// invariant culture: booleans (<c>true</c>/<c>false</c>), numbers (as <see cref="ColumnType.Double"/>, exact for
/// integers up to 2^53), ISO 8601 dates, else strings.
/// </summary>
public sealed class CsvDataSource : DataSource
{
    private readonly Func<Stream> _open;
    private readonly CsvOptions _options;
    private readonly HashSet<string>? _missingValues;
    private DataSchema? _schema;

    private CsvDataSource(string name, Func<Stream> open, CsvOptions? options)
    {
        Name = name;
        _open = open;
        _options = options ?? new CsvOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.InferenceRows, nameof(CsvOptions.InferenceRows));
        _missingValues = _options.MissingValues.Count == 0 ? null : new HashSet<string>(_options.MissingValues, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <summary>A source that opens the file at <paramref name="path"/> for each read.</summary>
    public static CsvDataSource FromFile(string path, CsvOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new CsvDataSource(Path.GetFileName(path), () => OpenFile(path), options);
    }

    /// <summary>A source that calls <paramref name="open"/> for each read (the stream is disposed after the read).</summary>
    public static CsvDataSource FromStream(Func<Stream> open, string name = "csv", CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(open);
        return new CsvDataSource(name, open, options);
    }

    /// <summary>A source over CSV text held in memory.</summary>
    public static CsvDataSource FromText(string text, string name = "csv", CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        return new CsvDataSource(name, () => new MemoryStream(bytes, writable: false), options);
    }

    /// <inheritdoc />
    public override async ValueTask<DataSchema> GetSchemaAsync(CancellationToken cancellationToken = default)
    {
        if (_schema is not null)
        {
            return _schema;
        }

        using var reader = new CsvRecordReader(_open(), _options.Encoding, _options.Delimiter);
        var header = await ReadHeaderAsync(reader, cancellationToken).ConfigureAwait(false);
        var inference = header.Select(_ => new TypeInference()).ToArray();
        for (var row = 0; row < _options.InferenceRows && await reader.ReadAsync(cancellationToken).ConfigureAwait(false); row++)
        {
            CheckFieldCount(reader, header.Length, row);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                var text = reader[i];
                if (!IsMissing(text))
                {
                    inference[i].Observe(text);
                }
            }
        }

        _schema = new DataSchema(header.Select((name, i) => new DataColumn(
            name,
            _options.ColumnTypes.TryGetValue(name, out var declared) ? declared : inference[i].Result)));
        return _schema;
    }

    /// <summary>
    /// Streams the rows in batches. The file is parsed on a background task up to two batches ahead of the consumer (the
    /// batch being read by the consumer is never touched), so parsing and validating overlap on two cores.
    /// </summary>
    /// <inheritdoc />
    public override IAsyncEnumerable<ColumnBatch> ReadAsync(IReadOnlyList<string> columns, int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default) =>
        ReadAsync(columns, batchSize, textAsCharacters: false, cancellationToken);

    /// <summary>
    /// Streams the rows in batches, with string columns as <see cref="TextVector"/>s when
    /// <paramref name="textAsCharacters"/>: for readers that only count the values, no string per row.
    /// </summary>
    internal async IAsyncEnumerable<ColumnBatch> ReadAsync(IReadOnlyList<string> columns, int batchSize, bool textAsCharacters, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var schema = await GetSchemaAsync(cancellationToken).ConfigureAwait(false);
        var wanted = columns.Select(name => schema.TryGetColumn(name, out var column)
            ? column
            : throw new DataTestingException($"The CSV file '{Name}' has no column '{name}'; its columns are: {string.Join(", ", schema.Names)}.")).ToArray();
        var batches = new ColumnBatch[PipelineDepth + 1];
        for (var i = 0; i < batches.Length; i++)
        {
            batches[i] = new ColumnBatch(wanted, batchSize, textAsCharacters);
        }

        var parsers = batches[0].Columns.Select(CsvFieldParser.For).ToArray();

        var free = Channel.CreateUnbounded<ColumnBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var full = Channel.CreateBounded<ColumnBatch>(new BoundedChannelOptions(PipelineDepth) { SingleReader = true, SingleWriter = true });
        foreach (var batch in batches)
        {
            free.Writer.TryWrite(batch);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() => ProduceAsync(schema, wanted, parsers, batchSize, free.Reader, full.Writer, stop.Token), stop.Token);
        try
        {
            await foreach (var batch in full.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return batch;
                free.Writer.TryWrite(batch);
            }

            await producer.ConfigureAwait(false);
        }
        finally
        {
            // The consumer may have stopped early: stop the producer and wait for it (its failure, if any, has been
            // thrown above already or does not matter any more).
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAny(producer).ConfigureAwait(false);
            _ = producer.Exception;
            foreach (var batch in batches)
            {
                batch.Dispose();
            }
        }
    }

    /// <summary>How many parsed batches may wait for the consumer.</summary>
    private const int PipelineDepth = 2;

    private async Task ProduceAsync(DataSchema schema, DataColumn[] wanted, CsvFieldParser[] parsers, int batchSize, ChannelReader<ColumnBatch> free, ChannelWriter<ColumnBatch> full, CancellationToken cancellationToken)
    {
        try
        {
            var fieldIndex = wanted.Select(c => schema.IndexOf(c.Name)).ToArray();
            using var reader = new CsvRecordReader(_open(), _options.Encoding, _options.Delimiter);
            await ReadHeaderAsync(reader, cancellationToken).ConfigureAwait(false);
            long start = 0;
            var ended = false;
            while (!ended)
            {
                var batch = await free.ReadAsync(cancellationToken).ConfigureAwait(false);
                batch.Reset(start, batchSize);
                var count = 0;
                while (count < batchSize)
                {
                    count = Fill(reader, batch, count, start, schema.Columns.Count, fieldIndex, parsers, wanted, out var status);
                    if (status == CsvReadStatus.End)
                    {
                        ended = true;
                        break;
                    }

                    if (status == CsvReadStatus.NeedMore)
                    {
                        await reader.FillAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                if (count == 0)
                {
                    break;
                }

                batch.Reset(start, count);
                await full.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                start += count;
            }

            full.TryComplete();
        }
        catch
        {
            full.TryComplete();
            throw;
        }
    }

    // Parses records into the batch until it is full or the reader needs more text or ends; returns the row count.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Fill(CsvRecordReader reader, ColumnBatch batch, int count, long start, int fieldCount, int[] fieldIndex, CsvFieldParser[] parsers, DataColumn[] wanted, out CsvReadStatus status)
    {
        var vectors = batch.Vectors;
        var capacity = batch.RowCount;
        status = CsvReadStatus.Record;
        while (count < capacity)
        {
            status = reader.TryRead();
            if (status != CsvReadStatus.Record)
            {
                return count;
            }

            CheckFieldCount(reader, fieldCount, start + count);
            var fields = reader.FieldCount;
            for (var c = 0; c < fieldIndex.Length; c++)
            {
                var field = fieldIndex[c];
                var text = field < fields ? reader[field] : [];
                var vector = vectors[c];
                if (IsMissing(text))
                {
                    vector.SetMissing(count);
                }
                else if (!parsers[c].TryWrite(vector, count, text))
                {
                    throw new DataTestingException(
                        $"The CSV file '{Name}', row {start + count} (line {reader.RecordLine}), column '{wanted[c].Name}': \"{text}\" is not a {wanted[c].Type} " +
                        $"(the type inferred from the first {_options.InferenceRows} rows). Declare the column's type in CsvOptions.ColumnTypes (for example ColumnType.String), or raise CsvOptions.InferenceRows.");
                }
            }

            count++;
        }

        return count;
    }

    private static Stream OpenFile(string path) =>
        new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);

    private async ValueTask<string[]> ReadHeaderAsync(CsvRecordReader reader, CancellationToken cancellationToken)
    {
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new DataTestingException($"The CSV file '{Name}' is empty: it needs a header row with the column names.");
        }

        var header = new string[reader.FieldCount];
        for (var i = 0; i < header.Length; i++)
        {
            header[i] = reader[i].ToString();
        }

        return header;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckFieldCount(CsvRecordReader reader, int expected, long row)
    {
        if (reader.FieldCount > expected)
        {
            ThrowTooManyFields(reader, expected, row);
        }
    }

    private void ThrowTooManyFields(CsvRecordReader reader, int expected, long row) =>
        throw new DataTestingException($"The CSV file '{Name}', row {row} (line {reader.RecordLine}) has {reader.FieldCount} fields but the header has {expected}. Quote fields that contain the delimiter.");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsMissing(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return true;
        }

        if (_missingValues is null)
        {
            return false;
        }

        var lookup = _missingValues.GetAlternateLookup<ReadOnlySpan<char>>();
        return lookup.Contains(text);
    }

    private sealed class TypeInference
    {
        private bool _any;
        private bool _boolean = true;
        private bool _double = true;
        private bool _dateTime = true;

        public ColumnType Result => !_any ? ColumnType.String
            : _boolean ? ColumnType.Boolean
            : _double ? ColumnType.Double
            : _dateTime ? ColumnType.DateTime
            : ColumnType.String;

        public void Observe(ReadOnlySpan<char> text)
        {
            _any = true;
            _boolean = _boolean && TextValues.TryParseBoolean(text, out _);
            _double = _double && TextValues.TryParseDouble(text, out _);
            _dateTime = _dateTime && TextValues.LooksLikeIsoDate(text) && TextValues.TryParseDateTime(text, out _);
        }
    }
}
