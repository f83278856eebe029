namespace Mlops.Testing.Statistics;

/// <summary>
/// The scipy distributions GX's <c>expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than</c>
/// accepts, with scipy's positional parameters (shape parameters, then <c>loc</c> and <c>scale</c>): the CDF of
/// <c>scipy.stats.&lt;name&gt;(*params)</c>.
/// </summary>
internal sealed class ContinuousDistribution
{
    private readonly Func<double, double> _standardCdf;

    private ContinuousDistribution(string name, double[] parameters, double loc, double scale, Func<double, double> standardCdf)
    {
        Name = name;
        Parameters = parameters;
        Loc = loc;
        Scale = scale;
        _standardCdf = standardCdf;
    }

    /// <summary>The supported names, as scipy spells them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["norm", "uniform", "expon", "gamma", "beta", "chi2"];

    public string Name { get; }

    /// <summary>The positional parameters, as passed to scipy.</summary>
    public double[] Parameters { get; }

    public double Loc { get; }

    public double Scale { get; }

    /// <summary>F(x) = F₀((x − loc)/scale).</summary>
    public double Cdf(double x) => _standardCdf((x - Loc) / Scale);

    /// <summary>
    /// Builds a distribution from scipy's positional parameters: norm(loc, scale), uniform(loc, scale),
    /// expon(loc, scale), gamma(a, loc, scale), beta(a, b, loc, scale), chi2(df, loc, scale); loc and scale may be left
    /// out (0 and 1). Throws <see cref="ArgumentException"/> naming what is wrong.
    /// </summary>
    public static ContinuousDistribution Create(string name, IReadOnlyList<double> parameters)
    {
        var shapes = name switch
        {
            "norm" or "uniform" or "expon" => 0,
            "gamma" or "chi2" => 1,
            "beta" => 2,
            _ => throw new ArgumentException($"the distribution '{name}' is not supported; use one of {string.Join(", ", Names)}"),
        };
        if (parameters.Count < shapes || parameters.Count > shapes + 2)
        {
            throw new ArgumentException($"{name} takes {shapes} shape parameter(s) then optionally loc and scale, got {parameters.Count} value(s)");
        }

        var shape = parameters.Take(shapes).ToArray();
        var loc = parameters.Count > shapes ? parameters[shapes] : 0.0;
        var scale = parameters.Count > shapes + 1 ? parameters[shapes + 1] : 1.0;
        if (!(scale > 0) || !double.IsFinite(loc))
        {
            throw new ArgumentException($"{name} needs a finite loc and a positive scale (std_dev), got loc {loc} and scale {scale}");
        }

        if (shape.Any(s => !(s > 0) || !double.IsFinite(s)))
        {
            throw new ArgumentException($"{name}'s shape parameters must be positive, got {string.Join(", ", shape)}");
        }

        Func<double, double> cdf = name switch
        {
            "norm" => SpecialFunctions.NormalCdf,
            "uniform" => y => Math.Clamp(y, 0.0, 1.0),
            "expon" => y => y <= 0 ? 0.0 : -SpecialFunctions.Expm1(-y),
            "gamma" => y => y <= 0 ? 0.0 : SpecialFunctions.GammaP(shape[0], y),
            "chi2" => y => y <= 0 ? 0.0 : SpecialFunctions.GammaP(shape[0] / 2, y / 2),
            _ => y => SpecialFunctions.BetaRegularized(shape[0], shape[1], y),
        };
        return new ContinuousDistribution(name, [.. parameters], loc, scale, cdf);
    }
}
