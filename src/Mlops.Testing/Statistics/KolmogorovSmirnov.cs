namespace Mlops.Testing.Statistics;

/// <summary>How a Kolmogorov–Smirnov p-value was computed.</summary>
internal enum KsMethod
{
    /// <summary>The exact distribution of the statistic.</summary>
    Exact,

    /// <summary>The asymptotic distribution (two samples with more than 10,000 values, or when exact failed).</summary>
    Asymptotic,
}

/// <summary>A Kolmogorov–Smirnov result.</summary>
/// <param name="Statistic">D, the largest distance between the two distribution functions.</param>
/// <param name="PValue">The two-sided p-value.</param>
/// <param name="Method">How the p-value was computed.</param>
internal readonly record struct KsResult(double Statistic, double PValue, KsMethod Method);

/// <summary>
/// Two-sided Kolmogorov–Smirnov tests computed as scipy 1.10 computes them with its defaults
/// (<c>method='auto'</c>):
/// <list type="bullet">
/// <item><c>kstest</c>/<c>ks_1samp</c> always use the exact distribution of D_n (<c>kstwo.sf(D, n)</c>, see
/// <see cref="KolmogorovDistribution"/>).</item>
/// <item><c>ks_2samp</c> is exact when both samples have at most 10,000 values (Hodges' lattice-path counts: the
/// closed form for equal sizes, Viehmann's 1 − p recursion otherwise; the statistic is then rounded to a multiple of
/// 1/lcm(n₁, n₂)); otherwise, or when the exact computation overflows, <c>kstwo.sf(D, round(n₁n₂/(n₁+n₂)))</c>.</item>
/// </list>
/// </summary>
internal static class KolmogorovSmirnov
{
    /// <summary>The largest sample size for which <c>ks_2samp</c>'s 'auto' method is exact.</summary>
    public const int MaxExactTwoSample = 10_000;

    /// <summary>The one-sample test of <paramref name="sorted"/> values against a continuous <paramref name="cdf"/>.</summary>
    public static KsResult OneSample(ReadOnlySpan<double> sorted, Func<double, double> cdf)
    {
        var n = sorted.Length;
        if (n == 0)
        {
            return new KsResult(double.NaN, double.NaN, KsMethod.Exact);
        }

        var dPlus = double.NegativeInfinity;
        var dMinus = double.NegativeInfinity;
        for (var i = 0; i < n; i++)
        {
            var f = cdf(sorted[i]);
            dPlus = Math.Max(dPlus, ((i + 1.0) / n) - f);
            dMinus = Math.Max(dMinus, f - (i / (double)n));
        }

        var d = dPlus > dMinus ? dPlus : dMinus;
        return new KsResult(d, Math.Clamp(KolmogorovDistribution.Sf(d, n), 0, 1), KsMethod.Exact);
    }

    /// <summary>The two-sample test of two sorted samples (neither empty).</summary>
    public static KsResult TwoSample(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        long n1 = a.Length, n2 = b.Length;
        if (n1 == 0 || n2 == 0)
        {
            throw new ArgumentException("Both samples need at least one value.");
        }

        // The ECDFs at every observed value: searchsorted(side='right') counts, as scipy.
        double maxS = double.NegativeInfinity, minDiff = double.PositiveInfinity;
        int i = 0, j = 0;
        while (i < n1 || j < n2)
        {
            var value = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
            while (i < n1 && a[i] <= value)
            {
                i++;
            }

            while (j < n2 && b[j] <= value)
            {
                j++;
            }

            var diff = ((double)i / n1) - ((double)j / n2);
            maxS = Math.Max(maxS, diff);
            minDiff = Math.Min(minDiff, diff);
        }

        var minS = Math.Clamp(-minDiff, 0, 1);
        var d = minS > maxS ? minS : maxS;
        if (Math.Max(n1, n2) <= MaxExactTwoSample)
        {
            var (success, exactD, probability) = AttemptExact(n1, n2, d);
            if (success)
            {
                return new KsResult(exactD, Math.Clamp(probability, 0, 1), KsMethod.Exact);
            }

            d = exactD;
        }

        double m = Math.Max(n1, n2), n = Math.Min(n1, n2);
        var en = m * n / (m + n);
        var rounded = (long)Math.Round(en, MidpointRounding.ToEven);
        return new KsResult(d, Math.Clamp(KolmogorovDistribution.Sf(d, rounded), 0, 1), KsMethod.Asymptotic);
    }

    private static (bool Success, double D, double Probability) AttemptExact(long n1, long n2, double d)
    {
        var g = Gcd(n1, n2);
        var lcm = n1 / g * n2;
        var h = (long)Math.Round(d * lcm, MidpointRounding.ToEven);
        d = h * 1.0 / lcm;
        if (h == 0)
        {
            return (true, d, 1.0);
        }

        var probability = n1 == n2 ? ProbabilityOutsideSquare(n1, h) : OuterProbabilityInside(n1, n2, g, h);
        if (double.IsNaN(probability) || double.IsInfinity(probability) || probability < 0 || probability > 1)
        {
            return (false, d, probability);
        }

        return (true, d, probability);
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    // Pr(D_{n,n} ≥ h/n) = 2·(C(2n, n−h) − C(2n, n−2h) + …)/C(2n, n), in scipy's Horner-like form.
    private static double ProbabilityOutsideSquare(long n, long h)
    {
        var p = 0.0;
        var k = (long)Math.Floor(n / (double)h);
        while (k >= 0)
        {
            var p1 = 1.0;
            for (long j = 0; j < h; j++)
            {
                p1 = (n - (k * h) - j) * p1 / (n + (k * h) + j + 1);
            }

            p = p1 * (1.0 - p);
            k--;
        }

        return 2 * p;
    }

    // The proportion of lattice paths from (0,0) to (m,n) that leave |x/m − y/n| < h/lcm(m,n), by Viehmann's recursion
    // for 1 − p (scipy's _compute_outer_prob_inside_method).
    private static double OuterProbabilityInside(long m, long n, long g, long h)
    {
        if (m < n)
        {
            (m, n) = (n, m);
        }

        var mg = m / g;
        var ng = n / g;
        long minj = 0;
        var maxj = Math.Min((long)Math.Ceiling(h / (double)mg), n + 1);
        var curlen = maxj - minj;
        var lenA = Math.Min((2 * maxj) + 2, n + 1);
        var a = new double[lenA];
        Array.Fill(a, 1.0);
        for (var x = minj; x < maxj; x++)
        {
            a[x] = 0.0;
        }

        for (long i = 1; i <= m; i++)
        {
            var lastminj = minj;
            var lastlen = curlen;
            minj = Math.Max((long)Math.Floor(((ng * i) - h) / (double)mg) + 1, 0);
            minj = Math.Min(minj, n);
            maxj = Math.Min((long)Math.Ceiling(((ng * i) + h) / (double)mg), n + 1);
            if (maxj <= minj)
            {
                return 1.0;
            }

            var value = minj == 0 ? 0.0 : 1.0;
            for (long jj = 0; jj < maxj - minj; jj++)
            {
                var j = jj + minj;
                value = ((a[jj + minj - lastminj] * i) + (value * j)) / (i + j);
                a[jj] = value;
            }

            curlen = maxj - minj;
            if (lastlen > curlen)
            {
                for (var x = maxj - minj; x < Math.Min(maxj - minj + (lastlen - curlen), a.Length); x++)
                {
                    a[x] = 1;
                }
            }
        }

        return a[maxj - minj - 1];
    }
}
