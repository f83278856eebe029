using Mlops.Testing.Statistics;

namespace Mlops.Testing.Tests.Statistics;

/// <summary>The radix and counting sorts against a comparison sort in IEEE total order (−0 before +0), bit for bit.</summary>
public sealed class SortingTests
{
    private static ulong Key(double value)
    {
        var bits = BitConverter.DoubleToUInt64Bits(value);
        return (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
    }

    private static void AssertSorts(double[] values)
    {
        var expected = values.OrderBy(Key).Select(BitConverter.DoubleToUInt64Bits).ToArray();
        Sorting.Sort(values);
        Assert.Equal(expected, values.Select(BitConverter.DoubleToUInt64Bits));
    }

    public static TheoryData<string, int> Cases => new()
    {
        { "random", 0 }, { "random", 1 }, { "random", 2047 }, { "random", 2048 }, { "random", 100_000 },
        { "decimals", 50_000 }, { "small integers", 50_000 }, { "identifiers", 50_000 }, { "wide integers", 50_000 },
        { "range just fits", 4096 }, { "range one too wide", 4096 }, { "integers with negative zero", 50_000 },
        { "zeros of both signs", 10_000 }, { "all equal", 10_000 }, { "infinities and extremes", 10_000 }, { "huge integers", 10_000 },
        { "subnormals", 10_000 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sorts_as_a_comparison_sort_in_total_order(string kind, int n)
    {
        var random = new Random(n + kind.Length);
        double[] special = [0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, double.MinValue, double.Epsilon, -double.Epsilon, 1e-300, -1e300];
        var values = Enumerable.Range(0, n).Select(i => kind switch
        {
            "random" => BitConverter.Int64BitsToDouble(random.NextInt64()) is var d && double.IsNaN(d) ? 1.5 : d,
            "decimals" => Math.Round((random.NextDouble() - 0.3) * 1000, 2),
            "small integers" => (double)random.Next(-60, 61),
            "identifiers" => (double)random.Next(1, n + 1),
            "wide integers" => (double)random.Next(0, 10 * n),
            "range just fits" => i == 0 ? 0 : i == 1 ? n - 1 : random.Next(0, n),
            "range one too wide" => i == 0 ? 0 : i == 1 ? n : random.Next(0, n),
            "integers with negative zero" => i == n / 2 ? -0.0 : random.Next(-3, 4),
            "zeros of both signs" => random.Next(2) == 0 ? 0.0 : -0.0,
            "all equal" => 42.0,
            "infinities and extremes" => special[random.Next(special.Length)],
            "huge integers" => 9007199254740992.0 + (2 * random.Next(0, 100)),
            _ => BitConverter.Int64BitsToDouble(random.NextInt64(1, 1L << 52)) * (random.Next(2) == 0 ? 1 : -1),
        }).ToArray();
        AssertSorts(values);
    }
}
