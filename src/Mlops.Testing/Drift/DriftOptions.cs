using Mlops.Testing.Data;

namespace Mlops.Testing.Drift;

/// <summary>
/// A per-column drift test. Each has Evidently's name (in reports), its default threshold and the kind of score it
/// gives: a p-value (drift when below the threshold) or a distance (drift when at or above it).
/// </summary>
public enum DriftMethod
{
    /// <summary>Two-sample Kolmogorov–Smirnov p-value (<c>ks</c>, threshold 0.05); numerical columns.</summary>
    KolmogorovSmirnov,

    /// <summary>Chi-square p-value of the current counts against the reference proportions (<c>chisquare</c>, 0.05).</summary>
    ChiSquare,

    /// <summary>Z-test p-value for the difference of two proportions (<c>z</c>, 0.05); binary columns.</summary>
    ZTest,

    /// <summary>Wasserstein-1 distance divided by the reference's standard deviation (<c>wasserstein</c>, 0.1); numerical columns.</summary>
    Wasserstein,

    /// <summary>Jensen–Shannon distance, base 2 (<c>jensenshannon</c>, 0.1).</summary>
    JensenShannon,

    /// <summary>Population stability index (<c>psi</c>, 0.1).</summary>
    PopulationStabilityIndex,

    /// <summary>Kullback–Leibler divergence D(reference ‖ current) (<c>kl_div</c>, 0.1).</summary>
    KullbackLeibler,
}

/// <summary>Whether a column is compared as numbers or as categories.</summary>
public enum DriftColumnKind
{
    /// <summary>Numbers (<see cref="ColumnType.Double"/> and <see cref="ColumnType.Int64"/>): Evidently's <c>num</c>.</summary>
    Numerical,

    /// <summary>Strings and booleans: Evidently's <c>cat</c>.</summary>
    Categorical,
}

/// <summary>
/// Settings of a <see cref="DriftDetector"/>. Unset, every column is tested as Evidently's default data-drift preset
/// tests it (see <see cref="DriftDetector"/>), and the data set drifts when at least half the columns do.
/// </summary>
public sealed class DriftOptions
{
    /// <summary>The columns to compare, by name; every column of the reference except dates unless set.</summary>
    public IList<string>? Columns { get; set; }

    /// <summary>A test for every column instead of the default choice by type and size.</summary>
    public DriftMethod? Method { get; set; }

    /// <summary>Tests for single columns; they take precedence over <see cref="Method"/>.</summary>
    public IDictionary<string, DriftMethod> ColumnMethods { get; } = new Dictionary<string, DriftMethod>(StringComparer.Ordinal);

    /// <summary>A threshold for every column instead of each test's default (0.05 for p-values, 0.1 for distances).</summary>
    public double? Threshold { get; set; }

    /// <summary>Thresholds for single columns; they take precedence over <see cref="Threshold"/>.</summary>
    public IDictionary<string, double> ColumnThresholds { get; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>The data set drifts when the share of drifted columns is at least this; 0.5 unless set.</summary>
    public double DriftShare { get; set; } = 0.5;

    /// <summary>The number of rows read per batch; 4,096 unless set.</summary>
    public int BatchSize { get; set; } = DataSource.DefaultBatchSize;
}
