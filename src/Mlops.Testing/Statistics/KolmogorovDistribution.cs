namespace Mlops.Testing.Statistics;

/// <summary>
/// The exact distribution of the two-sided one-sample Kolmogorov–Smirnov statistic D_n (scipy's <c>kstwo</c>), computed
/// as scipy 1.10 does (<c>scipy/stats/_ksstats.py</c>): Simard and L'Ecuyer's choice among Ruben–Gambino's closed
/// forms, twice the one-sided Smirnov probability, Durbin's matrix algorithm as Marsaglia, Tsang and Wang evaluate it,
/// Pomeranz's recursion and the Pelz–Good approximation. The one-sided Smirnov survival function is the
/// Birnbaum–Tingey sum (as scipy's <c>smirnov</c>), summed in the log domain here rather than in double-double.
/// </summary>
internal static class KolmogorovDistribution
{
    private const double Scale128 = 3.402823669209385e38; // 2^128
    private const double InverseScale128 = 2.938735877055719e-39; // 2^-128
    private const double MinLog = -708.3964185322641; // cephes MINLOG
    private const double MachineEpsilon = 2.220446049250313e-16;

    private static readonly double[] StirlingCoefficients =
    [
        -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
        -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
    ];

    /// <summary>Pr(D_n ≥ d): scipy's <c>kstwo.sf(d, n)</c>.</summary>
    public static double Sf(double d, long n)
    {
        if (double.IsNaN(d) || n < 1)
        {
            return double.NaN;
        }

        // Outside the support [1/(2n), 1] rv_continuous answers without calling the algorithm.
        if (d <= 0.5 / n)
        {
            return 1.0;
        }

        if (d >= 1.0)
        {
            return 0.0;
        }

        return Kolmogn(n, d, cdf: false);
    }

    private static double Select(double cdfProbability, double sfProbability, bool cdf) =>
        Math.Clamp(cdf ? cdfProbability : sfProbability, 0.0, 1.0);

    private static double Kolmogn(long n, double x, bool cdf)
    {
        if (x >= 1.0)
        {
            return Select(1.0, 0.0, cdf);
        }

        if (x <= 0.0)
        {
            return Select(0.0, 1.0, cdf);
        }

        var t = n * x;
        if (t <= 1.0)
        {
            // Ruben–Gambino: 1/2n ≤ x ≤ 1/n.
            if (t <= 0.5)
            {
                return Select(0.0, 1.0, cdf);
            }

            double probability;
            if (n <= 140)
            {
                probability = 1.0;
                for (var i = 1; i <= n; i++)
                {
                    probability *= i * (1.0 / n) * ((2 * t) - 1);
                }
            }
            else
            {
                probability = Math.Exp(LogNFactorialOverNPowerN(n) + (n * Math.Log((2 * t) - 1)));
            }

            return Select(probability, 1.0 - probability, cdf);
        }

        if (t >= n - 1)
        {
            // Ruben–Gambino.
            var probability = 2 * Math.Pow(1.0 - x, n);
            return Select(1 - probability, probability, cdf);
        }

        if (x >= 0.5)
        {
            var probability = 2 * SmirnovSf(n, x);
            return Select(1.0 - probability, probability, cdf);
        }

        var nxSquared = t * x;
        if (n <= 140)
        {
            if (nxSquared <= 0.754693)
            {
                var p = DurbinMatrix(n, x);
                return Select(p, 1.0 - p, cdf);
            }

            if (nxSquared <= 4)
            {
                var p = Pomeranz(n, x);
                return Select(p, 1.0 - p, cdf);
            }

            var probability = 2 * SmirnovSf(n, x);
            return Select(1.0 - probability, probability, cdf);
        }

        if (!cdf)
        {
            if (nxSquared >= 370.0)
            {
                return 0.0;
            }

            if (nxSquared >= 2.2)
            {
                return Math.Clamp(2 * SmirnovSf(n, x), 0.0, 1.0);
            }
        }

        double cdfProbability;
        if (nxSquared >= 18.0)
        {
            cdfProbability = 1.0;
        }
        else if (n <= 100_000 && n * Math.Pow(x, 1.5) <= 1.4)
        {
            cdfProbability = DurbinMatrix(n, x);
        }
        else
        {
            cdfProbability = PelzGood(n, x);
        }

        return Select(cdfProbability, 1.0 - cdfProbability, cdf);
    }

    // log(n! / n^n) by Stirling's approximation with n·log(n) removed up front.
    private static double LogNFactorialOverNPowerN(long n)
    {
        var rn = 1.0 / n;
        var x = rn / n;
        var poly = 0.0;
        foreach (var c in StirlingCoefficients)
        {
            poly = (poly * x) + c;
        }

        return (Math.Log(n) / 2) - n + (Math.Log(2 * Math.PI) / 2) + (rn * poly);
    }

    /// <summary>Pr(D_n ≤ d) by Durbin's matrix algorithm as Marsaglia, Tsang and Wang compute it.</summary>
    private static double DurbinMatrix(long n, double d)
    {
        if (d >= 1.0)
        {
            return 1.0;
        }

        var nd = n * d;
        if (nd <= 0.5)
        {
            return 0.0;
        }

        var k = (int)Math.Ceiling(nd);
        var h = k - nd;
        var m = (2 * k) - 1;
        var matrix = new double[m, m];
        var v = new double[m];
        var w = new double[m];
        var factorial = 1.0;
        for (var j = 1; j <= m; j++)
        {
            w[j - 1] = factorial;
            factorial /= j;
            v[j - 1] = (1.0 - Math.Pow(h, j)) * factorial;
        }

        var tt = Math.Pow(Math.Max((2 * h) - 1.0, 0), m) - (2 * Math.Pow(h, m));
        v[m - 1] = (1.0 + tt) * factorial;
        for (var i = 1; i < m; i++)
        {
            for (var r = i - 1; r < m; r++)
            {
                matrix[r, i] = w[r - (i - 1)];
            }
        }

        for (var r = 0; r < m; r++)
        {
            matrix[r, 0] = v[r];
        }

        for (var c = 0; c < m; c++)
        {
            matrix[m - 1, c] = v[m - 1 - c];
        }

        var power = Identity(m);
        var nn = n;
        long exponent = 0;
        long matrixExponent = 0;
        while (nn > 0)
        {
            if (nn % 2 == 1)
            {
                power = Multiply(power, matrix);
                exponent += matrixExponent;
            }

            matrix = Multiply(matrix, matrix);
            matrixExponent *= 2;
            if (Math.Abs(matrix[k - 1, k - 1]) > Scale128)
            {
                for (var r = 0; r < m; r++)
                {
                    for (var c = 0; c < m; c++)
                    {
                        matrix[r, c] /= Scale128;
                    }
                }

                matrixExponent += 128;
            }

            nn /= 2;
        }

        var p = power[k - 1, k - 1];
        for (long i = 1; i <= n; i++)
        {
            p = i * p / n;
            if (Math.Abs(p) < InverseScale128)
            {
                p *= Scale128;
                exponent -= 128;
            }
        }

        if (exponent != 0)
        {
            p = Math.ScaleB(p, (int)exponent);
        }

        return Math.Clamp(p, 0.0, 1.0);
    }

    private static double[,] Identity(int m)
    {
        var identity = new double[m, m];
        for (var i = 0; i < m; i++)
        {
            identity[i, i] = 1.0;
        }

        return identity;
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        var m = a.GetLength(0);
        var result = new double[m, m];
        for (var i = 0; i < m; i++)
        {
            for (var l = 0; l < m; l++)
            {
                var ail = a[i, l];
                if (ail == 0)
                {
                    continue;
                }

                for (var j = 0; j < m; j++)
                {
                    result[i, j] += ail * b[l, j];
                }
            }
        }

        return result;
    }

    private static (int J1, int J2) PomeranzInterval(int i, long n, int ll, int ceilf, int roundf)
    {
        long j1, j2;
        if (i == 0)
        {
            j1 = -ll - ceilf - 1;
            j2 = ll + ceilf - 1;
        }
        else
        {
            var ip1div2 = (i + 1) / 2;
            var ip1mod2 = (i + 1) % 2;
            if (ip1mod2 == 0)
            {
                if (ip1div2 == n + 1)
                {
                    j1 = n - ll - ceilf - 1;
                    j2 = n + ll + ceilf - 1;
                }
                else
                {
                    j1 = ip1div2 - 1 - ll - roundf - 1;
                    j2 = ip1div2 + ll - 1 + ceilf - 1;
                }
            }
            else
            {
                j1 = ip1div2 - 1 - ll - 1;
                j2 = ip1div2 + ll + roundf - 1;
            }
        }

        return ((int)Math.Max(j1 + 2, 0), (int)Math.Min(j2, n));
    }

    /// <summary>Pr(D_n ≤ x) by Pomeranz's recursion.</summary>
    private static double Pomeranz(long n, double x)
    {
        var t = n * x;
        var ll = (int)Math.Floor(t);
        var f = t - ll;
        var g = Math.Min(f, 1.0 - f);
        var ceilf = f > 0 ? 1 : 0;
        var roundf = f > 0.5 ? 1 : 0;
        var npwrs = 2 * (ll + 1);
        var gpower = new double[npwrs];
        var twogpower = new double[npwrs];
        var onem2gpower = new double[npwrs];
        gpower[0] = twogpower[0] = onem2gpower[0] = 1.0;
        long exponent = 0;
        double gOverN = g / n, twoGOverN = 2 * g / n, oneMinusTwoGOverN = (1 - (2 * g)) / n;
        for (var m = 1; m < npwrs; m++)
        {
            gpower[m] = gpower[m - 1] * gOverN / m;
            twogpower[m] = twogpower[m - 1] * twoGOverN / m;
            onem2gpower[m] = onem2gpower[m - 1] * oneMinusTwoGOverN / m;
        }

        var v0 = new double[npwrs];
        var v1 = new double[npwrs];
        v1[0] = 1;
        int v0s = 0, v1s = 0;
        var (j1, j2) = PomeranzInterval(0, n, ll, ceilf, roundf);
        for (var i = 1; i < (2 * n) + 2; i++)
        {
            var k1 = j1;
            (v0, v1) = (v1, v0);
            (v0s, v1s) = (v1s, v0s);
            Array.Clear(v1);
            (j1, j2) = PomeranzInterval(i, n, ll, ceilf, roundf);
            var pwrs = i == 1 || i == (2 * n) + 1 ? gpower : (i % 2 == 1 ? twogpower : onem2gpower);
            var ln2 = j2 - k1 + 1;
            if (ln2 > 0)
            {
                // conv = np.convolve(V0[k1 - V0s : k1 - V0s + ln2], pwrs[:ln2]); V1[:len] = conv[j1 - k1 : …]
                var offset = k1 - v0s;
                var convStart = j1 - k1;
                var convLength = j2 - j1 + 1;
                var max = 0.0;
                for (var c = 0; c < convLength; c++)
                {
                    var index = convStart + c;
                    var sum = 0.0;
                    var lo = Math.Max(0, index - (ln2 - 1));
                    var hi = Math.Min(index, ln2 - 1);
                    for (var a = lo; a <= hi; a++)
                    {
                        var src = offset + a;
                        if (src >= 0 && src < v0.Length)
                        {
                            sum += v0[src] * pwrs[index - a];
                        }
                    }

                    v1[c] = sum;
                    max = Math.Max(max, sum);
                }

                if (max > 0 && max < InverseScale128)
                {
                    for (var c = 0; c < v1.Length; c++)
                    {
                        v1[c] *= Scale128;
                    }

                    exponent -= 128;
                }

                v1s = v0s + j1 - k1;
            }
        }

        var answer = v1[n - v1s];
        for (long m = 1; m <= n; m++)
        {
            if (Math.Abs(answer) > Scale128)
            {
                answer *= InverseScale128;
                exponent += 128;
            }

            answer *= m;
        }

        if (exponent != 0)
        {
            answer = Math.ScaleB(answer, (int)exponent);
        }

        return Math.Clamp(answer, 0.0, 1.0);
    }

    /// <summary>The Pelz–Good approximation to Pr(D_n ≤ x).</summary>
    private static double PelzGood(long n, double x)
    {
        if (x <= 0.0)
        {
            return 0.0;
        }

        if (x >= 1.0)
        {
            return 1.0;
        }

        const double piSquared = Math.PI * Math.PI;
        const double piFour = piSquared * piSquared;
        const double piSix = piFour * piSquared;
        var sqrt2Pi = Math.Sqrt(2 * Math.PI);
        var z = Math.Sqrt(n) * x;
        double zsquared = z * z, zthree = zsquared * z, zfour = zsquared * zsquared, zsix = zfour * zsquared;
        var qlog = -piSquared / 8 / zsquared;
        if (qlog < -708)
        {
            return 0.0;
        }

        var q = Math.Exp(qlog);
        var k1a = -zsquared;
        var k1b = piSquared / 4;
        var k2a = (6 * zsix) + (2 * zfour);
        var k2b = ((2 * zfour) - (5 * zsquared)) * piSquared / 4;
        var k2c = piFour * (1 - (2 * zsquared)) / 16;
        var k3d = piSix * (5 - (30 * zsquared)) / 64;
        var k3c = piFour * ((-60 * zsquared) + (212 * zfour)) / 16;
        var k3b = piSquared * ((135 * zfour) - (96 * zsix)) / 4;
        var k3a = (-30 * zsix) - (90 * Math.Pow(z, 8));
        var sums = new double[4];
        var maxk = (int)Math.Ceiling(16 * z / Math.PI);
        for (var k = maxk; k > 0; k--)
        {
            double m = (2 * k) - 1;
            double msquared = m * m, mfour = msquared * msquared, msix = mfour * msquared;
            var qpower = Math.Pow(q, 8 * k);
            sums[0] = (sums[0] * qpower) + 1.0;
            sums[1] = (sums[1] * qpower) + k1a + (k1b * msquared);
            sums[2] = (sums[2] * qpower) + k2a + (k2b * msquared) + (k2c * mfour);
            sums[3] = (sums[3] * qpower) + k3a + (k3b * msquared) + (k3c * mfour) + (k3d * msix);
        }

        double[] divisors = [z, 6 * zfour, 72 * Math.Pow(z, 7), 6480 * Math.Pow(z, 10)];
        for (var i = 0; i < 4; i++)
        {
            sums[i] = sums[i] * q * sqrt2Pi / divisors[i];
        }

        q = Math.Exp(-piSquared / 2 / zsquared);
        var sqrt3z = Math.Sqrt(3) * z;
        double k2extra = 0, k3extra = 0;
        for (var k = maxk; k > 0; k--)
        {
            double ksquared = (double)k * k;
            var qpower = Math.Pow(q, ksquared);
            var kspi = Math.PI * k;
            k2extra += ksquared * qpower;
            k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksquared * qpower;
        }

        sums[2] += k2extra * piSquared * sqrt2Pi / (-36 * zthree);
        sums[3] += k3extra * piSquared * sqrt2Pi / (216 * zsix);
        var total = 0.0;
        for (var i = 0; i < 4; i++)
        {
            total += sums[i] / Math.Pow(n * 1.0, i / 2.0);
        }

        return total;
    }

    /// <summary>
    /// The one-sided Smirnov survival function Pr(D_n⁺ ≥ x) (scipy's <c>smirnov(n, x)</c>): the Birnbaum–Tingey sum
    /// x·Σ_{v=0}^{⌊n(1−x)⌋} C(n,v) (1−x−v/n)^(n−v) (x+v/n)^(v−1), with scipy's special cases and its approximation for
    /// n &gt; 10⁶.
    /// </summary>
    public static double SmirnovSf(long n, double x)
    {
        if (!(n > 0 && x >= 0.0 && x <= 1.0))
        {
            return double.NaN;
        }

        if (n == 1)
        {
            return 1 - x;
        }

        if (x == 0.0)
        {
            return 1.0;
        }

        if (x == 1.0)
        {
            return 0.0;
        }

        // floor(n·x) and its remainder, exactly (the product's rounding error comes from a fused multiply-add).
        var nx = n * x;
        var error = Math.FusedMultiplyAdd(n, x, -nx);
        var nxFloor = Math.Floor(nx);
        var alpha = (nx - nxFloor) + error;
        if (alpha < 0)
        {
            nxFloor -= 1;
            alpha += 1;
        }
        else if (alpha >= 1)
        {
            nxFloor += 1;
            alpha -= 1;
        }

        var nxfl = (long)nxFloor;
        if (alpha == 1)
        {
            nxfl += 1;
            alpha = 0;
        }

        var n1mxfl = n - nxfl - (alpha == 0 ? 0 : 1);
        if (alpha == 0)
        {
            n1mxfl -= 1;
        }

        if (nxfl == 0 || (nxfl == 1 && alpha == 0))
        {
            var cdf = x * Math.Pow(1 + x, n - 1);
            return Math.Clamp(1 - cdf, 0, 1);
        }

        if (-2 * n * x * x < MinLog)
        {
            return 0.0;
        }

        if (nxfl >= n - 1)
        {
            return Math.Clamp(Math.Pow(1 - x, n), 0, 1);
        }

        if (n > 1_000_000)
        {
            var logp = -Math.Pow((6.0 * n * x) + 1, 2) / 18.0 / n;
            return logp < -Math.Log(2) ? Math.Exp(logp) : 1 + SpecialFunctions.Expm1(logp);
        }

        // Lower sum in the log domain: log A_v = log C(n,v) + (n−v)·log(1−x−v/n) + (v−1)·log(x+v/n), with
        // 1−x−v/n = (n−v−⌊nx⌋−α)/n and x+v/n = (⌊nx⌋+v+α)/n, free of the rounding of n·x. The terms can span far more
        // than a double's range (A_0 = (1−x)^n/x may be e^−10000 while the sum is e^−200), hence logs.
        var terms = n1mxfl + 1;
        var logN = Math.Log(n);
        var logTerms = new List<double>((int)Math.Min(terms, 1 << 16));
        var maxLog = double.NegativeInfinity;
        var logSum = double.NegativeInfinity;
        var logFactorialN = SpecialFunctions.LogGamma(n + 1.0);
        for (long v = 0; v < terms; v++)
        {
            var logBinomial = v == 0 ? 0.0 : logFactorialN - SpecialFunctions.LogGamma(v + 1.0) - SpecialFunctions.LogGamma(n - v + 1.0);
            var lower = (n - v - nxfl) - alpha; // n(1 − x − v/n)
            var upper = nxfl + v + alpha;       // n(x + v/n)
            var logA = logBinomial + ((n - v) * (Math.Log(lower) - logN)) + ((v - 1) * (Math.Log(upper) - logN));
            logTerms.Add(logA);
            maxLog = Math.Max(maxLog, logA);
            logSum = LogAddExp(logSum, logA);

            // scipy stops once the remaining terms cannot change the sum: 4·(terms − v)·A_v < ε·ΣA.
            if (v > 0 && v != terms - 1 && Math.Log(4.0 * (terms - v)) + logA < Math.Log(MachineEpsilon) + logSum)
            {
                break;
            }
        }

        var total = 0.0;
        foreach (var logA in logTerms)
        {
            total += Math.Exp(logA - maxLog);
        }

        return Math.Clamp(Math.Exp(Math.Log(x) + maxLog + Math.Log(total)), 0, 1);
    }

    private static double LogAddExp(double a, double b)
    {
        if (double.IsNegativeInfinity(a))
        {
            return b;
        }

        var max = Math.Max(a, b);
        return max + SpecialFunctions.Log1p(Math.Exp(Math.Min(a, b) - max));
    }
}
