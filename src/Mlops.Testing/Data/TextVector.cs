using System.Buffers;

namespace Mlops.Testing.Data;

/// <summary>
/// A string column kept as the characters of its values, one after another, instead of as string objects: for readers
/// that only count the values (drift), so that a text source does not allocate a string per row. Rows are written in
/// order, from 0; a row's text starts where the previous row's ends.
/// </summary>
internal sealed class TextVector : ColumnVector
{
    private char[] _chars;
    private int[] _ends;
    private bool[] _missing;

    public TextVector(string name, int capacity)
        : base(name)
    {
        _chars = ArrayPool<char>.Shared.Rent(Math.Max(capacity, 1) * 16);
        _ends = ArrayPool<int>.Shared.Rent(Math.Max(capacity, 1));
        _missing = ArrayPool<bool>.Shared.Rent(Math.Max(capacity, 1));
    }

    /// <inheritdoc />
    public override ColumnType Type => ColumnType.String;

    /// <summary>The missing-value mask.</summary>
    public ReadOnlySpan<bool> Missing => _missing.AsSpan(0, Length);

    /// <summary>The text of row <paramref name="index"/> (empty when missing).</summary>
    public ReadOnlySpan<char> this[int index] => _chars.AsSpan(Start(index), _ends[index] - Start(index));

    /// <summary>Sets row <paramref name="index"/>, the row after the last one written (or 0, to start again).</summary>
    public void Set(int index, ReadOnlySpan<char> text)
    {
        var start = Start(index);
        PooledChars.EnsureCapacity(ref _chars, start, start + text.Length);
        text.CopyTo(_chars.AsSpan(start));
        _ends[index] = start + text.Length;
        _missing[index] = false;
    }

    /// <inheritdoc />
    public override bool IsMissing(int index) => _missing[index];

    /// <inheritdoc />
    public override object? GetValue(int index) => _missing[index] ? null : this[index].ToString();

    /// <inheritdoc />
    public override void SetMissing(int index)
    {
        _ends[index] = Start(index);
        _missing[index] = true;
    }

    internal override void Reset(int length)
    {
        if (length > _ends.Length)
        {
            var ends = ArrayPool<int>.Shared.Rent(length);
            var missing = ArrayPool<bool>.Shared.Rent(length);
            _ends.AsSpan(0, Length).CopyTo(ends);
            _missing.AsSpan(0, Length).CopyTo(missing);
            ArrayPool<int>.Shared.Return(_ends);
            ArrayPool<bool>.Shared.Return(_missing);
            _ends = ends;
            _missing = missing;
        }

        Length = length;
    }

    internal override void Release()
    {
        ArrayPool<char>.Shared.Return(_chars);
        ArrayPool<int>.Shared.Return(_ends);
        ArrayPool<bool>.Shared.Return(_missing);
        _chars = [];
        _ends = [];
        _missing = [];
        Length = 0;
    }

    private int Start(int index) => index == 0 ? 0 : _ends[index - 1];
}
