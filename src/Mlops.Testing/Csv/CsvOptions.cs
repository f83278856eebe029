using System.Text;

namespace Mlops.Testing.Data;

/// <summary>How a CSV file is read.</summary>
public sealed record CsvOptions
{
    /// <summary>The field delimiter; a comma unless set.</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>The text encoding when the file has no byte-order mark; UTF-8 unless set.</summary>
    public Encoding? Encoding { get; init; }

    /// <summary>
    /// How many data rows (after the header) are read to infer each column's type; 10,000 unless set. A later value that
    /// does not parse as the inferred type is an error that names it: declare the column in <see cref="ColumnTypes"/>.
    /// </summary>
    public int InferenceRows { get; init; } = 10_000;

    /// <summary>Column types that are declared rather than inferred, by column name.</summary>
    public IReadOnlyDictionary<string, ColumnType> ColumnTypes { get; init; } = new Dictionary<string, ColumnType>();

    /// <summary>
    /// Field texts read as missing besides the empty field (for example <c>NA</c> or <c>null</c>); none unless set. An
    /// empty field, quoted or not, is always missing.
    /// </summary>
    public IReadOnlyCollection<string> MissingValues { get; init; } = [];
}
