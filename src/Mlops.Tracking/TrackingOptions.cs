namespace Mlops.Tracking;

/// <summary>Options of <see cref="ExperimentTracker"/> and of <c>AddMlopsTracking</c>.</summary>
public sealed class TrackingOptions
{
    /// <summary>The environment variable that names the tracking store when <see cref="StoreUri"/> is not set, as <c>MLFLOW_TRACKING_URI</c> does for MLflow.</summary>
    public const string TrackingUriVariable = "MLOPS_TRACKING_URI";

    /// <summary>The store used when neither <see cref="StoreUri"/> nor <see cref="TrackingUriVariable"/> is set.</summary>
    public const string DefaultStoreUri = "mlruns.db";

    /// <summary>
    /// The tracking store: a SQLite file path (<c>mlruns.db</c>, <c>/data/mlruns.db</c>, or MLflow's <c>sqlite:///mlruns.db</c>).
    /// When null, the <see cref="TrackingUriVariable"/> environment variable, else <see cref="DefaultStoreUri"/> in the current folder.
    /// </summary>
    public string? StoreUri { get; set; }

    /// <summary>The folder of the default, local artifact store; <c>mlartifacts</c> beside the SQLite file when null.</summary>
    public string? ArtifactRoot { get; set; }

    /// <summary>Whether a run records the environment snapshot, Git state, user and entry point when it starts.</summary>
    public bool CaptureEnvironment { get; set; } = true;

    /// <summary>
    /// Whether a run records the data versions read through <c>Mlops.DataVersioning</c> while it is the most recently
    /// started run still active in the process (as tags <c>mlops.data.&lt;path&gt;</c>).
    /// </summary>
    public bool RecordDataReads { get; set; } = true;

    /// <summary>
    /// Whether the tracker, when it starts its first run, marks as FAILED the runs left RUNNING by processes of this
    /// machine that have exited without ending them (a crash or a kill). See <see cref="ExperimentTracker.FailAbandonedRunsAsync"/>.
    /// </summary>
    public bool FailAbandonedRuns { get; set; } = true;

    /// <summary>The user recorded with each run; the OS user when null.</summary>
    public string? UserName { get; set; }

    /// <summary>How long a SQLite write waits for other writers before it fails.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The store URI in force: <paramref name="configured"/>, else the <see cref="TrackingUriVariable"/> variable, else
    /// <see cref="DefaultStoreUri"/>.
    /// </summary>
    public static string ResolveStoreUri(string? configured) =>
        !string.IsNullOrWhiteSpace(configured) ? configured
        : Environment.GetEnvironmentVariable(TrackingUriVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : DefaultStoreUri;

    /// <summary>Says whether a store URI names a PostgreSQL server rather than a SQLite file.</summary>
    public static bool IsPostgreSqlUri(string storeUri)
    {
        ArgumentNullException.ThrowIfNull(storeUri);
        return storeUri.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
               storeUri.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) ||
               storeUri.Contains("Host=", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Turns a SQLite store URI into a file path: MLflow's <c>sqlite:///relative.db</c> and <c>sqlite:////absolute.db</c>, or a plain path.</summary>
    /// <exception cref="TrackingException">The URI names a PostgreSQL server.</exception>
    public static string SqlitePath(string storeUri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeUri);
        if (IsPostgreSqlUri(storeUri))
        {
            throw new TrackingException(
                TrackingErrorCode.InvalidArgument,
                "The tracking store URI names a PostgreSQL server, which the embedded SQLite store cannot open: add the Mlops.Tracking.PostgreSql package and call UsePostgreSql(), or set a SQLite file path.");
        }

        const string Scheme = "sqlite:///";
        return storeUri.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? storeUri[Scheme.Length..] : storeUri;
    }
}
