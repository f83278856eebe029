using System.Buffers;

namespace Mlops.Testing.Data;

/// <summary>
/// The values of one column for the rows of a <see cref="ColumnBatch"/>, with a missing-value mask. Batches and their
/// vectors are reused by sources: read them while the batch is current, never keep a reference.
/// </summary>
public abstract class ColumnVector
{
    private protected ColumnVector(string name)
    {
        Name = name;
    }

    /// <summary>The column's name.</summary>
    public string Name { get; }

    /// <summary>The type of the values.</summary>
    public abstract ColumnType Type { get; }

    /// <summary>The number of rows in the vector.</summary>
    public int Length { get; private protected set; }

    /// <summary>Whether the value at <paramref name="index"/> is missing.</summary>
    public abstract bool IsMissing(int index);

    /// <summary>The value at <paramref name="index"/>, boxed (for reports), or <see langword="null"/> when missing.</summary>
    public abstract object? GetValue(int index);

    /// <summary>Marks the value at <paramref name="index"/> as missing.</summary>
    public abstract void SetMissing(int index);

    /// <summary>Sets the number of rows; sources call it before filling a batch.</summary>
    internal abstract void Reset(int length);

    /// <summary>Returns pooled buffers.</summary>
    internal abstract void Release();

    /// <summary>Creates an empty vector of a given type with room for <paramref name="capacity"/> rows.</summary>
    public static ColumnVector Create(string name, ColumnType type, int capacity) => type switch
    {
        ColumnType.Double => new ColumnVector<double>(name, type, capacity),
        ColumnType.Int64 => new ColumnVector<long>(name, type, capacity),
        ColumnType.Boolean => new ColumnVector<bool>(name, type, capacity),
        ColumnType.String => new ColumnVector<string>(name, type, capacity),
        ColumnType.DateTime => new ColumnVector<DateTime>(name, type, capacity),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown column type."),
    };
}

/// <summary>A column vector of values of type <typeparamref name="T"/>; buffers come from the shared array pool.</summary>
/// <typeparam name="T"><see cref="double"/>, <see cref="long"/>, <see cref="bool"/>, <see cref="string"/> or <see cref="DateTime"/>.</typeparam>
public sealed class ColumnVector<T> : ColumnVector
{
    private T[] _values;
    private bool[] _missing;
    private readonly ColumnType _type;

    internal ColumnVector(string name, ColumnType type, int capacity)
        : base(name)
    {
        _type = type;
        _values = ArrayPool<T>.Shared.Rent(Math.Max(capacity, 1));
        _missing = ArrayPool<bool>.Shared.Rent(Math.Max(capacity, 1));
    }

    /// <inheritdoc />
    public override ColumnType Type => _type;

    /// <summary>The values; an entry whose <see cref="Missing"/> flag is set holds no meaningful value.</summary>
    public Span<T> Values => _values.AsSpan(0, Length);

    /// <summary>The missing-value mask.</summary>
    public Span<bool> Missing => _missing.AsSpan(0, Length);

    /// <summary>Sets a present value; a <see cref="double.NaN"/> or <see langword="null"/> value is recorded as missing.</summary>
    public void Set(int index, T value)
    {
        _values[index] = value;
        _missing[index] = value is null || (value is double d && double.IsNaN(d));
    }

    /// <inheritdoc />
    public override bool IsMissing(int index) => _missing[index];

    /// <inheritdoc />
    public override object? GetValue(int index) => _missing[index] ? null : _values[index];

    /// <inheritdoc />
    public override void SetMissing(int index)
    {
        _values[index] = default!;
        _missing[index] = true;
    }

    internal override void Reset(int length)
    {
        if (length > _values.Length)
        {
            ArrayPool<T>.Shared.Return(_values, clearArray: !typeof(T).IsValueType);
            ArrayPool<bool>.Shared.Return(_missing);
            _values = ArrayPool<T>.Shared.Rent(length);
            _missing = ArrayPool<bool>.Shared.Rent(length);
        }

        Length = length;
    }

    internal override void Release()
    {
        ArrayPool<T>.Shared.Return(_values, clearArray: !typeof(T).IsValueType);
        ArrayPool<bool>.Shared.Return(_missing);
        _values = [];
        _missing = [];
        Length = 0;
    }
}
