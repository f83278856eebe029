using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;
using Mlops.Tracking.Registry;
using Mlops.Tracking.Search;
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
public sealed class SqliteTrackingStore : TrackingStore
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const string RunColumns = "run_id, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage, parent_run_id";

    private readonly string _path;
    private readonly string _connectionString;
    private readonly TimeSpan _busyTimeout;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    /// <summary>Creates a store on the file at <paramref name="path"/> with the default options.</summary>
    public SqliteTrackingStore(string path)
        : this(new SqliteTrackingStoreOptions { Path = path }, TimeProvider.System)
    {
    }

    /// <summary>Creates a store. Nothing is opened until the first call.</summary>
    public SqliteTrackingStore(SqliteTrackingStoreOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path);
        if (options.BusyTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("The busy timeout must be positive.", nameof(options));
        }

        _path = System.IO.Path.GetFullPath(options.Path);
        _busyTimeout = options.BusyTimeout;
        _timeProvider = timeProvider;
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

    // ---- experiments ----

    /// <inheritdoc />
    protected override Task<string> CreateExperimentCoreAsync(string name, string? artifactLocation, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var existing = await ScalarAsync(connection, transaction, "SELECT experiment_id FROM experiments WHERE name = @name", cancellationToken, ("@name", name)).ConfigureAwait(false);
            if (existing is not null)
            {
                throw new TrackingException(TrackingErrorCode.AlreadyExists, $"The experiment '{name}' already exists (id {existing}) in {_path}: use it, or choose another name.");
            }

            var now = Now();
            var id = Convert.ToInt64(await ScalarAsync(
                connection,
                transaction,
                "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (@name, '', 'active', @now, @now) RETURNING experiment_id",
                cancellationToken,
                ("@name", name),
                ("@now", now)).ConfigureAwait(false), CultureInfo.InvariantCulture);
            var idText = id.ToString(CultureInfo.InvariantCulture);
            await ExecuteAsync(connection, transaction, "UPDATE experiments SET artifact_location = @location WHERE experiment_id = @id", cancellationToken, ("@location", artifactLocation ?? idText), ("@id", id)).ConfigureAwait(false);
            foreach (var tag in tags)
            {
                await ExecuteAsync(
                    connection,
                    transaction,
                    "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (@id, @key, @value) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value",
                    cancellationToken,
                    ("@id", id),
                    ("@key", tag.Key),
                    ("@value", tag.Value)).ConfigureAwait(false);
            }

            return idText;
        }, cancellationToken);

    /// <inheritdoc />
    public override async Task<Experiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experimentId);
        if (!long.TryParse(experimentId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return null;
        }

        var found = await ReadExperimentsAsync("WHERE experiment_id = @id", [("@id", id)], cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public override async Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var found = await ReadExperimentsAsync("WHERE name = @name", [("@name", name)], cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<Experiment> ListExperimentsAsync(ViewType viewType = ViewType.ActiveOnly, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var where = viewType switch
        {
            ViewType.ActiveOnly => "WHERE lifecycle_stage = 'active'",
            ViewType.DeletedOnly => "WHERE lifecycle_stage = 'deleted'",
            _ => "",
        };
        foreach (var experiment in await ReadExperimentsAsync(where, [], cancellationToken).ConfigureAwait(false))
        {
            yield return experiment;
        }
    }

    /// <inheritdoc />
    public override Task SetExperimentLifecycleAsync(string experimentId, LifecycleStage stage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experimentId);
        return WriteAsync(async (connection, transaction) =>
        {
            var changed = long.TryParse(experimentId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                ? await ExecuteAsync(connection, transaction, "UPDATE experiments SET lifecycle_stage = @stage, last_update_time = @now WHERE experiment_id = @id", cancellationToken, ("@stage", Names.Of(stage)), ("@now", Now()), ("@id", id)).ConfigureAwait(false)
                : 0;
            if (changed == 0)
            {
                throw new TrackingException(TrackingErrorCode.NotFound, $"There is no experiment with id '{experimentId}' in {_path}.");
            }

            return true;
        }, cancellationToken);
    }

    // ---- runs ----

    /// <inheritdoc />
    protected override Task<RunInfo> CreateRunCoreAsync(NewRun run, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            if (!long.TryParse(run.ExperimentId, NumberStyles.None, CultureInfo.InvariantCulture, out var experimentId))
            {
                throw ExperimentNotFound(run.ExperimentId);
            }

            string location;
            using (var command = Command(connection, transaction, "SELECT artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = @id", ("@id", experimentId)))
            {
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw ExperimentNotFound(run.ExperimentId);
                }

                location = reader.GetString(0);
                if (reader.GetString(1) != "active")
                {
                    throw new TrackingException(TrackingErrorCode.Conflict, $"The experiment {run.ExperimentId} is deleted: restore it before starting runs in it.");
                }
            }

            if (run.ParentRunId is not null &&
                await ScalarAsync(connection, transaction, "SELECT 1 FROM runs WHERE run_id = @id", cancellationToken, ("@id", run.ParentRunId)).ConfigureAwait(false) is null)
            {
                throw new TrackingException(TrackingErrorCode.NotFound, $"The parent run {run.ParentRunId} does not exist in {_path}: start the parent first and pass its id.");
            }

            var runId = Guid.NewGuid().ToString("N");
            var info = new RunInfo
            {
                RunId = runId,
                ExperimentId = run.ExperimentId,
                RunName = run.RunName ?? "",
                UserId = run.UserId ?? "",
                Status = run.Status,
                StartTime = run.StartTime,
                ArtifactUri = $"{location.TrimEnd('/')}/{runId}/artifacts",
                ParentRunId = run.ParentRunId,
            };
            await ExecuteAsync(
                connection,
                transaction,
                $"INSERT INTO runs ({RunColumns}) VALUES (@id, @experiment, @name, @user, @status, @start, NULL, @uri, 'active', @parent)",
                cancellationToken,
                ("@id", info.RunId),
                ("@experiment", experimentId),
                ("@name", info.RunName),
                ("@user", info.UserId),
                ("@status", Names.Of(info.Status)),
                ("@start", info.StartTime),
                ("@uri", info.ArtifactUri),
                ("@parent", info.ParentRunId)).ConfigureAwait(false);
            await WriteTagsAsync(connection, transaction, info.RunId, run.Tags, cancellationToken).ConfigureAwait(false);
            return info;
        }, cancellationToken);

    /// <inheritdoc />
    protected override Task<RunInfo> UpdateRunCoreAsync(string runId, RunStatus status, long? endTime, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var changed = await ExecuteAsync(
                connection,
                transaction,
                "UPDATE runs SET status = @status, end_time = COALESCE(@end, end_time) WHERE run_id = @id",
                cancellationToken,
                ("@status", Names.Of(status)),
                ("@end", endTime),
                ("@id", runId)).ConfigureAwait(false);
            if (changed == 0)
            {
                throw RunNotFound(runId);
            }

            var runs = await ReadRunsAsync(connection, transaction, [runId], withData: false, cancellationToken).ConfigureAwait(false);
            return runs[0].Info;
        }, cancellationToken);

    /// <inheritdoc />
    protected override Task SetRunLifecycleCoreAsync(string runId, LifecycleStage stage, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var changed = await ExecuteAsync(connection, transaction, "UPDATE runs SET lifecycle_stage = @stage WHERE run_id = @id", cancellationToken, ("@stage", Names.Of(stage)), ("@id", runId)).ConfigureAwait(false);
            return changed == 0 ? throw RunNotFound(runId) : true;
        }, cancellationToken);

    /// <inheritdoc />
    protected override Task<Run?> GetRunCoreAsync(string runId, CancellationToken cancellationToken) =>
        ReadAsync(async (connection, transaction) =>
        {
            var runs = await ReadRunsAsync(connection, transaction, [runId], withData: true, cancellationToken).ConfigureAwait(false);
            return runs.Count == 0 ? null : runs[0];
        }, cancellationToken);

    /// <inheritdoc />
    protected override Task LogBatchCoreAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var runKey = await EnsureRunIsActiveAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);

            if (parameters.Count > 0)
            {
                using var insert = Command(connection, transaction, "INSERT INTO params (run_id, key, value) VALUES (@run, @key, @value) ON CONFLICT (run_id, key) DO NOTHING", ("@run", runId), ("@key", ""), ("@value", ""));
                using var existing = Command(connection, transaction, "SELECT value FROM params WHERE run_id = @run AND key = @key", ("@run", runId), ("@key", ""));
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
                            throw new TrackingException(
                                TrackingErrorCode.Conflict,
                                $"The param '{param.Key}' of run {runId} is already '{TrackingValidation.Truncate(stored ?? "")}'; it cannot become '{TrackingValidation.Truncate(param.Value)}' because params are write-once. " +
                                "Log the new value under another key, or start a new run. Nothing of this batch was written.");
                        }
                    }
                }
            }

            if (metrics.Count > 0)
            {
                using var latest = Command(
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
                var newest = new Dictionary<string, Metric>(StringComparer.Ordinal);
                foreach (var metric in metrics)
                {
                    if (!newest.TryGetValue(metric.Key, out var current) || (metric.Step, metric.Timestamp).CompareTo((current.Step, current.Timestamp)) >= 0)
                    {
                        newest[metric.Key] = metric;
                    }
                }

                foreach (var metric in newest.Values)
                {
                    SetMetric(latest, metric);
                    await latest.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await WriteTagsAsync(connection, transaction, runId, tags, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    protected override Task<bool> DeleteTagCoreAsync(string runId, string key, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await EnsureRunIsActiveAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);
            return await ExecuteAsync(connection, transaction, "DELETE FROM tags WHERE run_id = @run AND key = @key", cancellationToken, ("@run", runId), ("@key", key)).ConfigureAwait(false) > 0;
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

    /// <inheritdoc />
    protected override Task<IReadOnlyList<Run>> SearchRunsCoreAsync(RunSearchQuery query, CancellationToken cancellationToken)
    {
        var experimentIds = new List<object>();
        foreach (var id in query.ExperimentIds)
        {
            if (long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                experimentIds.Add(value);
            }
        }

        if (query.ExperimentIds.Count > 0 && experimentIds.Count == 0)
        {
            // Only ids this store cannot have: nothing matches.
            return Task.FromResult<IReadOnlyList<Run>>([]);
        }

        var sql = RunSearchSql.Build(query, SqliteDialect.Instance, experimentIds);
        return ReadAsync<IReadOnlyList<Run>>(async (connection, transaction) =>
        {
            var ids = new List<string>();
            using (var command = Command(connection, transaction, sql.Text))
            {
                foreach (var (name, value) in sql.Parameters)
                {
                    command.Parameters.AddWithValue(name, value);
                }

                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    ids.Add(reader.GetString(0));
                }
            }

            return await ReadRunsAsync(connection, transaction, ids, withData: true, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    // ---- model registry ----

    /// <inheritdoc />
    protected override Task<RegisteredModel> CreateRegisteredModelCoreAsync(string name, string description, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            if (await ScalarAsync(connection, transaction, "SELECT 1 FROM registered_models WHERE name = @name", cancellationToken, ("@name", name)).ConfigureAwait(false) is not null)
            {
                throw new TrackingException(TrackingErrorCode.AlreadyExists, $"The registered model '{name}' already exists in {_path}: add a version to it, or choose another name.");
            }

            var now = Now();
            await ExecuteAsync(connection, transaction, "INSERT INTO registered_models (name, description, creation_time, last_updated_time) VALUES (@name, @description, @now, @now)", cancellationToken, ("@name", name), ("@description", description), ("@now", now)).ConfigureAwait(false);
            foreach (var tag in tags)
            {
                await ExecuteAsync(connection, transaction, "INSERT INTO registered_model_tags (name, key, value) VALUES (@name, @key, @value) ON CONFLICT (name, key) DO UPDATE SET value = excluded.value", cancellationToken, ("@name", name), ("@key", tag.Key), ("@value", tag.Value)).ConfigureAwait(false);
            }

            return (await ReadRegisteredModelsAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false))[0];
        }, cancellationToken);

    /// <inheritdoc />
    public override Task<RegisteredModel?> GetRegisteredModelAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ReadAsync(async (connection, transaction) => (await ReadRegisteredModelsAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false)).FirstOrDefault(), cancellationToken);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<RegisteredModel> ListRegisteredModelsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var models = await ReadAsync((connection, transaction) => ReadRegisteredModelsAsync(connection, transaction, null, cancellationToken), cancellationToken).ConfigureAwait(false);
        foreach (var model in models)
        {
            yield return model;
        }
    }

    /// <inheritdoc />
    protected override Task<ModelVersion> CreateModelVersionCoreAsync(NewModelVersion version, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            if (await ScalarAsync(connection, transaction, "SELECT 1 FROM registered_models WHERE name = @name", cancellationToken, ("@name", version.Name)).ConfigureAwait(false) is null)
            {
                throw ModelNotFound(version.Name);
            }

            if (version.RunId is not null &&
                await ScalarAsync(connection, transaction, "SELECT 1 FROM runs WHERE run_id = @id", cancellationToken, ("@id", version.RunId)).ConfigureAwait(false) is null)
            {
                throw RunNotFound(version.RunId);
            }

            var number = Convert.ToInt32(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE name = @name", cancellationToken, ("@name", version.Name)).ConfigureAwait(false), CultureInfo.InvariantCulture);
            var now = Now();
            await ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO model_versions (name, version, source, run_id, status, description, creation_time) VALUES (@name, @version, @source, @run, 'READY', @description, @now)",
                cancellationToken,
                ("@name", version.Name),
                ("@version", number),
                ("@source", version.Source),
                ("@run", version.RunId),
                ("@description", version.Description ?? ""),
                ("@now", now)).ConfigureAwait(false);
            foreach (var tag in version.Tags)
            {
                await UpsertVersionTagAsync(connection, transaction, version.Name, number, tag, cancellationToken).ConfigureAwait(false);
            }

            await TouchModelAsync(connection, transaction, version.Name, cancellationToken).ConfigureAwait(false);
            return (await ReadModelVersionsAsync(connection, transaction, version.Name, number, cancellationToken).ConfigureAwait(false))[0];
        }, cancellationToken);

    /// <inheritdoc />
    public override Task<ModelVersion?> GetModelVersionAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ReadAsync(async (connection, transaction) => (await ReadModelVersionsAsync(connection, transaction, name, version, cancellationToken).ConfigureAwait(false)).FirstOrDefault(), cancellationToken);
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<ModelVersion>> ListModelVersionsAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ReadAsync<IReadOnlyList<ModelVersion>>(async (connection, transaction) => await ReadModelVersionsAsync(connection, transaction, name, null, cancellationToken).ConfigureAwait(false), cancellationToken);
    }

    /// <inheritdoc />
    protected override Task SetModelVersionTagCoreAsync(string name, int version, RunTag tag, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await EnsureVersionExistsAsync(connection, transaction, name, version, cancellationToken).ConfigureAwait(false);
            await UpsertVersionTagAsync(connection, transaction, name, version, tag, cancellationToken).ConfigureAwait(false);
            await TouchModelAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    protected override Task SetModelAliasCoreAsync(string name, string alias, int version, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await EnsureVersionExistsAsync(connection, transaction, name, version, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO model_aliases (name, alias, version) VALUES (@name, @alias, @version) ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version",
                cancellationToken,
                ("@name", name),
                ("@alias", alias),
                ("@version", version)).ConfigureAwait(false);
            await TouchModelAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public override Task<bool> DeleteModelAliasAsync(string name, string alias, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(alias);
        return WriteAsync(async (connection, transaction) =>
        {
            var deleted = await ExecuteAsync(connection, transaction, "DELETE FROM model_aliases WHERE name = @name AND alias = @alias", cancellationToken, ("@name", name), ("@alias", alias)).ConfigureAwait(false) > 0;
            if (deleted)
            {
                await TouchModelAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
            }

            return deleted;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public override Task<ModelVersion?> GetModelVersionByAliasAsync(string name, string alias, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(alias);
        return ReadAsync(async (connection, transaction) =>
        {
            var version = await ScalarAsync(connection, transaction, "SELECT version FROM model_aliases WHERE name = @name AND alias = @alias", cancellationToken, ("@name", name), ("@alias", alias)).ConfigureAwait(false);
            if (version is null)
            {
                return null;
            }

            return (await ReadModelVersionsAsync(connection, transaction, name, Convert.ToInt32(version, CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        }, cancellationToken);
    }

    /// <inheritdoc />
    protected override ValueTask DisposeAsyncCore()
    {
        _schemaLock.Dispose();
        return ValueTask.CompletedTask;
    }

    // ---- plumbing ----

    private long Now() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
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

    private async Task<T> ReadAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        if (!_schemaReady && !File.Exists(_path))
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

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_schemaReady)
        {
            return;
        }

        await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady)
            {
                return;
            }

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

            await RetryWhileBusyAsync(() => CreateOrUpgradeSchemaAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    private async Task<bool> CreateOrUpgradeSchemaAsync(CancellationToken cancellationToken)
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

        for (var next = version; next < SqliteSchema.CurrentVersion; next++)
        {
            await ExecuteAsync(connection, transaction, SqliteSchema.Migrations[next], cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, "INSERT INTO schema_version (version) VALUES (@v)", cancellationToken, ("@v", next + 1)).ConfigureAwait(false);
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
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
        using var intern = Command(connection, transaction, "INSERT INTO metric_keys (key) VALUES (@key) ON CONFLICT (key) DO UPDATE SET key = excluded.key RETURNING key_id", ("@key", ""));
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

    private static double ReadMetricValue(SqliteDataReader reader, int valueOrdinal, int nanOrdinal) =>
        reader.GetInt64(nanOrdinal) != 0 || reader.IsDBNull(valueOrdinal) ? double.NaN : reader.GetDouble(valueOrdinal);

    /// <summary>Returns the run's integer key; fails unless the run exists and is active.</summary>
    private async Task<long> EnsureRunIsActiveAsync(SqliteConnection connection, SqliteTransaction transaction, string runId, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, "SELECT run_key, lifecycle_stage FROM runs WHERE run_id = @run", ("@run", runId));
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw RunNotFound(runId);
        }

        if (reader.GetString(1) != "active")
        {
            throw new TrackingException(TrackingErrorCode.Conflict, $"The run {runId} is deleted: restore it before logging to it. Nothing was written.");
        }

        return reader.GetInt64(0);
    }

    private static async Task WriteTagsAsync(SqliteConnection connection, SqliteTransaction transaction, string runId, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken)
    {
        if (tags.Count == 0)
        {
            return;
        }

        using var command = Command(connection, transaction, "INSERT INTO tags (run_id, key, value) VALUES (@run, @key, @value) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value", ("@run", runId), ("@key", ""), ("@value", ""));
        command.Prepare();
        foreach (var tag in tags)
        {
            command.Parameters["@key"].Value = tag.Key;
            command.Parameters["@value"].Value = tag.Value;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<List<Experiment>> ReadExperimentsAsync(string where, (string, object?)[] parameters, CancellationToken cancellationToken) =>
        await ReadAsync(async (connection, transaction) =>
        {
            var experiments = new List<(long Id, Experiment Experiment)>();
            using (var command = Command(connection, transaction, $"SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time FROM experiments {where} ORDER BY experiment_id", parameters))
            {
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    experiments.Add((reader.GetInt64(0), new Experiment
                    {
                        ExperimentId = reader.GetInt64(0).ToString(CultureInfo.InvariantCulture),
                        Name = reader.GetString(1),
                        ArtifactLocation = reader.GetString(2),
                        LifecycleStage = Names.ParseStage(reader.GetString(3)),
                        CreationTime = reader.GetInt64(4),
                    }));
                }
            }

            var result = new List<Experiment>(experiments.Count);
            foreach (var (id, experiment) in experiments)
            {
                var tags = new Dictionary<string, string>(StringComparer.Ordinal);
                using var command = Command(connection, transaction, "SELECT key, value FROM experiment_tags WHERE experiment_id = @id", ("@id", id));
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    tags[reader.GetString(0)] = reader.GetString(1);
                }

                result.Add(experiment with { Tags = tags });
            }

            return result;
        }, cancellationToken).ConfigureAwait(false);

    private static async Task<List<Run>> ReadRunsAsync(SqliteConnection connection, SqliteTransaction? transaction, IReadOnlyList<string> runIds, bool withData, CancellationToken cancellationToken)
    {
        var infos = new Dictionary<string, RunInfo>(StringComparer.Ordinal);
        var metrics = new Dictionary<string, Dictionary<string, Metric>>(StringComparer.Ordinal);
        var parameters = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var tags = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);

        // SQLite binds at most 32766 parameters per statement; chunk well below that.
        foreach (var chunk in runIds.Chunk(500))
        {
            var names = string.Join(", ", chunk.Select((_, i) => "@r" + i.ToString(CultureInfo.InvariantCulture)));
            var bound = chunk.Select((id, i) => ("@r" + i.ToString(CultureInfo.InvariantCulture), (object?)id)).ToArray();
            using (var command = Command(connection, transaction, $"SELECT {RunColumns} FROM runs WHERE run_id IN ({names})", bound))
            {
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var info = new RunInfo
                    {
                        RunId = reader.GetString(0),
                        ExperimentId = reader.GetInt64(1).ToString(CultureInfo.InvariantCulture),
                        RunName = reader.GetString(2),
                        UserId = reader.GetString(3),
                        Status = Names.ParseStatus(reader.GetString(4)),
                        StartTime = reader.GetInt64(5),
                        EndTime = reader.IsDBNull(6) ? null : reader.GetInt64(6),
                        ArtifactUri = reader.GetString(7),
                        LifecycleStage = Names.ParseStage(reader.GetString(8)),
                        ParentRunId = reader.IsDBNull(9) ? null : reader.GetString(9),
                    };
                    infos[info.RunId] = info;
                }
            }

            if (!withData)
            {
                continue;
            }

            using (var command = Command(connection, transaction, $"SELECT run_id, key, value, is_nan, timestamp, step FROM latest_metrics WHERE run_id IN ({names})", bound))
            {
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var key = reader.GetString(1);
                    Bucket(metrics, reader.GetString(0))[key] = new Metric(key, ReadMetricValue(reader, 2, 3), reader.GetInt64(4), reader.GetInt64(5));
                }
            }

            await ReadPairsAsync(connection, transaction, $"SELECT run_id, key, value FROM params WHERE run_id IN ({names})", bound, parameters, cancellationToken).ConfigureAwait(false);
            await ReadPairsAsync(connection, transaction, $"SELECT run_id, key, value FROM tags WHERE run_id IN ({names})", bound, tags, cancellationToken).ConfigureAwait(false);
        }

        var runs = new List<Run>(infos.Count);
        foreach (var id in runIds)
        {
            if (infos.TryGetValue(id, out var info))
            {
                runs.Add(new Run
                {
                    Info = info,
                    Data = new RunData
                    {
                        Metrics = metrics.GetValueOrDefault(id) ?? [],
                        Params = parameters.GetValueOrDefault(id) ?? [],
                        Tags = tags.GetValueOrDefault(id) ?? [],
                    },
                });
            }
        }

        return runs;
    }

    private static async Task ReadPairsAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, (string, object?)[] bound, Dictionary<string, Dictionary<string, string>> into, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, sql, bound);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            Bucket(into, reader.GetString(0))[reader.GetString(1)] = reader.GetString(2);
        }
    }

    private static Dictionary<string, TValue> Bucket<TValue>(Dictionary<string, Dictionary<string, TValue>> buckets, string runId)
    {
        if (!buckets.TryGetValue(runId, out var bucket))
        {
            bucket = new Dictionary<string, TValue>(StringComparer.Ordinal);
            buckets[runId] = bucket;
        }

        return bucket;
    }

    private static async Task<List<RegisteredModel>> ReadRegisteredModelsAsync(SqliteConnection connection, SqliteTransaction? transaction, string? name, CancellationToken cancellationToken)
    {
        var models = new List<RegisteredModel>();
        var where = name is null ? "" : "WHERE m.name = @name";
        using (var command = Command(
            connection,
            transaction,
            $"SELECT m.name, m.description, m.creation_time, m.last_updated_time, (SELECT MAX(version) FROM model_versions v WHERE v.name = m.name) FROM registered_models m {where} ORDER BY m.name",
            ("@name", name)))
        {
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                models.Add(new RegisteredModel
                {
                    Name = reader.GetString(0),
                    Description = reader.GetString(1),
                    CreationTime = reader.GetInt64(2),
                    LastUpdatedTime = reader.GetInt64(3),
                    LatestVersion = reader.IsDBNull(4) ? null : reader.GetInt32(4),
                });
            }
        }

        for (var i = 0; i < models.Count; i++)
        {
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            var aliases = new Dictionary<string, int>(StringComparer.Ordinal);
            using (var command = Command(connection, transaction, "SELECT key, value FROM registered_model_tags WHERE name = @name", ("@name", models[i].Name)))
            {
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    tags[reader.GetString(0)] = reader.GetString(1);
                }
            }

            using (var command = Command(connection, transaction, "SELECT alias, version FROM model_aliases WHERE name = @name", ("@name", models[i].Name)))
            {
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    aliases[reader.GetString(0)] = reader.GetInt32(1);
                }
            }

            models[i] = models[i] with { Tags = tags, Aliases = aliases };
        }

        return models;
    }

    private static async Task<List<ModelVersion>> ReadModelVersionsAsync(SqliteConnection connection, SqliteTransaction? transaction, string name, int? version, CancellationToken cancellationToken)
    {
        var versions = new List<ModelVersion>();
        var where = version is null ? "" : " AND version = @version";
        using (var command = Command(connection, transaction, $"SELECT version, source, run_id, status, description, creation_time FROM model_versions WHERE name = @name{where} ORDER BY version", ("@name", name), ("@version", version)))
        {
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                versions.Add(new ModelVersion
                {
                    Name = name,
                    Version = reader.GetInt32(0),
                    Source = reader.GetString(1),
                    RunId = reader.IsDBNull(2) ? null : reader.GetString(2),
                    Status = reader.GetString(3),
                    Description = reader.GetString(4),
                    CreationTime = reader.GetInt64(5),
                });
            }
        }

        var tags = new Dictionary<int, Dictionary<string, string>>();
        using (var command = Command(connection, transaction, $"SELECT version, key, value FROM model_version_tags WHERE name = @name{where}", ("@name", name), ("@version", version)))
        {
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!tags.TryGetValue(reader.GetInt32(0), out var bucket))
                {
                    bucket = new Dictionary<string, string>(StringComparer.Ordinal);
                    tags[reader.GetInt32(0)] = bucket;
                }

                bucket[reader.GetString(1)] = reader.GetString(2);
            }
        }

        var aliases = new Dictionary<int, List<string>>();
        using (var command = Command(connection, transaction, $"SELECT version, alias FROM model_aliases WHERE name = @name{where} ORDER BY alias", ("@name", name), ("@version", version)))
        {
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!aliases.TryGetValue(reader.GetInt32(0), out var list))
                {
                    list = [];
                    aliases[reader.GetInt32(0)] = list;
                }

                list.Add(reader.GetString(1));
            }
        }

        return [.. versions.Select(v => v with
        {
            Tags = tags.GetValueOrDefault(v.Version) ?? [],
            Aliases = aliases.GetValueOrDefault(v.Version) ?? [],
        })];
    }

    private async Task EnsureVersionExistsAsync(SqliteConnection connection, SqliteTransaction transaction, string name, int version, CancellationToken cancellationToken)
    {
        if (await ScalarAsync(connection, transaction, "SELECT 1 FROM model_versions WHERE name = @name AND version = @version", cancellationToken, ("@name", name), ("@version", version)).ConfigureAwait(false) is null)
        {
            throw new TrackingException(TrackingErrorCode.NotFound, $"The model '{name}' has no version {version} in {_path}: list its versions, or register the model first.");
        }
    }

    private static Task<int> UpsertVersionTagAsync(SqliteConnection connection, SqliteTransaction transaction, string name, int version, RunTag tag, CancellationToken cancellationToken) =>
        ExecuteAsync(
            connection,
            transaction,
            "INSERT INTO model_version_tags (name, version, key, value) VALUES (@name, @version, @key, @value) ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value",
            cancellationToken,
            ("@name", name),
            ("@version", version),
            ("@key", tag.Key),
            ("@value", tag.Value));

    private Task<int> TouchModelAsync(SqliteConnection connection, SqliteTransaction transaction, string name, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, "UPDATE registered_models SET last_updated_time = @now WHERE name = @name", cancellationToken, ("@now", Now()), ("@name", name));

    private TrackingException RunNotFound(string runId) =>
        new(TrackingErrorCode.NotFound, $"The run {runId} does not exist in the tracking store {_path}: check the id, or start the run first.");

    private TrackingException ExperimentNotFound(string experimentId) =>
        new(TrackingErrorCode.NotFound, $"There is no experiment with id '{experimentId}' in {_path}: create it first, or start the run by experiment name.");

    private TrackingException ModelNotFound(string name) =>
        new(TrackingErrorCode.NotFound, $"There is no registered model '{name}' in {_path}: create it first (ModelRegistry.RegisterModelAsync does so).");

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
