using System.Buffers;
using System.Runtime.CompilerServices;

namespace Mlops.Testing.Statistics;

/// <summary>
/// Sorts doubles ascending with a least-significant-digit radix sort over their IEEE bits (8 passes of one byte,
/// skipping the bytes every value shares): several times faster than a comparison sort on the million-value columns
/// that quantiles, KS and Wasserstein need. NaN is not expected (missing values are left out before); −0 sorts before
/// +0.
/// </summary>
internal static class Sorting
{
    private const int RadixThreshold = 2048;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sort(Span<double> values)
    {
        if (values.Length < RadixThreshold)
        {
            values.Sort();
            return;
        }

        var n = values.Length;
        var keysArray = ArrayPool<ulong>.Shared.Rent(n);
        var scratchArray = ArrayPool<ulong>.Shared.Rent(n);
        try
        {
            var keys = keysArray.AsSpan(0, n);
            var scratch = scratchArray.AsSpan(0, n);

            // Order-preserving map: flip every bit of negatives, only the sign bit of positives.
            for (var i = 0; i < n; i++)
            {
                var bits = (ulong)BitConverter.DoubleToInt64Bits(values[i]);
                keys[i] = (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
            }

            Span<int> counts = stackalloc int[256 * 8];
            counts.Clear();
            for (var i = 0; i < n; i++)
            {
                var k = keys[i];
                for (var b = 0; b < 8; b++)
                {
                    counts[(b * 256) + (int)((k >> (b * 8)) & 0xFF)]++;
                }
            }

            for (var b = 0; b < 8; b++)
            {
                var pass = counts.Slice(b * 256, 256);
                if (pass.Contains(n))
                {
                    continue; // every key has the same byte here
                }

                var offset = 0;
                for (var d = 0; d < 256; d++)
                {
                    var c = pass[d];
                    pass[d] = offset;
                    offset += c;
                }

                var shift = b * 8;
                for (var i = 0; i < n; i++)
                {
                    var k = keys[i];
                    scratch[pass[(int)((k >> shift) & 0xFF)]++] = k;
                }

                var swap = keys;
                keys = scratch;
                scratch = swap;
            }

            for (var i = 0; i < n; i++)
            {
                var k = keys[i];
                var bits = (k & 0x8000_0000_0000_0000UL) != 0 ? k & 0x7FFF_FFFF_FFFF_FFFFUL : ~k;
                values[i] = BitConverter.Int64BitsToDouble((long)bits);
            }
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(keysArray);
            ArrayPool<ulong>.Shared.Return(scratchArray);
        }
    }
}
