namespace Mlops.Testing.Data;

/// <summary>
/// A table that expectations read: its schema, and a stream of <see cref="ColumnBatch"/>es holding only the columns a
/// validation needs. Implement it for a new format (Parquet, an ML.NET <c>IDataView</c>, a database query); a source can
/// be read more than once (some expectations need a second pass), and each read starts at the first row.
/// </summary>
public abstract class DataSource
{
    /// <summary>The default number of rows in a batch.</summary>
    public const int DefaultBatchSize = 4096;

    /// <summary>A name for messages and reports (a file name, a type name).</summary>
    public abstract string Name { get; }

    /// <summary>Reads (or infers) the columns and their types.</summary>
    public abstract ValueTask<DataSchema> GetSchemaAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The number of rows when the source knows it without reading the data (Parquet metadata, an in-memory list), else
    /// <see langword="null"/>.
    /// </summary>
    public virtual ValueTask<long?> GetRowCountAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<long?>(null);

    /// <summary>
    /// Streams the rows in order, in batches of at most <paramref name="batchSize"/> rows holding the named columns. The
    /// yielded batch is reused for the next one.
    /// </summary>
    /// <param name="columns">The columns to read, by name; every name is in the schema.</param>
    /// <param name="batchSize">The largest number of rows per batch.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    public abstract IAsyncEnumerable<ColumnBatch> ReadAsync(IReadOnlyList<string> columns, int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default);

    /// <summary>A source over records or plain objects: one column per public readable property.</summary>
    public static DataSource FromEnumerable<T>(IEnumerable<T> rows, string? name = null) => new EnumerableDataSource<T>(rows, name);

    /// <summary>A source over a CSV file, read as a stream.</summary>
    public static DataSource FromCsvFile(string path, CsvOptions? options = null) => CsvDataSource.FromFile(path, options);
}
