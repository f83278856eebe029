namespace Mlops.Testing.Statistics;

/// <summary>
/// The special functions the tests need (log-gamma, regularized incomplete gamma and beta, erfc, log1p, expm1), in plain
/// double precision. Relative accuracy is about 1e-14 over the ranges the tests use; for very large shape parameters
/// (a of 1e5 and more) the incomplete gamma loses a few more digits to the exp(a·log x − x − lnΓ(a)) prefactor.
/// </summary>
internal static class SpecialFunctions
{
    /// <summary>log(2π)/2.</summary>
    private const double HalfLogTwoPi = 0.91893853320467274178032973640561764;

    // Bernoulli-number coefficients of Stirling's series: B_2k / (2k (2k-1)).
    private static readonly double[] StirlingCoefficients =
    [
        1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188, -691.0 / 360360, 1.0 / 156, -3617.0 / 122400,
    ];

    /// <summary>log(1 + x), accurate for small x.</summary>
    public static double Log1p(double x)
    {
        var u = 1.0 + x;
        if (u == 1.0)
        {
            return x;
        }

        return double.IsPositiveInfinity(u) ? u : Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>exp(x) − 1, accurate for small x.</summary>
    public static double Expm1(double x)
    {
        if (Math.Abs(x) < 1e-5)
        {
            return x + (x * x / 2) + (x * x * x / 6);
        }

        return Math.Exp(x) - 1.0;
    }

    /// <summary>The natural logarithm of the gamma function, for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        if (double.IsNaN(x) || x <= 0)
        {
            return double.NaN;
        }

        if (x is 1 or 2)
        {
            return 0.0;
        }

        if (x < 15)
        {
            // Shift up to where Stirling's series is accurate: lnΓ(x) = lnΓ(x + k) − ln(x (x+1) … (x+k−1)).
            var product = 1.0;
            var shifted = x;
            while (shifted < 15)
            {
                product *= shifted;
                shifted += 1;
            }

            return Stirling(shifted) - Math.Log(product);
        }

        return Stirling(x);
    }

    private static double Stirling(double x)
    {
        var inverse = 1.0 / x;
        var inverseSquared = inverse * inverse;
        var series = 0.0;
        for (var i = StirlingCoefficients.Length - 1; i >= 0; i--)
        {
            series = (series * inverseSquared) + StirlingCoefficients[i];
        }

        return ((x - 0.5) * Math.Log(x)) - x + HalfLogTwoPi + (series * inverse);
    }

    /// <summary>log C(n, k) for 0 ≤ k ≤ n.</summary>
    public static double LogBinomial(double n, double k) =>
        k == 0 || k == n ? 0.0 : LogGamma(n + 1) - LogGamma(k + 1) - LogGamma(n - k + 1);

    /// <summary>The regularized lower incomplete gamma function P(a, x).</summary>
    public static double GammaP(double a, double x) => IncompleteGamma(a, x, upper: false);

    /// <summary>The regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x).</summary>
    public static double GammaQ(double a, double x) => IncompleteGamma(a, x, upper: true);

    // The series converges fast below a + 1, the continued fraction above; each side is computed directly (not as 1 minus
    // the other) where it is small, so tails keep their precision.
    private static double IncompleteGamma(double a, double x, bool upper)
    {
        if (double.IsNaN(a) || double.IsNaN(x) || a <= 0 || x < 0)
        {
            return double.NaN;
        }

        if (x == 0)
        {
            return upper ? 1.0 : 0.0;
        }

        if (double.IsPositiveInfinity(x))
        {
            return upper ? 0.0 : 1.0;
        }

        if (x < a + 1)
        {
            var p = GammaSeries(a, x);
            return upper ? 1.0 - p : p;
        }

        var q = GammaContinuedFraction(a, x);
        return upper ? q : 1.0 - q;
    }

    // P(a, x) by its power series; converges quickly for x < a + 1.
    private static double GammaSeries(double a, double x)
    {
        var logPrefactor = (a * Math.Log(x)) - x - LogGamma(a);
        var term = 1.0 / a;
        var sum = term;
        var ap = a;
        for (var n = 0; n < 100_000; n++)
        {
            ap += 1;
            term *= x / ap;
            sum += term;
            if (Math.Abs(term) < Math.Abs(sum) * 1e-17)
            {
                break;
            }
        }

        return Math.Exp(logPrefactor + Math.Log(sum));
    }

    // Q(a, x) by Legendre's continued fraction (modified Lentz); converges quickly for x ≥ a + 1.
    private static double GammaContinuedFraction(double a, double x)
    {
        const double tiny = 1e-300;
        var logPrefactor = (a * Math.Log(x)) - x - LogGamma(a);
        var b = x + 1 - a;
        var c = 1 / tiny;
        var d = 1 / b;
        var h = d;
        for (var i = 1; i < 100_000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            if (Math.Abs(d) < tiny)
            {
                d = tiny;
            }

            c = b + (an / c);
            if (Math.Abs(c) < tiny)
            {
                c = tiny;
            }

            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-16)
            {
                break;
            }
        }

        return Math.Exp(logPrefactor + Math.Log(h));
    }

    /// <summary>The complementary error function.</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x < 0)
        {
            return 2.0 - Erfc(-x);
        }

        if (x < 0.5)
        {
            // erfc = 1 − erf, with erf from its Taylor series (no cancellation for small x).
            return 1.0 - Erf(x);
        }

        return GammaQ(0.5, x * x);
    }

    /// <summary>The error function.</summary>
    public static double Erf(double x)
    {
        if (Math.Abs(x) >= 0.5)
        {
            return 1.0 - Erfc(x);
        }

        // erf(x) = 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1))
        var x2 = x * x;
        var term = x;
        var sum = x;
        for (var n = 1; n < 60; n++)
        {
            term *= -x2 / n;
            var add = term / ((2 * n) + 1);
            sum += add;
            if (Math.Abs(add) < 1e-17 * Math.Abs(sum))
            {
                break;
            }
        }

        return sum * 1.1283791670955125738961589031215452; // 2/√π
    }

    /// <summary>The standard normal CDF Φ(z).</summary>
    public static double NormalCdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2.0));

    /// <summary>The standard normal survival function 1 − Φ(z), without cancellation for large z.</summary>
    public static double NormalSf(double z) => 0.5 * Erfc(z / Math.Sqrt(2.0));

    /// <summary>The regularized incomplete beta function I_x(a, b).</summary>
    public static double BetaRegularized(double a, double b, double x)
    {
        if (double.IsNaN(x) || a <= 0 || b <= 0)
        {
            return double.NaN;
        }

        if (x <= 0)
        {
            return 0.0;
        }

        if (x >= 1)
        {
            return 1.0;
        }

        var logFront = (a * Math.Log(x)) + (b * Log1p(-x)) - (LogGamma(a) + LogGamma(b) - LogGamma(a + b));
        if (x < (a + 1) / (a + b + 2))
        {
            return Math.Exp(logFront) * BetaContinuedFraction(a, b, x) / a;
        }

        return 1.0 - (Math.Exp(logFront) * BetaContinuedFraction(b, a, 1 - x) / b);
    }

    // The continued fraction of I_x(a, b) (modified Lentz): each step takes one even and one odd coefficient.
    private static double BetaContinuedFraction(double a, double b, double x)
    {
        const double tiny = 1e-300;
        var qab = a + b;
        var qap = a + 1;
        var qam = a - 1;
        var c = 1.0;
        var d = 1 / NotTiny(1 - (qab * x / qap));
        var h = d;
        for (var m = 1; m < 100_000; m++)
        {
            var m2 = 2 * m;
            h *= Next(m * (b - m) * x / ((qam + m2) * (a + m2)));
            var delta = Next(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)));
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-16)
            {
                break;
            }
        }

        return h;

        // The next factor of the product for coefficient aa, updating Lentz's d and c.
        double Next(double aa)
        {
            d = 1 / NotTiny(1 + (aa * d));
            c = NotTiny(1 + (aa / c));
            return d * c;
        }

        static double NotTiny(double value) => Math.Abs(value) < tiny ? tiny : value;
    }
}
