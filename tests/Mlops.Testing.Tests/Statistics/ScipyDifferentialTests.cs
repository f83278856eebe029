using Mlops.Testing.Statistics;

namespace Mlops.Testing.Tests.Statistics;

/// <summary>
/// The statistics of Mlops.Testing against scipy 1.10 on the same data (generated here with fixed seeds, written to a
/// temporary file, read by <c>scipy_stats.py</c>): statistics and p-values agree within 1e-6 (see
/// <see cref="Scipy.AssertClose"/>), on small and large samples, with ties, and through every branch scipy's default
/// method takes (exact and asymptotic two-sample KS; Ruben–Gambino, Durbin/MTW, Pomeranz, Pelz–Good and Smirnov for the
/// one-sample distribution).
/// </summary>
public sealed class ScipyDifferentialTests
{
    internal static double[] Normal(Random random, int n, double mean = 0, double sd = 1, int? decimals = null) =>
        [.. Enumerable.Range(0, n).Select(_ =>
        {
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            var v = mean + (sd * z);
            return decimals is { } d ? Math.Round(v, d) : v;
        })];

    [Fact]
    public void Kolmogorov_distribution_matches_kstwo_sf_in_every_branch()
    {
        // n and d chosen to reach each of scipy's branches: d ≤ 1/2n, Ruben–Gambino (nd ≤ 1, nd ≥ n−1), d ≥ 0.5
        // (2·smirnov), n ≤ 140 with nd² ≤ 0.754693 (Durbin), ≤ 4 (Pomeranz), above (smirnov); n > 140 with nd² ≥ 370,
        // ≥ 2.2 (smirnov), n ≤ 100,000 and n·d^1.5 ≤ 1.4 (Durbin), else Pelz–Good; and n > 10⁶ (Smirnov's approximation).
        var cases = new List<(long N, double D)>();
        foreach (var n in new long[] { 1, 2, 3, 5, 10, 37, 100, 140, 141, 500, 1000, 5000, 99_999, 100_001, 400_000, 1_000_000, 2_000_000 })
        {
            foreach (var z in new[] { 0.2, 0.45, 0.6, 0.8, 0.87, 1.0, 1.2, 1.5, 2.0, 2.5, 3.5, 6.0, 12.0, 19.5 })
            {
                var d = z / Math.Sqrt(n);
                if (d < 1)
                {
                    cases.Add((n, d));
                }
            }

            foreach (var d in new[] { 0.3 / n, 0.75 / n, 1.0 / n, 1.5 / n, 0.5, 0.7, 1 - (0.5 / n), 0.999 })
            {
                if (d is > 0 and < 1)
                {
                    cases.Add((n, d));
                }
            }
        }

        var scipy = Scipy.Run([.. cases.Select(c => Scipy.Case("kstwo_sf", ("n", c.N), ("d", c.D)))]);
        for (var i = 0; i < cases.Count; i++)
        {
            Scipy.AssertClose(scipy[i][0], KolmogorovDistribution.Sf(cases[i].D, cases[i].N), $"kstwo.sf({cases[i].D:R}, {cases[i].N})");
        }
    }

    [Fact]
    public void One_sided_smirnov_matches_scipy_special_smirnov()
    {
        var cases = new List<(long N, double D)>();
        foreach (var n in new long[] { 2, 5, 10, 50, 141, 1000, 20_000, 1_000_000, 1_500_000 })
        {
            foreach (var z in new[] { 0.5, 1.0, 1.5, 2.5, 4.0, 8.0, 13.0 })
            {
                var d = z / Math.Sqrt(n);
                if (d < 1)
                {
                    cases.Add((n, d));
                }
            }

            cases.Add((n, 0.5));
            cases.Add((n, 0.9));
        }

        var scipy = Scipy.Run([.. cases.Select(c => Scipy.Case("smirnov", ("n", c.N), ("d", c.D)))]);
        for (var i = 0; i < cases.Count; i++)
        {
            Scipy.AssertClose(scipy[i][0], KolmogorovDistribution.SmirnovSf(cases[i].N, cases[i].D), $"smirnov({cases[i].N}, {cases[i].D:R})");
        }
    }

    [Fact]
    public void Two_sample_ks_matches_ks_2samp_exact_and_asymptotic_with_ties()
    {
        var random = new Random(20_260_501);
        var cases = new List<(double[] A, double[] B, KsMethod Method)>
        {
            (Normal(random, 5), Normal(random, 7), KsMethod.Exact),
            (Normal(random, 20), Normal(random, 20, 0.8), KsMethod.Exact),                   // equal sizes: the closed form
            (Normal(random, 50), Normal(random, 80, 0.3), KsMethod.Exact),
            (Normal(random, 300, decimals: 1), Normal(random, 1000, 0.1, decimals: 1), KsMethod.Exact), // ties
            (Normal(random, 1000), Normal(random, 1000), KsMethod.Exact),
            (Normal(random, 1000), Normal(random, 1000, 0.5), KsMethod.Exact),              // tiny exact p
            (Normal(random, 700), Normal(random, 10_000, 0.05), KsMethod.Exact),
            (Normal(random, 500), Normal(random, 10_001), KsMethod.Asymptotic),
            (Normal(random, 20_000, decimals: 2), Normal(random, 30_000, 0.02, decimals: 2), KsMethod.Asymptotic),
            (Normal(random, 50_000), Normal(random, 50_000, 0.2), KsMethod.Asymptotic),     // tiny asymptotic p
            ([.. Enumerable.Repeat(1.0, 30)], [.. Enumerable.Repeat(1.0, 40)], KsMethod.Exact), // D = 0
            ([1, 2, 3], [10, 11, 12, 13], KsMethod.Exact),                                   // D = 1
        };

        var scipy = Scipy.Run([.. cases.Select(c => Scipy.Case("ks_2samp", ("a", c.A), ("b", c.B)))]);
        for (var i = 0; i < cases.Count; i++)
        {
            var a = cases[i].A.Order().ToArray();
            var b = cases[i].B.Order().ToArray();
            var ours = KolmogorovSmirnov.TwoSample(a, b);
            Assert.Equal(cases[i].Method, ours.Method);
            Scipy.AssertClose(scipy[i][0], ours.Statistic, $"case {i} (n={a.Length}, m={b.Length}) D");
            Scipy.AssertClose(scipy[i][1], ours.PValue, $"case {i} (n={a.Length}, m={b.Length}) p");
        }
    }

    [Fact]
    public void One_sample_ks_matches_kstest_against_parameterized_distributions()
    {
        var random = new Random(7);
        var cases = new List<(double[] X, string Distribution, double[] Args)>();
        foreach (var n in new[] { 3, 12, 60, 139, 141, 900, 5000, 150_000 })
        {
            cases.Add((Normal(random, n, 1, 2), "norm", [1, 2]));               // the right distribution: moderate p
            cases.Add((Normal(random, n, 1.4, 2), "norm", [1, 2]));             // shifted: small p
        }

        cases.Add((Normal(random, 2000, 5, 1), "norm", []));                   // far off: p underflows to 0
        cases.Add((Normal(random, 400, decimals: 0), "norm", [0, 1]));          // heavy ties
        cases.Add(([.. Enumerable.Range(0, 500).Select(_ => 3 + (4 * random.NextDouble()))], "uniform", [3, 4]));
        cases.Add(([.. Enumerable.Range(0, 500).Select(_ => 3 + (4.4 * random.NextDouble()))], "uniform", [3, 4]));
        cases.Add(([.. Enumerable.Range(0, 800).Select(_ => 2 - (1.5 * Math.Log(1 - random.NextDouble())))], "expon", [2, 1.5]));
        cases.Add(([.. Enumerable.Range(0, 300).Select(_ => Math.Abs(Normal(random, 1)[0]) * 3)], "gamma", [2.0, 0, 1.5]));
        cases.Add(([.. Enumerable.Range(0, 300).Select(_ => random.NextDouble() * random.NextDouble())], "beta", [0.8, 1.7]));
        cases.Add(([.. Enumerable.Range(0, 300).Select(_ => Math.Pow(Normal(random, 1)[0], 2) + Math.Pow(Normal(random, 1)[0], 2))], "chi2", [2]));
        cases.Add(([.. Enumerable.Range(0, 300).Select(_ => Math.Pow(Normal(random, 1)[0], 2) * 1.3)], "chi2", [3, 0.1, 1.2]));

        var scipy = Scipy.Run([.. cases.Select(c => Scipy.Case("kstest", ("x", c.X), ("distribution", c.Distribution), ("args", c.Args)))]);
        for (var i = 0; i < cases.Count; i++)
        {
            var distribution = ContinuousDistribution.Create(cases[i].Distribution, cases[i].Args);
            var ours = KolmogorovSmirnov.OneSample(cases[i].X.Order().ToArray(), distribution.Cdf);
            var what = $"{cases[i].Distribution}({string.Join(", ", cases[i].Args)}) n={cases[i].X.Length}";
            Scipy.AssertClose(scipy[i][0], ours.Statistic, what + " D");
            Scipy.AssertClose(scipy[i][1], ours.PValue, what + " p");
        }
    }

    [Fact]
    public void Distribution_functions_match_scipy()
    {
        double[] xs = [-3, -0.5, 0, 0.01, 0.3, 0.9, 1, 1.7, 2.5, 4, 7.5, 15, 40];
        (string Name, double[] Args)[] distributions =
        [
            ("norm", [0, 1]), ("norm", [1.5, 0.3]), ("uniform", [-1, 3]), ("expon", [0.2, 2]), ("gamma", [0.5]), ("gamma", [7.5, 1, 0.5]),
            ("beta", [0.5, 0.5]), ("beta", [2, 5, 0, 1]), ("beta", [30, 12]), ("chi2", [1]), ("chi2", [17, 0, 1]), ("chi2", [250]),
        ];
        var scipy = Scipy.Run([.. distributions.Select(d => Scipy.Case("cdf", ("distribution", d.Name), ("args", d.Args), ("x", xs)))]);
        for (var i = 0; i < distributions.Length; i++)
        {
            var distribution = ContinuousDistribution.Create(distributions[i].Name, distributions[i].Args);
            for (var j = 0; j < xs.Length; j++)
            {
                Scipy.AssertClose(scipy[i][j], distribution.Cdf(xs[j]), $"{distributions[i].Name}({string.Join(", ", distributions[i].Args)}).cdf({xs[j]})");
            }
        }
    }

    [Fact]
    public void Special_functions_match_scipy_special()
    {
        var cases = new List<(string Function, double[] Args, Func<double> Ours)>();
        foreach (var a in new[] { 0.5, 1, 2.5, 10, 63.5, 500, 5000 })
        {
            foreach (var f in new[] { 0.1, 0.8, 1.0, 1.3, 3 })
            {
                var x = a * f;
                cases.Add(("gammainc", [a, x], () => SpecialFunctions.GammaP(a, x)));
                cases.Add(("gammaincc", [a, x], () => SpecialFunctions.GammaQ(a, x)));
            }

            cases.Add(("gammaln", [a], () => SpecialFunctions.LogGamma(a)));
        }

        foreach (var z in new[] { -38.0, -9, -3.2, -1, -0.2, 0, 0.4, 1.5, 6, 9 })
        {
            cases.Add(("ndtr", [z], () => SpecialFunctions.NormalCdf(z)));
            cases.Add(("erfc", [z], () => SpecialFunctions.Erfc(z)));
        }

        foreach (var (a, b, x) in new[] { (0.5, 0.5, 0.3), (2.0, 3.0, 0.9), (30.0, 12.0, 0.7), (0.8, 1.7, 0.05), (150.0, 200.0, 0.45) })
        {
            cases.Add(("betainc", [a, b, x], () => SpecialFunctions.BetaRegularized(a, b, x)));
        }

        foreach (var (x, df) in new[] { (0.5, 1.0), (3.84, 1), (25, 4), (300, 200), (2000, 1999), (80, 12) })
        {
            cases.Add(("chi2_sf", [x, df], () => Divergences.ChiSquareSf(x, df)));
        }

        var scipy = Scipy.Run([.. cases.Select(c => Scipy.Case("special", ("function", c.Function), ("args", c.Args)))]);
        for (var i = 0; i < cases.Count; i++)
        {
            Scipy.AssertClose(scipy[i][0], cases[i].Ours(), $"{cases[i].Function}({string.Join(", ", cases[i].Args)})");
        }
    }

    [Fact]
    public void Chi_square_matches_scipy_chisquare()
    {
        var random = new Random(11);
        var cases = new List<(double[] Observed, double[] Expected)>();
        foreach (var k in new[] { 2, 3, 5, 12, 60 })
        {
            foreach (var scale in new[] { 10, 1000, 100_000 })
            {
                var weights = Enumerable.Range(0, k).Select(_ => 0.2 + random.NextDouble()).ToArray();
                var total = weights.Sum();
                var observed = weights.Select(w => Math.Round(w / total * scale * (0.9 + (0.2 * random.NextDouble())))).ToArray();
                var n = observed.Sum();
                var expected = weights.Select(w => w / total * n).ToArray();
                cases.Add((observed, expected));
            }
        }

        cases.Add(([5], [5]));                 // one category: df = 0, NaN
        cases.Add(([10, 10, 10], [10, 10, 10])); // a perfect fit

        var scipy = Scipy.Run([.. cases.Select(c => Scipy.Case("chisquare", ("observed", c.Observed), ("expected", c.Expected)))]);
        for (var i = 0; i < cases.Count; i++)
        {
            var ours = Divergences.ChiSquare(cases[i].Observed, cases[i].Expected);
            Scipy.AssertClose(scipy[i][0], ours.Statistic, $"case {i} statistic");
            Scipy.AssertClose(scipy[i][1], ours.PValue, $"case {i} p");
        }
    }

    [Fact]
    public void Distances_match_scipy_jensenshannon_wasserstein_and_entropy()
    {
        var random = new Random(3);
        var cases = new List<Dictionary<string, object?>>();
        var ours = new List<double>();
        foreach (var k in new[] { 2, 4, 30 })
        {
            var p = Enumerable.Range(0, k).Select(_ => random.NextDouble()).ToArray();
            var q = Enumerable.Range(0, k).Select(_ => random.NextDouble()).ToArray();
            q[0] = 0; // an empty bin on one side
            cases.Add(Scipy.Case("jensenshannon", ("p", p), ("q", q), ("base", 2.0)));
            ours.Add(Divergences.JensenShannon(p, q, 2));
            cases.Add(Scipy.Case("jensenshannon", ("p", p), ("q", q), ("base", null)));
            ours.Add(Divergences.JensenShannon(p, q));
            cases.Add(Scipy.Case("entropy", ("p", p), ("q", p.Select(x => x + 0.1).ToArray())));
            ours.Add(Divergences.KullbackLeibler(p, [.. p.Select(x => x + 0.1)]));
            cases.Add(Scipy.Case("entropy", ("p", p), ("q", q)));   // p has weight where q has none: +∞
            ours.Add(Divergences.KullbackLeibler(p, q));
        }

        foreach (var (n, m, decimals) in new[] { (10, 13, (int?)null), (1000, 700, 1), (100_000, 80_000, (int?)null) })
        {
            var u = Normal(random, n, 0, 1, decimals);
            var v = Normal(random, m, 0.2, 1.3, decimals);
            cases.Add(Scipy.Case("wasserstein", ("u", u), ("v", v)));
            ours.Add(Divergences.Wasserstein(u.Order().ToArray(), v.Order().ToArray()));
        }

        var scipy = Scipy.Run(cases);
        for (var i = 0; i < cases.Count; i++)
        {
            Scipy.AssertClose(scipy[i][0], ours[i], $"case {i} ({cases[i]["kind"]})");
        }
    }
}
