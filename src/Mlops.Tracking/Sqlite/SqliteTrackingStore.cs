using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Mlops.Tracking.Sql;
using SQLitePCL;

namespace Mlops.Tracking.Sqlite;

/// <summary>Options of a <see cref="SqliteTrackingStore"/>.</summary>
public sealed class SqliteTrackingStoreOptions
{
    /// <summary>The database file; created, with its folder, by the first write. Reading a missing file finds an empty store and creates nothing.</summary>
    public string Path { get; set; } = "mlruns.db";

    /// <summary>
    /// How long a write waits for other writers (threads or processes) before it fails. SQLite lets one writer in
    /// at a time; the store retries while the file is locked, so callers never see "database is locked" sooner.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// The embedded default <see cref="TrackingStore"/>: one SQLite file in WAL mode, which several threads and
/// processes may read and write at once. The schema is created or upgraded on first use.
/// </summary>
/// <remarks>
/// Each write is one <c>BEGIN IMMEDIATE</c> transaction, retried as a whole while another writer holds the
/// lock. A batch's metric points go in through one prepared statement, re-bound per point. Every value is a bound parameter.
/// </remarks>
public sealed class SqliteTrackingStore : AdoNetTrackingStore<SqliteConnection, SqliteTransaction>
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    private readonly string _path;
    private readonly string _connectionString;
    private readonly TimeSpan _busyTimeout;

    /// <summary>Creates a store on the file at <paramref name="path"/> with the default options.</summary>
    public SqliteTrackingStore(string path)
        : this(new SqliteTrackingStoreOptions { Path = path }, TimeProvider.System)
    {
    }

    /// <summary>Creates a store. Nothing is opened until the first call.</summary>
    public SqliteTrackingStore(SqliteTrackingStoreOptions options, TimeProvider timeProvider)
        : base(SqliteDialect.Instance, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path);
        if (options.BusyTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("The busy timeout must be positive.", nameof(options));
        }

        _path = System.IO.Path.GetFullPath(options.Path);
        _busyTimeout = options.BusyTimeout;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(_busyTimeout.TotalSeconds)),
        }.ToString();
    }

    /// <inheritdoc />
    public override string Location => _path;

    /// <summary>The full path of the database file.</summary>
    public string Path => _path;

    /// <summary>Creates or upgrades the schema now instead of on the first call.</summary>
    /// <exception cref="TrackingException">The file is not a tracking store, or was written by a newer version.</exception>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => EnsureSchemaAsync(cancellationToken);

    // ---- runs ----

    /// <inheritdoc />
    protected override Task LogBatchCoreAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var runKey = await ActiveRunKeyAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);

            if (parameters.Count > 0)
            {
                using var insert = (SqliteCommand)Command(connection, transaction, "INSERT INTO params (run_id, key, value) VALUES (@run, @key, @value) ON CONFLICT (run_id, key) DO NOTHING", ("@run", runId), ("@key", ""), ("@value", ""));
                using var existing = (SqliteCommand)Command(connection, transaction, "SELECT value FROM params WHERE run_id = @run AND key = @key", ("@run", runId), ("@key", ""));
                insert.Prepare();
                foreach (var param in parameters)
                {
                    insert.Parameters["@key"].Value = param.Key;
                    insert.Parameters["@value"].Value = param.Value;
                    if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                    {
                        existing.Parameters["@key"].Value = param.Key;
                        var stored = (string?)await existing.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                        if (stored != param.Value)
                        {
                            throw ParamIsWriteOnce(runId, param.Key, TrackingValidation.Truncate(stored ?? ""), TrackingValidation.Truncate(param.Value));
                        }
                    }
                }
            }

            if (metrics.Count > 0)
            {
                using var latest = (SqliteCommand)Command(
                    connection,
                    transaction,
                    """
                    INSERT INTO latest_metrics (run_id, key, value, is_nan, timestamp, step) VALUES (@run, @key, @value, @nan, @timestamp, @step)
                    ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, is_nan = excluded.is_nan, timestamp = excluded.timestamp, step = excluded.step
                    WHERE excluded.step > latest_metrics.step OR (excluded.step = latest_metrics.step AND excluded.timestamp >= latest_metrics.timestamp)
                    """,
                    ("@run", runId),
                    ("@key", ""),
                    ("@value", 0.0),
                    ("@nan", 0),
                    ("@timestamp", 0L),
                    ("@step", 0L));
                latest.Prepare();
                await InsertMetricsAsync(connection, transaction, runKey, metrics, cancellationToken).ConfigureAwait(false);

                // Only the newest point of each key in the batch can become the latest: one upsert per key.
                foreach (var metric in NewestPerKey(metrics))
                {
                    SetMetric(latest, metric);
                    await latest.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await WriteTagsAsync(connection, transaction, "tags", "run_id", runId, tags, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    protected override Task<IReadOnlyList<Metric>> GetMetricHistoryCoreAsync(string runId, string key, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<Metric>>(async (connection, transaction) =>
        {
            var runKey = await ScalarAsync(connection, transaction, "SELECT run_key FROM runs WHERE run_id = @run", cancellationToken, ("@run", runId)).ConfigureAwait(false) ?? throw RunNotFound(runId);
            var history = new List<Metric>();
            using var command = Command(
                connection,
                transaction,
                "SELECT value, is_nan, timestamp, step FROM metrics WHERE run_key = @run AND key_id = (SELECT key_id FROM metric_keys WHERE key = @key) ORDER BY step, timestamp, rowid",
                ("@run", runKey),
                ("@key", key));
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                history.Add(new Metric(key, ReadMetricValue(reader, 0, 1), reader.GetInt64(2), reader.GetInt64(3)));
            }

            return history;
        }, cancellationToken);

    // ---- plumbing ----

    /// <inheritdoc />
    protected override async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await RetryWhileBusyAsync(
            async () =>
            {
                var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    // BEGIN IMMEDIATE: take the write lock first, so a busy store fails here, before anything is done.
                    var transaction = connection.BeginTransaction(deferred: false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        var result = await work(connection, transaction).ConfigureAwait(false);
                        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                        return result;
                    }
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task<T> ReadAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        if (!IsSchemaReady && !File.Exists(_path))
        {
            // A read never creates the store (a mistyped --store must not leave a file behind): a missing file reads as
            // an empty store, as a fresh MLflow store does. The same queries run on an empty in-memory schema.
            var empty = new SqliteConnection("Data Source=:memory:");
            await using (empty.ConfigureAwait(false))
            {
                await empty.OpenAsync(cancellationToken).ConfigureAwait(false);
                var transaction = empty.BeginTransaction();
                await using (transaction.ConfigureAwait(false))
                {
                    await MigrateAsync(empty, transaction, cancellationToken).ConfigureAwait(false);
                    return await work(empty, transaction).ConfigureAwait(false);
                }
            }
        }

        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await RetryWhileBusyAsync(
            async () =>
            {
                var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    // A deferred transaction: every statement of the read sees the same snapshot of the WAL.
                    var transaction = connection.BeginTransaction(deferred: true);
                    await using (transaction.ConfigureAwait(false))
                    {
                        return await work(connection, transaction).ConfigureAwait(false);
                    }
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var busyMilliseconds = ((long)_busyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            using var pragmas = connection.CreateCommand();
            // WAL + synchronous NORMAL: a commit appends to the WAL without waiting for the disk; a power loss can lose the
            // last transactions, never corrupt the file (the WAL is checksummed and synced at checkpoints), and a crash of
            // the process alone loses nothing. A 16 MiB page cache (SQLite's default is 2 MiB) keeps a search's index
            // pages in memory between the calls of a pooled connection.
            pragmas.CommandText = $"PRAGMA busy_timeout = {busyMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<T> RetryWhileBusyAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)_busyTimeout.TotalMilliseconds;
        var delay = 2;
        while (true)
        {
            try
            {
                return await action().ConfigureAwait(false);
            }
            catch (SqliteException ex) when (IsBusy(ex) && Environment.TickCount64 < deadline)
            {
                // Another writer holds the lock past SQLite's own busy wait: back off with jitter and redo the whole transaction.
                await Task.Delay(Random.Shared.Next(delay, delay * 2), cancellationToken).ConfigureAwait(false);
                delay = Math.Min(delay * 2, 100);
            }
            catch (SqliteException ex) when (IsBusy(ex))
            {
                throw new TrackingException(TrackingErrorCode.StoreFailure, $"The tracking store {_path} stayed locked by other writers for {_busyTimeout.TotalSeconds:0} s. Raise BusyTimeout, or use a PostgreSQL store for many concurrent writers.", ex);
            }
            catch (SqliteException ex)
            {
                throw new TrackingException(TrackingErrorCode.StoreFailure, $"The tracking store {_path} failed: {ex.Message}", ex);
            }
        }
    }

    private static bool IsBusy(SqliteException ex) => (ex.SqliteErrorCode & 0xFF) is SqliteBusy or SqliteLocked;

    /// <inheritdoc />
    protected override async Task CreateOrUpgradeSchemaAsync(CancellationToken cancellationToken)
    {
        var folder = System.IO.Path.GetDirectoryName(_path);
        try
        {
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TrackingException(TrackingErrorCode.StoreFailure, $"Cannot create the folder of the tracking store {_path}: {ex.Message} Choose a writable location (TrackingOptions.StoreUri or MLOPS_TRACKING_URI).", ex);
        }

        await RetryWhileBusyAsync(() => CreateOrUpgradeSchemaAttemptAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> CreateOrUpgradeSchemaAttemptAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var mode = await ScalarAsync(connection, null, "PRAGMA journal_mode = WAL", cancellationToken).ConfigureAwait(false) as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new TrackingException(TrackingErrorCode.StoreFailure, $"The tracking store {_path} could not switch to WAL mode (it is in '{mode}' mode): keep the file on a local disk, not a network share.");
            }

            var transaction = connection.BeginTransaction(deferred: false);
            await using (transaction.ConfigureAwait(false))
            {
                await MigrateAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            // Table statistics let the planner drive a search from the (key, value) index of a filter clause instead of
            // scanning the experiment's runs. SQLite's advice for short-lived connections: optimize on open, which
            // analyzes (a bounded sample of) only the tables never analyzed or much grown since.
            await ExecuteAsync(connection, null, "PRAGMA analysis_limit = 400; PRAGMA optimize = 0x10002;", cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Creates the schema, or upgrades it to <see cref="SqliteSchema.CurrentVersion"/>, inside <paramref name="transaction"/>.</summary>
    private async Task MigrateAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", cancellationToken).ConfigureAwait(false);
        var stored = await ScalarAsync(connection, transaction, "SELECT MAX(version) FROM schema_version", cancellationToken).ConfigureAwait(false);
        var version = stored is null or DBNull ? 0 : Convert.ToInt32(stored, CultureInfo.InvariantCulture);
        if (version > SqliteSchema.CurrentVersion)
        {
            throw new TrackingException(TrackingErrorCode.StoreFailure, $"The tracking store {_path} has schema version {version}, newer than this Mlops.Tracking knows ({SqliteSchema.CurrentVersion}): upgrade the Mlops.Tracking package.");
        }

        if (version == 0 && await ScalarAsync(connection, transaction, "SELECT 1 FROM sqlite_master WHERE name = 'runs'", cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new TrackingException(TrackingErrorCode.StoreFailure, $"The file {_path} holds tables of another program (a 'runs' table without a schema version): point the tracking store at another file.");
        }

        await ApplyMigrationsAsync(connection, transaction, SqliteSchema.Migrations, version, cancellationToken).ConfigureAwait(false);
    }

    private static async Task InsertMetricsAsync(SqliteConnection connection, SqliteTransaction transaction, long runKey, IReadOnlyList<Metric> metrics, CancellationToken cancellationToken)
    {
        var keyIds = await MetricKeyIdsAsync(connection, transaction, metrics, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        // The hot path of logging: one statement prepared once per batch, bound by position and stepped per row through
        // SQLitePCL (which Microsoft.Data.Sqlite runs on), inside the batch's transaction. A SqliteCommand execution costs
        // several times the insert itself (a data reader, named parameter lookups and boxing per row).
        var db = connection.Handle!;
        Check(raw.sqlite3_prepare_v2(db, "INSERT INTO metrics (run_key, key_id, value, is_nan, timestamp, step) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", out var insert), db);
        using (insert)
        {
            Check(raw.sqlite3_bind_int64(insert, 1, runKey), db);
            string? lastKey = null;
            foreach (var metric in metrics)
            {
                if (!ReferenceEquals(metric.Key, lastKey))
                {
                    Check(raw.sqlite3_bind_int64(insert, 2, keyIds[metric.Key]), db);
                    lastKey = metric.Key;
                }

                // SQLite turns a NaN into NULL: the flag makes NaN read back as NaN.
                var isNan = double.IsNaN(metric.Value);
                Check(isNan ? raw.sqlite3_bind_null(insert, 3) : raw.sqlite3_bind_double(insert, 3, metric.Value), db);
                Check(raw.sqlite3_bind_int(insert, 4, isNan ? 1 : 0), db);
                Check(raw.sqlite3_bind_int64(insert, 5, metric.Timestamp), db);
                Check(raw.sqlite3_bind_int64(insert, 6, metric.Step), db);
                var done = raw.sqlite3_step(insert);
                if (done != raw.SQLITE_DONE)
                {
                    SqliteException.ThrowExceptionForRC(done, db);
                }

                Check(raw.sqlite3_reset(insert), db);
            }
        }
    }

    private static void Check(int rc, sqlite3 db) => SqliteException.ThrowExceptionForRC(rc, db);

    /// <summary>Interns the batch's metric keys: each distinct key gets (or already has) a row in <c>metric_keys</c>.</summary>
    private static async Task<Dictionary<string, long>> MetricKeyIdsAsync(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<Metric> metrics, CancellationToken cancellationToken)
    {
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        using var intern = (SqliteCommand)Command(connection, transaction, "INSERT INTO metric_keys (key) VALUES (@key) ON CONFLICT (key) DO UPDATE SET key = excluded.key RETURNING key_id", ("@key", ""));
        foreach (var metric in metrics)
        {
            if (!ids.ContainsKey(metric.Key))
            {
                intern.Parameters[0].Value = metric.Key;
                ids[metric.Key] = (long)(await intern.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }
        }

        return ids;
    }

    private static void SetMetric(SqliteCommand command, Metric metric)
    {
        command.Parameters["@key"].Value = metric.Key;

        // SQLite turns a NaN into NULL: keep a flag so NaN reads back as NaN and sorts with the missing values.
        var isNan = double.IsNaN(metric.Value);
        command.Parameters["@value"].Value = isNan ? DBNull.Value : metric.Value;
        command.Parameters["@nan"].Value = isNan ? 1 : 0;
        command.Parameters["@timestamp"].Value = metric.Timestamp;
        command.Parameters["@step"].Value = metric.Step;
    }

    /// <summary>Returns the run's integer key; fails unless the run exists and is active.</summary>
    private async Task<long> ActiveRunKeyAsync(SqliteConnection connection, SqliteTransaction transaction, string runId, CancellationToken cancellationToken)
    {
        var runKey = await ScalarAsync(connection, transaction, "SELECT run_key FROM runs WHERE run_id = @run AND lifecycle_stage = 'active'", cancellationToken, ("@run", runId)).ConfigureAwait(false);
        if (runKey is null)
        {
            // Missing or deleted: the shared check throws, telling which (in this transaction the run cannot change).
            await EnsureRunIsActiveAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);
        }

        return (long)runKey!;
    }

    /// <inheritdoc />
    /// <remarks>One prepared statement, re-bound per tag: SQLite runs each in microseconds, in process.</remarks>
    protected override async Task WriteTagsAsync(SqliteConnection connection, SqliteTransaction transaction, string table, string ownerColumn, object owner, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (tags.Count == 0)
        {
            return;
        }

        using var command = (SqliteCommand)Command(connection, transaction, $"INSERT INTO {table} ({ownerColumn}, key, value) VALUES (@owner, @key, @value) ON CONFLICT ({ownerColumn}, key) DO UPDATE SET value = excluded.value", ("@owner", owner), ("@key", ""), ("@value", ""));
        command.Prepare();
        foreach (var tag in tags)
        {
            command.Parameters["@key"].Value = tag.Key;
            command.Parameters["@value"].Value = tag.Value;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class SqliteDialect : SqlDialect
    {
        public static readonly SqliteDialect Instance = new();

        // SQLite's LIKE ignores ASCII case; GLOB respects it, so LIKE becomes GLOB with the pattern translated.
        public override string Like(string column, string parameter, bool ignoreCase) =>
            ignoreCase ? $"{column} LIKE {parameter}" : $"{column} GLOB {parameter}";

        public override string LikePattern(string pattern, bool ignoreCase)
        {
            if (ignoreCase)
            {
                return pattern;
            }

            var glob = new StringBuilder(pattern.Length + 8);
            foreach (var c in pattern)
            {
                glob.Append(c switch
                {
                    '%' => "*",
                    '_' => "?",
                    '*' => "[*]",
                    '?' => "[?]",
                    '[' => "[[]",
                    _ => c.ToString(),
                });
            }

            return glob.ToString();
        }
    }
}
