using System.Data;
using Mlops.Tracking.Sql;
using Npgsql;
using NpgsqlTypes;
using Polly;
using Polly.Retry;

namespace Mlops.Tracking.PostgreSql;

/// <summary>
/// A <see cref="TrackingStore"/> on a PostgreSQL server, for teams: many processes and connections may write at once.
/// The schema is created or upgraded on first use (or by <see cref="InitializeAsync"/>) in the first schema of the
/// connection's search path, under a transaction-scoped advisory lock so that concurrent starters do not race.
/// </summary>
/// <remarks>
/// Each call is one transaction; a batch's metric points go in with one binary <c>COPY</c>, its params, tags and
/// latest metrics with one multi-row statement each. Transactions that lose a deadlock or a serialization
/// conflict are retried as a whole (a Polly pipeline), and so is a connect that fails transiently. Every value is a bound parameter.
/// </remarks>
public sealed class PostgreSqlTrackingStore : AdoNetTrackingStore<NpgsqlConnection, NpgsqlTransaction>
{
    // "MLOP": the first key of the advisory lock; the second is a hash of the schema, so stores in other schemas do not wait.
    private const int AdvisoryLockClass = 0x4D4C4F50;

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly string _location;
    private readonly ResiliencePipeline _pipeline = CreatePipeline();

    /// <summary>Creates a store on the server named by <paramref name="connectionString"/>.</summary>
    /// <param name="connectionString">An Npgsql connection string (<c>Host=db;Database=mlops;Username=…</c>) or a <c>postgresql://user@host:port/database</c> URI.</param>
    public PostgreSqlTrackingStore(string connectionString)
        : this(connectionString, TimeProvider.System)
    {
    }

    /// <summary>Creates a store on the server named by <paramref name="connectionString"/>. Nothing is opened until the first call.</summary>
    /// <param name="connectionString">An Npgsql connection string (<c>Host=db;Database=mlops;Username=…</c>) or a <c>postgresql://user@host:port/database</c> URI.</param>
    /// <param name="timeProvider">The clock of creation and update times.</param>
    /// <exception cref="ArgumentException">The connection string cannot be parsed.</exception>
    public PostgreSqlTrackingStore(string connectionString, TimeProvider timeProvider)
        : base(PostgreSqlDialect.Instance, timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = PostgreSqlConnectionStrings.Parse(connectionString);
        _dataSource = NpgsqlDataSource.Create(builder);
        _ownsDataSource = true;
        _location = Describe(builder);
    }

    /// <summary>Creates a store on a data source the caller configured (and disposes); nothing is opened until the first call.</summary>
    public PostgreSqlTrackingStore(NpgsqlDataSource dataSource, TimeProvider timeProvider)
        : base(PostgreSqlDialect.Instance, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _location = Describe(new NpgsqlConnectionStringBuilder(dataSource.ConnectionString));
    }

    /// <inheritdoc />
    public override string Location => _location;

    /// <summary>Creates or upgrades the schema now instead of on the first call; a no-op when it is current.</summary>
    /// <exception cref="TrackingException">The server cannot be reached, the schema holds another program's tables, or it was written by a newer version.</exception>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => EnsureSchemaAsync(cancellationToken);

    // ---- runs ----

    /// <inheritdoc />
    protected override Task LogBatchCoreAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await EnsureRunIsActiveAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);

            if (parameters.Count > 0)
            {
                // Sorted keys: concurrent batches lock rows in the same order and cannot deadlock one another.
                var sorted = parameters.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
                await ExecuteAsync(
                    connection,
                    transaction,
                    "INSERT INTO params (run_id, key, value) SELECT @run, k, v FROM unnest(@keys::text[], @values::text[]) AS x(k, v) ON CONFLICT (run_id, key) DO NOTHING",
                    cancellationToken,
                    ("run", runId),
                    ("keys", sorted.Select(p => p.Key).ToArray()),
                    ("values", sorted.Select(p => p.Value).ToArray())).ConfigureAwait(false);

                var stored = new Dictionary<string, string>(StringComparer.Ordinal);
                using (var command = Command(connection, transaction, "SELECT key, value FROM params WHERE run_id = @run AND key = ANY(@keys::text[])", ("run", runId), ("keys", sorted.Select(p => p.Key).ToArray())))
                {
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            stored[reader.GetString(0)] = reader.GetString(1);
                        }
                    }
                }

                foreach (var param in parameters)
                {
                    var value = stored.GetValueOrDefault(param.Key);
                    if (value != param.Value)
                    {
                        throw ParamIsWriteOnce(runId, param.Key, Truncate(value ?? ""), Truncate(param.Value));
                    }
                }
            }

            if (metrics.Count > 0)
            {
                await CopyMetricsAsync(connection, runId, metrics, cancellationToken).ConfigureAwait(false);

                // Only the newest point of each key in the batch can become the latest: one row per key.
                var latest = NewestPerKey(metrics).OrderBy(m => m.Key, StringComparer.Ordinal).ToArray();
                await ExecuteAsync(
                    connection,
                    transaction,
                    """
                    INSERT INTO latest_metrics (run_id, key, value, is_nan, timestamp, step)
                    SELECT @run, k, CASE WHEN n THEN NULL ELSE v END, n, t, s FROM unnest(@keys::text[], @values::double precision[], @nans::boolean[], @timestamps::bigint[], @steps::bigint[]) AS x(k, v, n, t, s)
                    ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, is_nan = excluded.is_nan, timestamp = excluded.timestamp, step = excluded.step
                    WHERE excluded.step > latest_metrics.step OR (excluded.step = latest_metrics.step AND excluded.timestamp >= latest_metrics.timestamp)
                    """,
                    cancellationToken,
                    ("run", runId),
                    ("keys", latest.Select(m => m.Key).ToArray()),
                    ("values", latest.Select(m => double.IsNaN(m.Value) ? 0.0 : m.Value).ToArray()),
                    ("nans", latest.Select(m => double.IsNaN(m.Value)).ToArray()),
                    ("timestamps", latest.Select(m => m.Timestamp).ToArray()),
                    ("steps", latest.Select(m => m.Step).ToArray())).ConfigureAwait(false);
            }

            await WriteTagsAsync(connection, transaction, "tags", "run_id", runId, tags, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    protected override Task<IReadOnlyList<Metric>> GetMetricHistoryCoreAsync(string runId, string key, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<Metric>>(async (connection, transaction) =>
        {
            if (await ScalarAsync(connection, transaction, "SELECT 1 FROM runs WHERE run_id = @run", cancellationToken, ("run", runId)).ConfigureAwait(false) is null)
            {
                throw RunNotFound(runId);
            }

            var history = new List<Metric>();
            using var command = Command(connection, transaction, "SELECT value, is_nan, timestamp, step FROM metrics WHERE run_id = @run AND key = @key ORDER BY step, timestamp, id", ("run", runId), ("key", key));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    history.Add(new Metric(key, ReadMetricValue(reader, 0, 1), reader.GetInt64(2), reader.GetInt64(3)));
                }
            }

            return history;
        }, cancellationToken);

    /// <inheritdoc />
    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore().ConfigureAwait(false);
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    // ---- plumbing ----

    private static string Truncate(string value) => value.Length <= 100 ? value : string.Concat(value.AsSpan(0, 100), "…");

    private static string Describe(NpgsqlConnectionStringBuilder builder)
    {
        var schema = string.IsNullOrEmpty(builder.SearchPath) ? "" : $" (search path {builder.SearchPath})";
        return $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}{schema}";
    }

    private static (string[] Keys, string[] Values) Deduplicate(IReadOnlyList<RunTag> tags)
    {
        // The last value of a key wins, as one statement per tag would do; sorted keys lock rows in a fixed order.
        var last = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            last[tag.Key] = tag.Value;
        }

        var keys = last.Keys.Order(StringComparer.Ordinal).ToArray();
        return (keys, [.. keys.Select(k => last[k])]);
    }

    /// <inheritdoc />
    protected override Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        RunAsync(work, IsolationLevel.ReadCommitted, commit: true, cancellationToken);

    /// <inheritdoc />
    protected override Task<T> ReadAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        // Repeatable read: every statement of the read sees the same snapshot.
        RunAsync(work, IsolationLevel.RepeatableRead, commit: false, cancellationToken);

    private async Task<T> RunAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, IsolationLevel isolation, bool commit, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await RetryAsync(
            async () =>
            {
                var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    var transaction = await connection.BeginTransactionAsync(isolation, cancellationToken).ConfigureAwait(false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        var result = await work(connection, transaction).ConfigureAwait(false);
                        if (commit)
                        {
                            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                        }

                        return result;
                    }
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (ex.IsTransient && !cancellationToken.IsCancellationRequested)
        {
            // Nothing was sent yet, so the connect (and then the whole transaction) may be tried again.
            throw new ConnectFailedException(ex);
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException && !cancellationToken.IsCancellationRequested)
        {
            throw CannotConnect(ex);
        }
    }

    private TrackingException CannotConnect(Exception ex) =>
        new(TrackingErrorCode.StoreFailure, $"Cannot connect to the tracking store {_location}: {ex.Message} Check the connection string (host, port, database, user) and that the server accepts connections.", ex);

    private static ResiliencePipeline CreatePipeline() =>
        new ResiliencePipelineBuilder()

            // A transaction that lost a deadlock or a serialization conflict was rolled back whole: redo it.
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<PostgresException>(ex => ex.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected),
                MaxRetryAttempts = 7,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(5),
                MaxDelay = TimeSpan.FromMilliseconds(200),
            })

            // A server that restarts or a full connection backlog: try the connect a few times.
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<ConnectFailedException>(),
                MaxRetryAttempts = 3,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
            })
            .Build();

    private async Task<T> RetryAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.ExecuteAsync(async _ => await action().ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (ConnectFailedException ex)
        {
            throw CannotConnect(ex.InnerException!);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new TrackingException(TrackingErrorCode.AlreadyExists, $"A concurrent writer created the same row first in {_location} ({ex.ConstraintName}): read it, or retry with another name.", ex);
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TrackingException(TrackingErrorCode.StoreFailure, $"The tracking store {_location} failed: {ex.Message}", ex);
        }
    }

    private sealed class ConnectFailedException(Exception inner) : Exception(inner.Message, inner);

    /// <inheritdoc />
    protected override Task CreateOrUpgradeSchemaAsync(CancellationToken cancellationToken) =>
        RetryAsync(() => CreateOrUpgradeSchemaAttemptAsync(cancellationToken), cancellationToken);

    private async Task<bool> CreateOrUpgradeSchemaAttemptAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                if (await ScalarAsync(connection, transaction, "SELECT current_schema()", cancellationToken).ConfigureAwait(false) is not string)
                {
                    throw new TrackingException(TrackingErrorCode.StoreFailure, $"The tracking store {_location} has no schema to create its tables in: create the schema named in the search path, or remove 'Search Path' from the connection string.");
                }

                // A current schema needs no lock and no DDL: the usual start is one read.
                if (await ReadSchemaVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false) == PostgreSqlSchema.CurrentVersion)
                {
                    return true;
                }

                // Concurrent starters queue here; the lock ends with the transaction, so a crash cannot leave it held.
                await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(@class, hashtext(current_schema()))", cancellationToken, ("class", AdvisoryLockClass)).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)", cancellationToken).ConfigureAwait(false);
                var version = await ReadSchemaVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                if (version > PostgreSqlSchema.CurrentVersion)
                {
                    throw new TrackingException(TrackingErrorCode.StoreFailure, $"The tracking store {_location} has schema version {version}, newer than this Mlops.Tracking.PostgreSql knows ({PostgreSqlSchema.CurrentVersion}): upgrade the Mlops.Tracking.PostgreSql package.");
                }

                if (version == 0 && await ScalarAsync(connection, transaction, "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'runs'", cancellationToken).ConfigureAwait(false) is not null)
                {
                    throw new TrackingException(TrackingErrorCode.StoreFailure, $"The schema of {_location} holds tables of another program (a 'runs' table without a schema version): use another database, or another schema through 'Search Path'.");
                }

                await ApplyMigrationsAsync(connection, transaction, PostgreSqlSchema.Migrations, version, cancellationToken).ConfigureAwait(false);

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return true;
    }

    private static async Task<int> ReadSchemaVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (await ScalarAsync(connection, transaction, "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_version'", cancellationToken).ConfigureAwait(false) is null)
        {
            return 0;
        }

        return await ScalarAsync(connection, transaction, "SELECT MAX(version) FROM schema_version", cancellationToken).ConfigureAwait(false) is int version ? version : 0;
    }

    private static async Task CopyMetricsAsync(NpgsqlConnection connection, string runId, IReadOnlyList<Metric> metrics, CancellationToken cancellationToken)
    {
        // Binary COPY: one round trip for the whole batch, inside the caller's transaction.
        var writer = await connection.BeginBinaryImportAsync("COPY metrics (run_id, key, value, is_nan, timestamp, step) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var metric in metrics)
            {
                var isNan = double.IsNaN(metric.Value);
                await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(runId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(metric.Key, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                if (isNan)
                {
                    await writer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await writer.WriteAsync(metric.Value, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                }

                await writer.WriteAsync(isNan, NpgsqlDbType.Boolean, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(metric.Timestamp, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(metric.Step, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            }

            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>One statement for all the tags: a round trip to the server costs more than the rows.</remarks>
    protected override async Task WriteTagsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, string ownerColumn, object owner, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (tags.Count == 0)
        {
            return;
        }

        var (keys, values) = Deduplicate(tags);
        await ExecuteAsync(
            connection,
            transaction,
            $"INSERT INTO {table} ({ownerColumn}, key, value) SELECT @owner, k, v FROM unnest(@keys::text[], @values::text[]) AS x(k, v) ON CONFLICT ({ownerColumn}, key) DO UPDATE SET value = excluded.value",
            cancellationToken,
            ("owner", owner),
            ("keys", keys),
            ("values", values)).ConfigureAwait(false);
    }
}
