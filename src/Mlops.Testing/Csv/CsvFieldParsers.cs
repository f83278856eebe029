using System.Globalization;
using System.Runtime.CompilerServices;

namespace Mlops.Testing.Data;

/// <summary>
/// Writes a CSV field's text into a column vector as the column's type. Each number, date or string is parsed as the
/// invariant culture parses it (<see cref="TextValues"/>); plain decimals and ISO dates take a fast path that gives the
/// same values.
/// </summary>
internal abstract class CsvFieldParser
{
    public static CsvFieldParser For(ColumnVector vector) => vector is TextVector ? new TextParser() : vector.Type switch
    {
        ColumnType.Double => new DoubleParser(),
        ColumnType.Int64 => new Int64Parser(),
        ColumnType.Boolean => new BooleanParser(),
        ColumnType.DateTime => new DateTimeParser(),
        _ => new StringParser(),
    };

    /// <summary>Parses <paramref name="text"/> into row <paramref name="index"/>; false when it is not of the type.</summary>
    public abstract bool TryWrite(ColumnVector vector, int index, ReadOnlySpan<char> text);

    // Stores a value through the vector's spans (inlined here, unlike a call per value).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write<T>(ColumnVector<T> vector, int index, T value, bool missing)
    {
        vector.Values[index] = value;
        vector.Missing[index] = missing;
    }

    private sealed class DoubleParser : CsvFieldParser
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public override bool TryWrite(ColumnVector vector, int index, ReadOnlySpan<char> text)
        {
            if (!TryParseDecimal(text, out var value) && !TextValues.TryParseDouble(text, out value))
            {
                return false;
            }

            Write(Unsafe.As<ColumnVector<double>>(vector), index, value, double.IsNaN(value));
            return true;
        }
    }

    private sealed class Int64Parser : CsvFieldParser
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public override bool TryWrite(ColumnVector vector, int index, ReadOnlySpan<char> text)
        {
            if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            Write(Unsafe.As<ColumnVector<long>>(vector), index, value, false);
            return true;
        }
    }

    private sealed class BooleanParser : CsvFieldParser
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public override bool TryWrite(ColumnVector vector, int index, ReadOnlySpan<char> text)
        {
            if (!TextValues.TryParseBoolean(text, out var value))
            {
                return false;
            }

            Write(Unsafe.As<ColumnVector<bool>>(vector), index, value, false);
            return true;
        }
    }

    private sealed class DateTimeParser : CsvFieldParser
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public override bool TryWrite(ColumnVector vector, int index, ReadOnlySpan<char> text)
        {
            if (!TryParseIsoDate(text, out var value) && !TextValues.TryParseDateTime(text, out value))
            {
                return false;
            }

            Write(Unsafe.As<ColumnVector<DateTime>>(vector), index, value, false);
            return true;
        }
    }

    /// <summary>Strings as characters only (see <see cref="TextVector"/>).</summary>
    private sealed class TextParser : CsvFieldParser
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override bool TryWrite(ColumnVector vector, int index, ReadOnlySpan<char> text)
        {
            Unsafe.As<TextVector>(vector).Set(index, text);
            return true;
        }
    }

    /// <summary>
    /// Strings, with a per-column pool of the values seen so that a column of few distinct values (categories, codes)
    /// allocates each once. The pool holds at most <see cref="PoolLimit"/> strings and is dropped when, after
    /// <see cref="TrialValues"/> values, fewer than half were found in it (identifiers, free text).
    /// </summary>
    private sealed class StringParser : CsvFieldParser
    {
        private const int PoolLimit = 4096;
        private const int TrialValues = 8192;
        private Dictionary<string, string>? _pool = new(StringComparer.Ordinal);
        private int _seen;
        private int _hits;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public override bool TryWrite(ColumnVector vector, int index, ReadOnlySpan<char> text)
        {
            Write(Unsafe.As<ColumnVector<string>>(vector), index, Intern(text), false);
            return true;
        }

        private string Intern(ReadOnlySpan<char> text)
        {
            if (_pool is null || text.Length > 64)
            {
                return text.ToString();
            }

            var lookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(text, out var pooled))
            {
                _hits++;
                return pooled;
            }

            var value = text.ToString();
            if (_pool.Count < PoolLimit)
            {
                _pool[value] = value;
            }

            if (++_seen >= TrialValues && _hits < _seen / 2)
            {
                _pool = null;
            }

            return value;
        }
    }

    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>
    /// A plain decimal (<c>-12.345</c>) of at most 15 significant digits and 22 decimals: the integer of its digits
    /// divided by a power of ten, both exact in a double, so the division is correctly rounded and equals
    /// <see cref="double.Parse(string)"/>. False (without a value) for anything else, which then takes the full parser.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryParseDecimal(ReadOnlySpan<char> text, out double value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (text.Length > 0 && (text[0] == '-' || text[0] == '+'))
        {
            negative = text[0] == '-';
            i = 1;
        }

        ulong mantissa = 0;
        var significant = 0;
        var decimals = 0;
        var digits = 0;
        var dot = false;
        for (; i < text.Length; i++)
        {
            var d = (uint)(text[i] - '0');
            if (d <= 9)
            {
                digits++;
                if (dot)
                {
                    decimals++;
                }

                if (mantissa != 0 || d != 0)
                {
                    mantissa = (mantissa * 10) + d;
                    significant++;
                }
            }
            else if (text[i] == '.' && !dot)
            {
                dot = true;
            }
            else
            {
                return false;
            }
        }

        if (digits == 0 || significant > 15 || decimals > 22)
        {
            return false;
        }

        value = decimals == 0 ? mantissa : mantissa / PowersOfTen[decimals];
        if (negative)
        {
            value = -value;
        }

        return true;
    }

    /// <summary>An ISO date <c>yyyy-MM-dd</c> (and nothing more), as <see cref="TextValues.TryParseDateTime"/> reads it.</summary>
    internal static bool TryParseIsoDate(ReadOnlySpan<char> text, out DateTime value)
    {
        value = default;
        if (text.Length != 10 || text[4] != '-' || text[7] != '-')
        {
            return false;
        }

        static int Digits(ReadOnlySpan<char> s)
        {
            var n = 0;
            foreach (var c in s)
            {
                var d = (uint)(c - '0');
                if (d > 9)
                {
                    return -1;
                }

                n = (n * 10) + (int)d;
            }

            return n;
        }

        var year = Digits(text[..4]);
        var month = Digits(text[5..7]);
        var day = Digits(text[8..10]);
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(year, 1), month))
        {
            return false;
        }

        value = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified);
        return true;
    }
}
