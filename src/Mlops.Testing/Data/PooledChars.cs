using System.Buffers;

namespace Mlops.Testing.Data;

/// <summary>Growth of a pooled character buffer that keeps what it holds.</summary>
internal static class PooledChars
{
    /// <summary>
    /// Makes <paramref name="buffer"/> hold at least <paramref name="needed"/> characters, keeping its first
    /// <paramref name="used"/>: at least doubled, the old buffer returned to the pool.
    /// </summary>
    public static void EnsureCapacity(ref char[] buffer, int used, int needed)
    {
        if (needed <= buffer.Length)
        {
            return;
        }

        var larger = ArrayPool<char>.Shared.Rent(Math.Max(buffer.Length * 2, needed));
        buffer.AsSpan(0, used).CopyTo(larger);
        ArrayPool<char>.Shared.Return(buffer);
        buffer = larger;
    }
}
