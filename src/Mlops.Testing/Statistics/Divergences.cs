using System.Runtime.CompilerServices;

namespace Mlops.Testing.Statistics;

/// <summary>A test statistic and its p-value.</summary>
internal readonly record struct TestResult(double Statistic, double PValue);

/// <summary>
/// Goodness-of-fit statistics and distances between distributions, each defined as scipy 1.10 defines it (and, for
/// PSI and the proportions Z-test, as Evidently does).
/// </summary>
internal static class Divergences
{
    /// <summary>
    /// Pearson's chi-square test of observed against expected frequencies (<c>scipy.stats.chisquare(f_obs, f_exp)</c>):
    /// Σ (o − e)²/e with k − 1 degrees of freedom; the p-value is the chi-square survival function Q((k−1)/2, χ²/2).
    /// With one category the p-value is NaN, as scipy's.
    /// </summary>
    public static TestResult ChiSquare(ReadOnlySpan<double> observed, ReadOnlySpan<double> expected)
    {
        if (observed.Length != expected.Length)
        {
            throw new ArgumentException("The observed and expected frequencies need the same length.");
        }

        var statistic = 0.0;
        for (var i = 0; i < observed.Length; i++)
        {
            var difference = observed[i] - expected[i];
            statistic += difference * difference / expected[i];
        }

        return new TestResult(statistic, ChiSquareSf(statistic, observed.Length - 1));
    }

    /// <summary>
    /// Whether the observed and expected totals agree to scipy's relative tolerance of 1e-8 (scipy's chisquare refuses
    /// frequencies that do not).
    /// </summary>
    public static bool TotalsAgree(ReadOnlySpan<double> observed, ReadOnlySpan<double> expected, out double relativeDifference)
    {
        double o = 0, e = 0;
        foreach (var x in observed)
        {
            o += x;
        }

        foreach (var x in expected)
        {
            e += x;
        }

        relativeDifference = Math.Abs(o - e) / Math.Min(o, e);
        return !(relativeDifference > 1e-8);
    }

    /// <summary>The chi-square survival function (scipy's <c>chi2.sf(x, df)</c>): 1 for x &lt; 0, NaN for df ≤ 0.</summary>
    public static double ChiSquareSf(double x, double degreesOfFreedom)
    {
        if (double.IsNaN(x) || !(degreesOfFreedom > 0))
        {
            return double.NaN;
        }

        return x < 0 ? 1.0 : SpecialFunctions.GammaQ(degreesOfFreedom / 2, x / 2);
    }

    /// <summary>scipy's <c>rel_entr(x, y)</c>: x·log(x/y), 0 when x = 0 and y ≥ 0, +∞ otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double RelativeEntropy(double x, double y)
    {
        if (double.IsNaN(x) || double.IsNaN(y))
        {
            return double.NaN;
        }

        if (x > 0 && y > 0)
        {
            return x * Math.Log(x / y);
        }

        return x == 0 && y >= 0 ? 0.0 : double.PositiveInfinity;
    }

    private static double Sum(ReadOnlySpan<double> values)
    {
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += v;
        }

        return sum;
    }

    /// <summary>
    /// The Kullback–Leibler divergence D(p‖q) in nats (<c>scipy.stats.entropy(pk, qk)</c>): both are normalised to sum to
    /// one first; +∞ when p has weight where q has none.
    /// </summary>
    public static double KullbackLeibler(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        var sp = Sum(p);
        var sq = Sum(q);
        var total = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            total += RelativeEntropy(p[i] / sp, q[i] / sq);
        }

        return total;
    }

    /// <summary>
    /// The Jensen–Shannon distance (<c>scipy.spatial.distance.jensenshannon(p, q, base)</c>): the square root of the
    /// Jensen–Shannon divergence of the normalised vectors, in the given logarithm base (e when null).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double JensenShannon(ReadOnlySpan<double> p, ReadOnlySpan<double> q, double? logBase = null)
    {
        var sp = Sum(p);
        var sq = Sum(q);
        double left = 0, right = 0;
        for (var i = 0; i < p.Length; i++)
        {
            var pi = p[i] / sp;
            var qi = q[i] / sq;
            var m = (pi + qi) / 2.0;
            left += RelativeEntropy(pi, m);
            right += RelativeEntropy(qi, m);
        }

        var js = left + right;
        if (logBase is { } b)
        {
            js /= Math.Log(b);
        }

        return Math.Sqrt(js / 2.0);
    }

    /// <summary>
    /// The first Wasserstein distance between two samples given sorted (<c>scipy.stats.wasserstein_distance(u, v)</c>):
    /// the area between their distribution functions, ∫|U(x) − V(x)| dx.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Wasserstein(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        if (u.Length == 0 || v.Length == 0)
        {
            return double.NaN;
        }

        // Walk the merged values; between consecutive values x_k < x_{k+1} the CDFs are constant.
        double total = 0;
        int i = 0, j = 0;
        double nu = u.Length, nv = v.Length;
        var current = Math.Min(u[0], v[0]);
        while (i < u.Length || j < v.Length)
        {
            while (i < u.Length && u[i] <= current)
            {
                i++;
            }

            while (j < v.Length && v[j] <= current)
            {
                j++;
            }

            if (i == u.Length && j == v.Length)
            {
                break;
            }

            var next = j >= v.Length || (i < u.Length && u[i] <= v[j]) ? u[i] : v[j];
            total += Math.Abs((i / nu) - (j / nv)) * (next - current);
            current = next;
        }

        return total;
    }

    /// <summary>
    /// The population stability index Σ (r − c)·ln(r/c) over bins of proportions (Evidently's <c>psi</c>; the caller
    /// replaces empty bins first).
    /// </summary>
    public static double PopulationStabilityIndex(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        var psi = 0.0;
        for (var i = 0; i < reference.Length; i++)
        {
            psi += (reference[i] - current[i]) * Math.Log(reference[i] / current[i]);
        }

        return psi;
    }

    /// <summary>
    /// The two-sided Z-test for the difference of two proportions with a pooled variance (Evidently's
    /// <c>proportions_diff_z_test</c>): z = (p₁ − p₂)/√(P(1−P)(1/n₁ + 1/n₂)), p = 2(1 − Φ(|z|)).
    /// </summary>
    public static TestResult ProportionsZTest(long successes1, long n1, long successes2, long n2)
    {
        var p1 = (double)successes1 / n1;
        var p2 = (double)successes2 / n2;
        var pooled = ((p1 * n1) + (p2 * n2)) / (n1 + n2);
        var z = (p1 - p2) / Math.Sqrt(pooled * (1 - pooled) * ((1.0 / n1) + (1.0 / n2)));
        return new TestResult(z, double.IsNaN(z) ? double.NaN : 2 * SpecialFunctions.NormalSf(Math.Abs(z)));
    }

    /// <summary>
    /// numpy's <c>histogram_bin_edges(values, bins='sturges')</c> for a sample with the given minimum, maximum and size:
    /// ⌈range/width⌉ equal bins with width = range/(log₂ n + 1), edges from <c>linspace</c>.
    /// </summary>
    public static double[] SturgesEdges(double min, double max, long size)
    {
        double first = min, last = max;
        if (first == last)
        {
            first -= 0.5;
            last += 0.5;
        }

        var width = (max - min) / (Math.Log2(size) + 1.0);
        var bins = width != 0 ? (int)Math.Ceiling((last - first) / width) : 1;
        return Linspace(first, last, bins + 1);
    }

    /// <summary>numpy's <c>linspace(start, stop, count)</c> (the last edge is exactly <paramref name="stop"/>).</summary>
    public static double[] Linspace(double start, double stop, int count)
    {
        var result = new double[count];
        if (count == 1)
        {
            result[0] = start;
            return result;
        }

        var div = count - 1;
        var delta = stop - start;
        var step = delta / div;
        for (var i = 0; i < count; i++)
        {
            result[i] = step == 0 ? (i / (double)div * delta) + start : (i * step) + start;
        }

        result[^1] = stop;
        return result;
    }

    /// <summary>
    /// numpy's <c>histogram(sorted, edges)</c> counts: bin i holds edges[i] ≤ x &lt; edges[i+1], the last bin also
    /// x = edges[^1]; values outside the edges are not counted.
    /// </summary>
    public static long[] Histogram(ReadOnlySpan<double> sorted, ReadOnlySpan<double> edges)
    {
        var cumulative = new long[edges.Length];
        for (var i = 0; i < edges.Length - 1; i++)
        {
            cumulative[i] = LowerBound(sorted, edges[i]);
        }

        cumulative[^1] = UpperBound(sorted, edges[^1]);
        var counts = new long[edges.Length - 1];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = cumulative[i + 1] - cumulative[i];
        }

        return counts;
    }

    /// <summary>The number of values &lt; <paramref name="value"/> (searchsorted side='left').</summary>
    public static int LowerBound(ReadOnlySpan<double> sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The number of values ≤ <paramref name="value"/> (searchsorted side='right').</summary>
    public static int UpperBound(ReadOnlySpan<double> sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
