namespace Mlops.Core.Hashing;

/// <summary>
/// Orders strings by Unicode code point, as Python does. <see cref="string.CompareOrdinal(string, string)"/>
/// compares UTF-16 units instead, which puts characters outside the BMP (surrogates, 0xD800–0xDFFF)
/// before 0xE000–0xFFFF.
/// </summary>
public sealed class CodePointComparer : IComparer<string>
{
    /// <summary>The one instance.</summary>
    public static CodePointComparer Instance { get; } = new();

    private CodePointComparer()
    {
    }

    /// <inheritdoc />
    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            var a = x[i];
            var b = y[i];
            if (a != b)
            {
                return Weight(a) - Weight(b);
            }
        }

        return x.Length - y.Length;
    }

    // At the first differing unit, a surrogate stands for a code point above every BMP character.
    private static int Weight(char c) => char.IsSurrogate(c) ? c + 0x2800 : c;
}
