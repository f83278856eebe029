using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Mlops.Tracking.MLNet;

/// <summary>
/// One column of a model's signature, in MLflow's column-spec vocabulary: <see cref="Type"/> is <c>float</c>,
/// <c>double</c>, <c>integer</c>, <c>long</c>, <c>boolean</c>, <c>string</c>, <c>datetime</c>, <c>duration</c>, or
/// <c>array</c> for an ML.NET vector, whose element type is <see cref="ItemType"/> and length <see cref="Size"/> when fixed.
/// </summary>
/// <param name="Name">The column's name.</param>
/// <param name="Type">The column's type.</param>
/// <param name="ItemType">The element type of an <c>array</c> column; null otherwise.</param>
/// <param name="Size">The fixed length of an <c>array</c> column; null when it varies or for other columns.</param>
public sealed record ColumnSpec(string Name, string Type, string? ItemType = null, int? Size = null)
{
    /// <inheritdoc />
    public override string ToString() => ItemType is null ? $"{Name}: {Type}" : $"{Name}: {ItemType}[{Size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ""}]";
}

/// <summary>
/// What a model takes and gives: its input columns and the columns it adds or changes. Written into the model's
/// <c>MLmodel</c> file as MLflow writes signatures (a JSON list of column specs for <c>inputs</c> and <c>outputs</c>).
/// </summary>
/// <param name="Inputs">The columns the model reads.</param>
/// <param name="Outputs">The columns the model writes (new ones, or input columns whose type it changes).</param>
public sealed record ModelSignature(IReadOnlyList<ColumnSpec> Inputs, IReadOnlyList<ColumnSpec> Outputs)
{
    /// <summary>The signature of <paramref name="model"/> applied to data with <paramref name="inputSchema"/>.</summary>
    /// <exception cref="TrackingException">The model cannot take that schema (a column is missing or of another type).</exception>
    public static ModelSignature Infer(ITransformer model, DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        DataViewSchema output;
        try
        {
            output = model.GetOutputSchema(inputSchema);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new TrackingException(TrackingErrorCode.InvalidArgument, $"The model cannot take the given input columns: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new TrackingException(TrackingErrorCode.InvalidArgument, $"The model cannot take the given input columns: {ex.Message}", ex);
        }

        var inputs = Visible(inputSchema).ToList();
        var inputTypes = inputs.ToDictionary(c => c.Name, c => c.Type, StringComparer.Ordinal);
        var outputs = Visible(output).Where(c => !inputTypes.TryGetValue(c.Name, out var type) || !type.Equals(c.Type));
        return new ModelSignature([.. inputs.Select(Spec)], [.. outputs.Select(Spec)]);
    }

    /// <summary>Writes a list of column specs as MLflow's signature JSON: <c>[{"name": "x", "type": "float"}, …]</c>.</summary>
    public static string ToJson(IReadOnlyList<ColumnSpec> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var array = new JsonArray();
        foreach (var column in columns)
        {
            var node = new JsonObject { ["name"] = column.Name, ["type"] = column.Type };
            if (column.ItemType is not null)
            {
                node["items"] = new JsonObject { ["type"] = column.ItemType };
            }

            if (column.Size is { } size)
            {
                node["size"] = size;
            }

            array.Add(node);
        }

        return array.ToJsonString();
    }

    /// <summary>Reads a list of column specs written by <see cref="ToJson"/> (or by MLflow for column-based signatures).</summary>
    /// <exception cref="TrackingException">The JSON is not a list of column specs.</exception>
    public static IReadOnlyList<ColumnSpec> ParseColumns(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var columns = new List<ColumnSpec>();
            foreach (var node in JsonNode.Parse(json)?.AsArray() ?? [])
            {
                var name = node?["name"]?.GetValue<string>() ?? throw new FormatException("a column has no name");
                var type = node["type"]?.GetValue<string>() ?? throw new FormatException($"the column '{name}' has no type");
                columns.Add(new ColumnSpec(name, type, node["items"]?["type"]?.GetValue<string>(), node["size"]?.GetValue<int>()));
            }

            return columns;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw new TrackingException(TrackingErrorCode.InvalidArgument, $"A model signature is not a JSON list of column specs ({ex.Message}): {json}", ex);
        }
    }

    private static IEnumerable<DataViewSchema.Column> Visible(DataViewSchema schema) => schema.Where(c => !c.IsHidden);

    private static ColumnSpec Spec(DataViewSchema.Column column) => column.Type switch
    {
        VectorDataViewType vector => new ColumnSpec(column.Name, "array", TypeName(vector.ItemType), vector.IsKnownSize ? vector.Size : null),
        var type => new ColumnSpec(column.Name, TypeName(type)),
    };

    internal static string TypeName(DataViewType type) => type switch
    {
        KeyDataViewType => "long",
        _ when type.RawType == typeof(float) => "float",
        _ when type.RawType == typeof(double) => "double",
        _ when type.RawType == typeof(sbyte) || type.RawType == typeof(byte) || type.RawType == typeof(short) || type.RawType == typeof(ushort) || type.RawType == typeof(int) => "integer",
        _ when type.RawType == typeof(uint) || type.RawType == typeof(long) || type.RawType == typeof(ulong) => "long",
        _ when type.RawType == typeof(bool) => "boolean",
        _ when type.RawType == typeof(ReadOnlyMemory<char>) => "string",
        _ when type.RawType == typeof(DateTime) || type.RawType == typeof(DateTimeOffset) => "datetime",
        _ when type.RawType == typeof(TimeSpan) => "duration",
        _ => type.RawType.Name,
    };
}
