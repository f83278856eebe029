using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Mlops.Testing.Data;

/// <summary>
/// Reads an <see cref="IEnumerable{T}"/> of records or plain objects: each public readable instance property is a column.
/// Property getters are compiled once per type (no reflection per row). Numbers become <see cref="ColumnType.Double"/>
/// (float, double, decimal) or <see cref="ColumnType.Int64"/> (integers); enums, chars and strings become strings;
/// <see cref="DateTimeOffset"/> (as UTC) and <see cref="DateOnly"/> become <see cref="ColumnType.DateTime"/>. A
/// <see langword="null"/> or NaN is missing.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
internal sealed class EnumerableDataSource<T> : DataSource
{
    private readonly IEnumerable<T> _rows;

    public EnumerableDataSource(IEnumerable<T> rows, string? name)
    {
        ArgumentNullException.ThrowIfNull(rows);
        _rows = rows;
        Name = name ?? typeof(T).Name;
    }

    public override string Name { get; }

    public override ValueTask<DataSchema> GetSchemaAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Accessors.Schema);

    public override ValueTask<long?> GetRowCountAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_rows.TryGetNonEnumeratedCount(out var count) ? (long?)count : null);

    public override async IAsyncEnumerable<ColumnBatch> ReadAsync(IReadOnlyList<string> columns, int batchSize = DefaultBatchSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var fillers = columns.Select(name => Accessors.Fillers.TryGetValue(name, out var f)
            ? f
            : throw new DataTestingException($"The type {typeof(T).Name} has no readable property '{name}'.")).ToArray();
        using var batch = new ColumnBatch(columns.Select(c => { Accessors.Schema.TryGetColumn(c, out var col); return col; }), batchSize);
        var buffer = new T[batchSize];
        long start = 0;
        var count = 0;
        foreach (var row in _rows)
        {
            buffer[count++] = row;
            if (count == batchSize)
            {
                Fill(batch, fillers, buffer, start, count);
                yield return batch;
                cancellationToken.ThrowIfCancellationRequested();
                start += count;
                count = 0;
            }
        }

        if (count > 0)
        {
            Fill(batch, fillers, buffer, start, count);
            yield return batch;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private static void Fill(ColumnBatch batch, Action<T, ColumnVector, int>[] fillers, T[] rows, long start, int count)
    {
        batch.Reset(start, count);
        for (var c = 0; c < fillers.Length; c++)
        {
            var fill = fillers[c];
            var vector = batch.Columns[c];
            for (var i = 0; i < count; i++)
            {
                fill(rows[i], vector, i);
            }
        }
    }

    private static class Accessors
    {
        public static readonly DataSchema Schema;
        public static readonly Dictionary<string, Action<T, ColumnVector, int>> Fillers = new(StringComparer.Ordinal);

        static Accessors()
        {
            var columns = new List<DataColumn>();
            foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (!property.CanRead || property.GetIndexParameters().Length > 0)
                {
                    continue;
                }

                var filler = CreateFiller(property, out var type);
                if (filler is null)
                {
                    continue;
                }

                columns.Add(new DataColumn(property.Name, type));
                Fillers[property.Name] = filler;
            }

            Schema = new DataSchema(columns);
        }

        private static Action<T, ColumnVector, int>? CreateFiller(PropertyInfo property, out ColumnType type)
        {
            var propertyType = property.PropertyType;
            var underlying = Nullable.GetUnderlyingType(propertyType) ?? propertyType;
            type = default;
            var row = Expression.Parameter(typeof(T), "row");
            Expression value = Expression.Property(row, property);
            if (underlying == typeof(double) || underlying == typeof(float) || underlying == typeof(decimal))
            {
                type = ColumnType.Double;
                return Compile<double>(row, value, propertyType, v => Expression.Convert(v, typeof(double)));
            }

            if (underlying == typeof(long) || underlying == typeof(int) || underlying == typeof(short) || underlying == typeof(sbyte)
                || underlying == typeof(byte) || underlying == typeof(ushort) || underlying == typeof(uint))
            {
                type = ColumnType.Int64;
                return Compile<long>(row, value, propertyType, v => Expression.Convert(v, typeof(long)));
            }

            if (underlying == typeof(bool))
            {
                type = ColumnType.Boolean;
                return Compile<bool>(row, value, propertyType, v => v);
            }

            if (underlying == typeof(DateTime))
            {
                type = ColumnType.DateTime;
                return Compile<DateTime>(row, value, propertyType, v => v);
            }

            if (underlying == typeof(DateTimeOffset))
            {
                type = ColumnType.DateTime;
                return Compile<DateTime>(row, value, propertyType, v => Expression.Property(v, nameof(DateTimeOffset.UtcDateTime)));
            }

            if (underlying == typeof(DateOnly))
            {
                type = ColumnType.DateTime;
                return Compile<DateTime>(row, value, propertyType, v => Expression.Call(v, typeof(DateOnly).GetMethod(nameof(DateOnly.ToDateTime), [typeof(TimeOnly)])!, Expression.Constant(TimeOnly.MinValue)));
            }

            if (underlying == typeof(string) || underlying == typeof(char) || underlying.IsEnum || underlying == typeof(Guid))
            {
                type = ColumnType.String;
                return Compile<string>(row, value, propertyType, v => underlying == typeof(string)
                    ? v
                    : Expression.Call(v, underlying.GetMethod(nameof(ToString), Type.EmptyTypes)!));
            }

            return null;
        }

        // Builds (row, vector, i) => { var v = row.P; if (v == null) vector.SetMissing(i); else vector.Set(i, convert(v)); }
        private static Action<T, ColumnVector, int> Compile<TValue>(ParameterExpression row, Expression value, Type propertyType, Func<Expression, Expression> convert)
        {
            var vector = Expression.Parameter(typeof(ColumnVector), "vector");
            var index = Expression.Parameter(typeof(int), "i");
            var local = Expression.Variable(propertyType, "v");
            var typed = Expression.Convert(vector, typeof(ColumnVector<TValue>));
            var set = typeof(ColumnVector<TValue>).GetMethod(nameof(ColumnVector<TValue>.Set))!;
            var setMissing = typeof(ColumnVector).GetMethod(nameof(ColumnVector.SetMissing))!;
            var canBeNull = !propertyType.IsValueType || Nullable.GetUnderlyingType(propertyType) is not null;
            Expression nonNull = Nullable.GetUnderlyingType(propertyType) is not null ? Expression.Property(local, "Value") : local;
            Expression body = Expression.Call(typed, set, index, convert(nonNull));
            if (canBeNull)
            {
                body = Expression.IfThenElse(
                    Expression.Equal(local, Expression.Constant(null, propertyType)),
                    Expression.Call(vector, setMissing, index),
                    body);
            }

            var block = Expression.Block([local], Expression.Assign(local, value), body);
            return Expression.Lambda<Action<T, ColumnVector, int>>(block, row, vector, index).Compile();
        }
    }
}
