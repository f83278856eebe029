namespace Mlops.Testing.Data;

/// <summary>
/// A block of consecutive rows of a data source, holding only the columns that were asked for. A source reuses the
/// batch it yields for the next block: use it before asking for the next one.
/// </summary>
public sealed class ColumnBatch : IDisposable
{
    private readonly Dictionary<string, ColumnVector> _byName;

    /// <summary>Creates a batch for the given columns with room for <paramref name="capacity"/> rows.</summary>
    public ColumnBatch(IEnumerable<DataColumn> columns, int capacity)
        : this(columns, capacity, textAsCharacters: false)
    {
    }

    /// <summary>A batch whose string columns are <see cref="TextVector"/>s when <paramref name="textAsCharacters"/>.</summary>
    internal ColumnBatch(IEnumerable<DataColumn> columns, int capacity, bool textAsCharacters)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        Vectors = [.. columns.Select(c => textAsCharacters && c.Type == ColumnType.String
            ? new TextVector(c.Name, capacity)
            : ColumnVector.Create(c.Name, c.Type, capacity))];
        Columns = Array.AsReadOnly(Vectors);
        _byName = Vectors.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    /// <summary>The largest number of rows the batch holds without growing.</summary>
    public int Capacity { get; }

    /// <summary>The index (0-based, in source order) of the batch's first row.</summary>
    public long StartRow { get; private set; }

    /// <summary>The number of rows in the batch.</summary>
    public int RowCount { get; private set; }

    /// <summary>The column vectors, in the order they were asked for.</summary>
    public IReadOnlyList<ColumnVector> Columns { get; }

    /// <summary>The column vectors as an array, for per-row loops (no interface call per access).</summary>
    internal ColumnVector[] Vectors { get; }

    /// <summary>The vector of a column by name.</summary>
    /// <exception cref="KeyNotFoundException">When the batch does not hold that column.</exception>
    public ColumnVector this[string name] => _byName[name];

    /// <summary>Prepares the batch for <paramref name="rowCount"/> rows starting at row <paramref name="startRow"/>.</summary>
    public void Reset(long startRow, int rowCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startRow);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        StartRow = startRow;
        RowCount = rowCount;
        foreach (var column in Vectors)
        {
            column.Reset(rowCount);
        }
    }

    /// <summary>Returns the vectors' pooled buffers.</summary>
    public void Dispose()
    {
        foreach (var column in Vectors)
        {
            column.Release();
        }
    }
}
