using System.Runtime.CompilerServices;
using Mlops.Testing.Data;
using Mlops.Testing.Statistics;

namespace Mlops.Testing.Drift;

/// <summary>
/// Compares a current data set with a reference, column by column, as Evidently's default data-drift preset does.
/// Missing and infinite values are left out; then, by the number of reference values n and the number of distinct
/// values u in both sets together:
/// <list type="bullet">
/// <item>n ≤ 1,000, numerical with u &gt; 5: two-sample Kolmogorov–Smirnov, drift when p &lt; 0.05;</item>
/// <item>n ≤ 1,000, categorical, or numerical with u ≤ 5: chi-square (u &gt; 2) or the Z-test for two proportions
/// (u ≤ 2), drift when p &lt; 0.05;</item>
/// <item>n &gt; 1,000, numerical with u &gt; 5: Wasserstein distance divided by the reference's standard deviation
/// (at least 0.001), drift when ≥ 0.1;</item>
/// <item>n &gt; 1,000, categorical, or numerical with u ≤ 5: Jensen–Shannon distance (base 2), drift when ≥ 0.1.</item>
/// </list>
/// Other tests (PSI, KL divergence, …) and thresholds are chosen in <see cref="DriftOptions"/>. The data set drifts
/// when the share of drifted columns is at least <see cref="DriftOptions.DriftShare"/> (0.5). Both sources are read
/// once, at the same time; numerical columns keep their values (8 bytes each, to sort), categorical columns only a
/// count per distinct value.
/// </summary>
public sealed class DriftDetector
{
    /// <summary>The reference size up to which p-value tests are chosen (Evidently's 1,000).</summary>
    public const int SmallDataLimit = 1000;

    private readonly DriftOptions _options;

    /// <summary>Creates a detector.</summary>
    public DriftDetector(DriftOptions? options = null)
    {
        _options = options ?? new DriftOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.BatchSize, nameof(DriftOptions.BatchSize));
        if (!(_options.DriftShare is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.DriftShare, "DriftShare must be between 0 and 1.");
        }
    }

    /// <summary>Evidently's name of a test.</summary>
    public static string TestName(DriftMethod method) => method switch
    {
        DriftMethod.KolmogorovSmirnov => "ks",
        DriftMethod.ChiSquare => "chisquare",
        DriftMethod.ZTest => "z",
        DriftMethod.Wasserstein => "wasserstein",
        DriftMethod.JensenShannon => "jensenshannon",
        DriftMethod.PopulationStabilityIndex => "psi",
        DriftMethod.KullbackLeibler => "kl_div",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };

    /// <summary>Whether a test gives a p-value (drift below the threshold) rather than a distance (drift at or above it).</summary>
    public static bool IsPValue(DriftMethod method) => method is DriftMethod.KolmogorovSmirnov or DriftMethod.ChiSquare or DriftMethod.ZTest;

    /// <summary>A test's default threshold: 0.05 for p-values, 0.1 for distances.</summary>
    public static double DefaultThreshold(DriftMethod method) => IsPValue(method) ? 0.05 : 0.1;

    /// <summary>Compares <paramref name="current"/> with <paramref name="reference"/>.</summary>
    /// <exception cref="DataTestingException">
    /// When a compared column is missing from either source, has different types in the two, has no values in one of
    /// them, or was given a test that does not apply to its kind (Kolmogorov–Smirnov or Wasserstein on categories).
    /// </exception>
    public async Task<DriftReport> DetectAsync(DataSource reference, DataSource current, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        var referenceSchema = await reference.GetSchemaAsync(cancellationToken).ConfigureAwait(false);
        var currentSchema = await current.GetSchemaAsync(cancellationToken).ConfigureAwait(false);
        var columns = SelectColumns(referenceSchema, currentSchema, reference.Name, current.Name);
        foreach (var name in _options.ColumnMethods.Keys.Concat(_options.ColumnThresholds.Keys))
        {
            if (!columns.Any(c => c.Name == name))
            {
                throw new DataTestingException($"DriftOptions names the column '{name}', which is not among the compared columns: {string.Join(", ", columns.Select(c => c.Name))}.");
            }
        }

        var names = columns.Select(c => c.Name).ToList();
        var referenceRows = await reference.GetRowCountAsync(cancellationToken).ConfigureAwait(false);
        var currentRows = await current.GetRowCountAsync(cancellationToken).ConfigureAwait(false);
        var referenceCollectors = columns.Select(c => ColumnCollector.Create(c, referenceRows)).ToArray();
        var currentCollectors = columns.Select(c => ColumnCollector.Create(currentSchema.Columns[currentSchema.IndexOf(c.Name)], currentRows)).ToArray();
        await Task.WhenAll(
            Task.Run(() => CollectAsync(reference, names, referenceCollectors, _options.BatchSize, cancellationToken), cancellationToken),
            Task.Run(() => CollectAsync(current, names, currentCollectors, _options.BatchSize, cancellationToken), cancellationToken)).ConfigureAwait(false);

        var results = new ColumnDrift[columns.Count];
        Exception? failure = null;
        Parallel.For(0, columns.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            try
            {
                results[i] = Compare(columns[i], referenceCollectors[i], currentCollectors[i], reference.Name, current.Name);
            }
            catch (DataTestingException e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
        });
        if (failure is not null)
        {
            throw failure;
        }

        return new DriftReport
        {
            ReferenceName = reference.Name,
            CurrentName = current.Name,
            Columns = results,
            DriftShare = _options.DriftShare,
        };
    }

    private List<DataColumn> SelectColumns(DataSchema reference, DataSchema current, string referenceName, string currentName)
    {
        IEnumerable<DataColumn> wanted;
        if (_options.Columns is { } named)
        {
            wanted = named.Select(n => reference.TryGetColumn(n, out var c)
                ? c
                : throw new DataTestingException($"The column '{n}' is not in the reference data '{referenceName}'; its columns are: {string.Join(", ", reference.Names)}."));
        }
        else
        {
            wanted = reference.Columns.Where(c => c.Type != ColumnType.DateTime);
        }

        var columns = new List<DataColumn>();
        foreach (var column in wanted)
        {
            if (column.Type == ColumnType.DateTime)
            {
                throw new DataTestingException($"The column '{column.Name}' holds dates, which drift tests do not compare (as in Evidently); leave it out of DriftOptions.Columns.");
            }

            if (!current.TryGetColumn(column.Name, out var other))
            {
                throw new DataTestingException($"The column '{column.Name}' is in the reference data '{referenceName}' but not in the current data '{currentName}'; its columns are: {string.Join(", ", current.Names)}.");
            }

            if (Kind(column.Type) != Kind(other.Type) || (Kind(column.Type) == DriftColumnKind.Categorical && column.Type != other.Type))
            {
                throw new DataTestingException($"The column '{column.Name}' is {column.Type} in the reference data '{referenceName}' but {other.Type} in the current data '{currentName}'; drift compares columns of the same type.");
            }

            columns.Add(column);
        }

        return columns;
    }

    private static DriftColumnKind Kind(ColumnType type) =>
        type is ColumnType.Double or ColumnType.Int64 ? DriftColumnKind.Numerical : DriftColumnKind.Categorical;

    private static async Task CollectAsync(DataSource source, List<string> names, ColumnCollector[] collectors, int batchSize, CancellationToken cancellationToken)
    {
        if (names.Count == 0)
        {
            return;
        }

        // A CSV file gives string columns as characters: they are only counted, so no string per row.
        var batches = source is CsvDataSource csv
            ? csv.ReadAsync(names, batchSize, textAsCharacters: true, cancellationToken)
            : source.ReadAsync(names, batchSize, cancellationToken);
        await foreach (var batch in batches.ConfigureAwait(false))
        {
            for (var c = 0; c < collectors.Length; c++)
            {
                collectors[c].Observe(batch.Columns[c]);
            }
        }
    }

    private ColumnDrift Compare(DataColumn column, ColumnCollector reference, ColumnCollector current, string referenceName, string currentName)
    {
        if (reference.Count == 0)
        {
            throw new DataTestingException($"The column '{column.Name}' has no values in the reference data '{referenceName}' (all {reference.Missing} are missing); leave it out of DriftOptions.Columns.");
        }

        if (current.Count == 0)
        {
            throw new DataTestingException($"The column '{column.Name}' has no values in the current data '{currentName}' (all {current.Missing} are missing).");
        }

        var kind = Kind(column.Type);
        var samples = reference is NumericCollector r && current is NumericCollector c
            ? ColumnSamples.FromNumbers(r, c)
            : ColumnSamples.FromCounts((CategoricalCollector)reference, (CategoricalCollector)current);
        var method = _options.ColumnMethods.TryGetValue(column.Name, out var m) ? m
            : _options.Method ?? DefaultMethod(kind, reference.Count, samples.DistinctValues);
        if (kind == DriftColumnKind.Categorical && method is DriftMethod.KolmogorovSmirnov or DriftMethod.Wasserstein)
        {
            throw new DataTestingException($"The {TestName(method)} test applies to numerical columns; '{column.Name}' is {column.Type}. Choose chisquare, z, jensenshannon, psi or kl_div for it.");
        }

        var threshold = _options.ColumnThresholds.TryGetValue(column.Name, out var t) ? t : _options.Threshold ?? DefaultThreshold(method);
        var (statistic, score) = Test(method, kind, samples);
        var drifted = IsPValue(method) ? score < threshold : score >= threshold;
        return new ColumnDrift
        {
            Column = column.Name,
            Kind = kind,
            Method = method,
            Statistic = statistic,
            Score = score,
            Threshold = threshold,
            Drifted = drifted,
            ReferenceCount = reference.Count,
            CurrentCount = current.Count,
            ReferenceMissing = reference.Missing,
            CurrentMissing = current.Missing,
            DistinctValues = samples.DistinctValues,
        };
    }

    /// <summary>Evidently's default test for a column of this kind, reference size and number of distinct values.</summary>
    internal static DriftMethod DefaultMethod(DriftColumnKind kind, long referenceCount, long distinctValues)
    {
        if (referenceCount <= SmallDataLimit)
        {
            if (kind == DriftColumnKind.Numerical && distinctValues > 5)
            {
                return DriftMethod.KolmogorovSmirnov;
            }

            return distinctValues > 2 ? DriftMethod.ChiSquare : DriftMethod.ZTest;
        }

        return kind == DriftColumnKind.Numerical && distinctValues > 5 ? DriftMethod.Wasserstein : DriftMethod.JensenShannon;
    }

    private static (double Statistic, double Score) Test(DriftMethod method, DriftColumnKind kind, ColumnSamples s)
    {
        switch (method)
        {
            case DriftMethod.KolmogorovSmirnov:
            {
                var ks = KolmogorovSmirnov.TwoSample(s.Reference, s.Current);
                return (ks.Statistic, ks.PValue);
            }

            case DriftMethod.Wasserstein:
            {
                var norm = Math.Max(PopulationStandardDeviation(s.Reference), 0.001);
                var distance = Divergences.Wasserstein(s.Reference, s.Current) / norm;
                return (distance, distance);
            }

            case DriftMethod.ChiSquare:
            {
                // Evidently: the current counts against the reference counts scaled to the current total.
                var (referenceCounts, currentCounts) = s.Counts();
                var scale = (double)s.CurrentCount / s.ReferenceCount;
                var expected = referenceCounts.Select(c => c * scale).ToArray();
                var chi = Divergences.ChiSquare(currentCounts, expected);
                return (chi.Statistic, chi.PValue);
            }

            case DriftMethod.ZTest:
            {
                var (keys, referenceCounts, currentCounts) = s.ValueCounts();
                if (keys.Count == 1)
                {
                    return (0.0, 1.0); // one and the same value on both sides
                }

                // Evidently: the smallest value against all others.
                var first = keys.Select((k, i) => (k, i)).OrderBy(x => x.k, KeyComparer.Instance).First().i;
                var z = Divergences.ProportionsZTest(
                    s.ReferenceCount - (long)referenceCounts[first], s.ReferenceCount,
                    s.CurrentCount - (long)currentCounts[first], s.CurrentCount);
                return (z.Statistic, z.PValue);
            }

            default:
            {
                var fillZeroes = method != DriftMethod.JensenShannon;
                var (reference, current) = s.Proportions(kind, fillZeroes);
                var value = method switch
                {
                    DriftMethod.JensenShannon => Divergences.JensenShannon(reference, current, 2),
                    DriftMethod.PopulationStabilityIndex => Divergences.PopulationStabilityIndex(reference, current),
                    _ => Divergences.KullbackLeibler(reference, current),
                };
                return (value, value);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per column, over a million values: no tier 0
    private static double PopulationStandardDeviation(ReadOnlySpan<double> values)
    {
        var mean = 0.0;
        foreach (var v in values)
        {
            mean += v;
        }

        mean /= values.Length;
        var squares = 0.0;
        foreach (var v in values)
        {
            squares += (v - mean) * (v - mean);
        }

        return Math.Sqrt(squares / values.Length);
    }
}
