namespace Mlops.Testing.Data;

/// <summary>A column of a data source: its name and the type its values are delivered as.</summary>
/// <param name="Name">The column name, as in the header or property.</param>
/// <param name="Type">The type the source delivers the values as.</param>
public sealed record DataColumn(string Name, ColumnType Type);

/// <summary>The ordered columns of a data source.</summary>
public sealed class DataSchema
{
    private readonly Dictionary<string, int> _index;

    /// <summary>Creates a schema from its columns, in order.</summary>
    /// <exception cref="DataTestingException">When two columns share a name.</exception>
    public DataSchema(IEnumerable<DataColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = [.. columns];
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Columns.Count; i++)
        {
            if (!_index.TryAdd(Columns[i].Name, i))
            {
                throw new DataTestingException($"The column name '{Columns[i].Name}' appears twice (columns {_index[Columns[i].Name]} and {i}); column names must be unique.");
            }
        }
    }

    /// <summary>The columns, in source order.</summary>
    public IReadOnlyList<DataColumn> Columns { get; }

    /// <summary>The column names, in source order.</summary>
    public IEnumerable<string> Names => Columns.Select(c => c.Name);

    /// <summary>Finds a column by its exact (case-sensitive) name.</summary>
    public bool TryGetColumn(string name, out DataColumn column)
    {
        if (_index.TryGetValue(name, out var i))
        {
            column = Columns[i];
            return true;
        }

        column = null!;
        return false;
    }

    /// <summary>The position of a column, or -1 when there is none with that name.</summary>
    public int IndexOf(string name) => _index.TryGetValue(name, out var i) ? i : -1;
}
