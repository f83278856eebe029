using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Mlops.Tracking.MLNet;

/// <summary>Writes the first rows of a data view as MLflow's input example: pandas' "split" JSON, <c>{"columns": […], "data": [[…], …]}</c>.</summary>
internal static class InputExample
{
    public static byte[] ToJson(IDataView data, int rows)
    {
        var columns = data.Schema.Where(c => !c.IsHidden).ToList();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("columns");
            foreach (var column in columns)
            {
                json.WriteStringValue(column.Name);
            }

            json.WriteEndArray();
            json.WriteStartArray("data");
            using var cursor = data.GetRowCursor(columns);
            var getters = columns.Select(c => Getter(cursor, c)).ToList();
            for (var row = 0; row < rows && cursor.MoveNext(); row++)
            {
                json.WriteStartArray();
                foreach (var get in getters)
                {
                    Write(json, get());
                }

                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static Func<object?> Getter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var vector = column.Type as VectorDataViewType;
        var raw = (vector?.ItemType ?? column.Type).RawType;
        return raw switch
        {
            _ when raw == typeof(float) => Make<float>(cursor, column, vector),
            _ when raw == typeof(double) => Make<double>(cursor, column, vector),
            _ when raw == typeof(int) => Make<int>(cursor, column, vector),
            _ when raw == typeof(long) => Make<long>(cursor, column, vector),
            _ when raw == typeof(uint) => Make<uint>(cursor, column, vector),
            _ when raw == typeof(short) => Make<short>(cursor, column, vector),
            _ when raw == typeof(ushort) => Make<ushort>(cursor, column, vector),
            _ when raw == typeof(byte) => Make<byte>(cursor, column, vector),
            _ when raw == typeof(sbyte) => Make<sbyte>(cursor, column, vector),
            _ when raw == typeof(ulong) => Make<ulong>(cursor, column, vector),
            _ when raw == typeof(bool) => Make<bool>(cursor, column, vector),
            _ when raw == typeof(ReadOnlyMemory<char>) => Make<ReadOnlyMemory<char>>(cursor, column, vector),
            _ when raw == typeof(DateTime) => Make<DateTime>(cursor, column, vector),
            _ when raw == typeof(DateTimeOffset) => Make<DateTimeOffset>(cursor, column, vector),
            _ when raw == typeof(TimeSpan) => Make<TimeSpan>(cursor, column, vector),
            _ => () => null,
        };
    }

    private static Func<object?> Make<T>(DataViewRowCursor cursor, DataViewSchema.Column column, VectorDataViewType? vector)
    {
        if (vector is null)
        {
            var getter = cursor.GetGetter<T>(column);
            return () =>
            {
                T value = default!;
                getter(ref value);
                return value;
            };
        }

        var vectorGetter = cursor.GetGetter<VBuffer<T>>(column);
        return () =>
        {
            VBuffer<T> value = default;
            vectorGetter(ref value);
            return value.DenseValues().Select(v => (object?)v).ToArray();
        };
    }

    private static void Write(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case object?[] items:
                json.WriteStartArray();
                foreach (var item in items)
                {
                    Write(json, item);
                }

                json.WriteEndArray();
                break;

            // JSON has no NaN or infinities; pandas reads null as NaN.
            case float f when !float.IsFinite(f):
            case double d when !double.IsFinite(d):
                json.WriteNullValue();
                break;
            case float f:
                json.WriteNumberValue(f);
                break;
            case double d:
                json.WriteNumberValue(d);
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case ReadOnlyMemory<char> text:
                json.WriteStringValue(text.Span);
                break;
            case DateTime time:
                json.WriteStringValue(time);
                break;
            case DateTimeOffset time:
                json.WriteStringValue(time);
                break;
            case TimeSpan span:
                json.WriteStringValue(span.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
                break;
            case IConvertible number:
                json.WriteNumberValue(Convert.ToDecimal(number, System.Globalization.CultureInfo.InvariantCulture));
                break;
            default:
                json.WriteStringValue(value.ToString());
                break;
        }
    }
}
