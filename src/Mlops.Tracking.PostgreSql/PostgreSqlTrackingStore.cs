using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using Mlops.Tracking.Registry;
using Mlops.Tracking.Search;
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
public sealed class PostgreSqlTrackingStore : TrackingStore
{
    // "MLOP": the first key of the advisory lock; the second is a hash of the schema, so stores in other schemas do not wait.
    private const int AdvisoryLockClass = 0x4D4C4F50;
    private const string RunColumns = "run_id, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage, parent_run_id";

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly TimeProvider _timeProvider;
    private readonly string _location;
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private readonly ResiliencePipeline _pipeline = CreatePipeline();
    private volatile bool _schemaReady;

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
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var builder = PostgreSqlConnectionStrings.Parse(connectionString);
        _dataSource = NpgsqlDataSource.Create(builder);
        _ownsDataSource = true;
        _timeProvider = timeProvider;
        _location = Describe(builder);
    }

    /// <summary>Creates a store on a data source the caller configured (and disposes); nothing is opened until the first call.</summary>
    public PostgreSqlTrackingStore(NpgsqlDataSource dataSource, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _dataSource = dataSource;
        _timeProvider = timeProvider;
        _location = Describe(new NpgsqlConnectionStringBuilder(dataSource.ConnectionString));
    }

    /// <inheritdoc />
    public override string Location => _location;

    /// <summary>Creates or upgrades the schema now instead of on the first call; a no-op when it is current.</summary>
    /// <exception cref="TrackingException">The server cannot be reached, the schema holds another program's tables, or it was written by a newer version.</exception>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => EnsureSchemaAsync(cancellationToken);

    // ---- experiments ----

    /// <inheritdoc />
    protected override Task<string> CreateExperimentCoreAsync(string name, string? artifactLocation, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var existing = await ScalarAsync(connection, transaction, "SELECT experiment_id FROM experiments WHERE name = @name", cancellationToken, ("name", name)).ConfigureAwait(false);
            if (existing is not null)
            {
                throw new TrackingException(TrackingErrorCode.AlreadyExists, $"The experiment '{name}' already exists (id {existing}) in {_location}: use it, or choose another name.");
            }

            var now = Now();
            var id = (long)(await ScalarAsync(
                connection,
                transaction,
                "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (@name, '', 'active', @now, @now) RETURNING experiment_id",
                cancellationToken,
                ("name", name),
                ("now", now)).ConfigureAwait(false))!;
            var idText = id.ToString(CultureInfo.InvariantCulture);
            await ExecuteAsync(connection, transaction, "UPDATE experiments SET artifact_location = @location WHERE experiment_id = @id", cancellationToken, ("location", artifactLocation ?? idText), ("id", id)).ConfigureAwait(false);
            if (tags.Count > 0)
            {
                var (keys, values) = Deduplicate(tags);
                await ExecuteAsync(
                    connection,
                    transaction,
                    "INSERT INTO experiment_tags (experiment_id, key, value) SELECT @id, k, v FROM unnest(@keys::text[], @values::text[]) AS x(k, v) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value",
                    cancellationToken,
                    ("id", id),
                    ("keys", keys),
                    ("values", values)).ConfigureAwait(false);
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

        var found = await ReadExperimentsAsync("WHERE experiment_id = @id", [("id", id)], cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public override async Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var found = await ReadExperimentsAsync("WHERE name = @name", [("name", name)], cancellationToken).ConfigureAwait(false);
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
                ? await ExecuteAsync(connection, transaction, "UPDATE experiments SET lifecycle_stage = @stage, last_update_time = @now WHERE experiment_id = @id", cancellationToken, ("stage", FormatStage(stage)), ("now", Now()), ("id", id)).ConfigureAwait(false)
                : 0;
            if (changed == 0)
            {
                throw new TrackingException(TrackingErrorCode.NotFound, $"There is no experiment with id '{experimentId}' in {_location}.");
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
            using (var command = Command(connection, transaction, "SELECT artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = @id FOR SHARE", ("id", experimentId)))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
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
            }

            if (run.ParentRunId is not null &&
                await ScalarAsync(connection, transaction, "SELECT 1 FROM runs WHERE run_id = @id", cancellationToken, ("id", run.ParentRunId)).ConfigureAwait(false) is null)
            {
                throw new TrackingException(TrackingErrorCode.NotFound, $"The parent run {run.ParentRunId} does not exist in {_location}: start the parent first and pass its id.");
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
                ("id", info.RunId),
                ("experiment", experimentId),
                ("name", info.RunName),
                ("user", info.UserId),
                ("status", FormatStatus(info.Status)),
                ("start", info.StartTime),
                ("uri", info.ArtifactUri),
                ("parent", (object?)info.ParentRunId ?? DBNull.Value)).ConfigureAwait(false);
            await WriteTagsAsync(connection, transaction, info.RunId, run.Tags, cancellationToken).ConfigureAwait(false);
            return info;
        }, cancellationToken);

    /// <inheritdoc />
    protected override Task<RunInfo> UpdateRunCoreAsync(string runId, RunStatus status, long? endTime, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var sql = endTime is null
                ? "UPDATE runs SET status = @status WHERE run_id = @id"
                : "UPDATE runs SET status = @status, end_time = @end WHERE run_id = @id";
            var changed = endTime is null
                ? await ExecuteAsync(connection, transaction, sql, cancellationToken, ("status", FormatStatus(status)), ("id", runId)).ConfigureAwait(false)
                : await ExecuteAsync(connection, transaction, sql, cancellationToken, ("status", FormatStatus(status)), ("end", endTime.Value), ("id", runId)).ConfigureAwait(false);
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
            var changed = await ExecuteAsync(connection, transaction, "UPDATE runs SET lifecycle_stage = @stage WHERE run_id = @id", cancellationToken, ("stage", FormatStage(stage)), ("id", runId)).ConfigureAwait(false);
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
                        throw new TrackingException(
                            TrackingErrorCode.Conflict,
                            $"The param '{param.Key}' of run {runId} is already '{Truncate(value ?? "")}'; it cannot become '{Truncate(param.Value)}' because params are write-once. " +
                            "Log the new value under another key, or start a new run. Nothing of this batch was written.");
                    }
                }
            }

            if (metrics.Count > 0)
            {
                await CopyMetricsAsync(connection, runId, metrics, cancellationToken).ConfigureAwait(false);

                // Only the newest point of each key in the batch can become the latest: one row per key.
                var newest = new Dictionary<string, Metric>(StringComparer.Ordinal);
                foreach (var metric in metrics)
                {
                    if (!newest.TryGetValue(metric.Key, out var current) || (metric.Step, metric.Timestamp).CompareTo((current.Step, current.Timestamp)) >= 0)
                    {
                        newest[metric.Key] = metric;
                    }
                }

                var latest = newest.Values.OrderBy(m => m.Key, StringComparer.Ordinal).ToArray();
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

            await WriteTagsAsync(connection, transaction, runId, tags, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    protected override Task<bool> DeleteTagCoreAsync(string runId, string key, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await EnsureRunIsActiveAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);
            return await ExecuteAsync(connection, transaction, "DELETE FROM tags WHERE run_id = @run AND key = @key", cancellationToken, ("run", runId), ("key", key)).ConfigureAwait(false) > 0;
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

        var sql = RunSearchSql.Build(query, PostgreSqlDialect.Instance, experimentIds);
        return ReadAsync<IReadOnlyList<Run>>(async (connection, transaction) =>
        {
            var ids = new List<string>();
            using (var command = Command(connection, transaction, sql.Text))
            {
                foreach (var (name, value) in sql.Parameters)
                {
                    command.Parameters.AddWithValue(name, value);
                }

                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        ids.Add(reader.GetString(0));
                    }
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
            var now = Now();
            var inserted = await ExecuteAsync(connection, transaction, "INSERT INTO registered_models (name, description, creation_time, last_updated_time) VALUES (@name, @description, @now, @now) ON CONFLICT (name) DO NOTHING", cancellationToken, ("name", name), ("description", description), ("now", now)).ConfigureAwait(false);
            if (inserted == 0)
            {
                throw new TrackingException(TrackingErrorCode.AlreadyExists, $"The registered model '{name}' already exists in {_location}: add a version to it, or choose another name.");
            }

            if (tags.Count > 0)
            {
                var (keys, values) = Deduplicate(tags);
                await ExecuteAsync(connection, transaction, "INSERT INTO registered_model_tags (name, key, value) SELECT @name, k, v FROM unnest(@keys::text[], @values::text[]) AS x(k, v) ON CONFLICT (name, key) DO UPDATE SET value = excluded.value", cancellationToken, ("name", name), ("keys", keys), ("values", values)).ConfigureAwait(false);
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
            // Locking the model's row numbers concurrent registrations one after another.
            if (await ScalarAsync(connection, transaction, "SELECT 1 FROM registered_models WHERE name = @name FOR UPDATE", cancellationToken, ("name", version.Name)).ConfigureAwait(false) is null)
            {
                throw ModelNotFound(version.Name);
            }

            if (version.RunId is not null &&
                await ScalarAsync(connection, transaction, "SELECT 1 FROM runs WHERE run_id = @id", cancellationToken, ("id", version.RunId)).ConfigureAwait(false) is null)
            {
                throw RunNotFound(version.RunId);
            }

            var number = (int)(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE name = @name", cancellationToken, ("name", version.Name)).ConfigureAwait(false))!;
            await ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO model_versions (name, version, source, run_id, status, description, creation_time) VALUES (@name, @version, @source, @run, 'READY', @description, @now)",
                cancellationToken,
                ("name", version.Name),
                ("version", number),
                ("source", version.Source),
                ("run", (object?)version.RunId ?? DBNull.Value),
                ("description", version.Description ?? ""),
                ("now", Now())).ConfigureAwait(false);
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

            // One statement moves the alias: readers see the old version or the new one, never none.
            await ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO model_aliases (name, alias, version) VALUES (@name, @alias, @version) ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version",
                cancellationToken,
                ("name", name),
                ("alias", alias),
                ("version", version)).ConfigureAwait(false);
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
            var deleted = await ExecuteAsync(connection, transaction, "DELETE FROM model_aliases WHERE name = @name AND alias = @alias", cancellationToken, ("name", name), ("alias", alias)).ConfigureAwait(false) > 0;
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
            var version = await ScalarAsync(connection, transaction, "SELECT version FROM model_aliases WHERE name = @name AND alias = @alias", cancellationToken, ("name", name), ("alias", alias)).ConfigureAwait(false);
            if (version is null)
            {
                return null;
            }

            return (await ReadModelVersionsAsync(connection, transaction, name, (int)version, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        }, cancellationToken);
    }

    /// <inheritdoc />
    protected override async ValueTask DisposeAsyncCore()
    {
        _schemaLock.Dispose();
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    // ---- plumbing ----

    private long Now() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

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

    private Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        RunAsync(work, IsolationLevel.ReadCommitted, commit: true, cancellationToken);

    private Task<T> ReadAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken) =>
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

            await RetryAsync(() => CreateOrUpgradeSchemaAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
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

                for (var next = version; next < PostgreSqlSchema.CurrentVersion; next++)
                {
                    await ExecuteAsync(connection, transaction, PostgreSqlSchema.Migrations[next], cancellationToken).ConfigureAwait(false);
                    await ExecuteAsync(connection, transaction, "INSERT INTO schema_version (version) VALUES (@v)", cancellationToken, ("v", next + 1)).ConfigureAwait(false);
                }

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

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = Command(connection, transaction, sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = Command(connection, transaction, sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is DBNull ? null : value;
        }
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

    private static double ReadMetricValue(NpgsqlDataReader reader, int valueOrdinal, int nanOrdinal) =>
        reader.GetBoolean(nanOrdinal) || reader.IsDBNull(valueOrdinal) ? double.NaN : reader.GetDouble(valueOrdinal);

    private async Task EnsureRunIsActiveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string runId, CancellationToken cancellationToken)
    {
        var stage = await ScalarAsync(connection, transaction, "SELECT lifecycle_stage FROM runs WHERE run_id = @run", cancellationToken, ("run", runId)).ConfigureAwait(false) as string;
        if (stage is null)
        {
            throw RunNotFound(runId);
        }

        if (stage != "active")
        {
            throw new TrackingException(TrackingErrorCode.Conflict, $"The run {runId} is deleted: restore it before logging to it. Nothing was written.");
        }
    }

    private static async Task WriteTagsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string runId, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken)
    {
        if (tags.Count == 0)
        {
            return;
        }

        var (keys, values) = Deduplicate(tags);
        await ExecuteAsync(
            connection,
            transaction,
            "INSERT INTO tags (run_id, key, value) SELECT @run, k, v FROM unnest(@keys::text[], @values::text[]) AS x(k, v) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value",
            cancellationToken,
            ("run", runId),
            ("keys", keys),
            ("values", values)).ConfigureAwait(false);
    }

    private async Task<List<Experiment>> ReadExperimentsAsync(string where, (string, object?)[] parameters, CancellationToken cancellationToken) =>
        await ReadAsync(async (connection, transaction) =>
        {
            var experiments = new List<(long Id, Experiment Experiment)>();
            using (var command = Command(connection, transaction, $"SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time FROM experiments {where} ORDER BY experiment_id", parameters))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        experiments.Add((reader.GetInt64(0), new Experiment
                        {
                            ExperimentId = reader.GetInt64(0).ToString(CultureInfo.InvariantCulture),
                            Name = reader.GetString(1),
                            ArtifactLocation = reader.GetString(2),
                            LifecycleStage = ParseStage(reader.GetString(3)),
                            CreationTime = reader.GetInt64(4),
                        }));
                    }
                }
            }

            var tags = new Dictionary<long, Dictionary<string, string>>();
            if (experiments.Count > 0)
            {
                using var command = Command(connection, transaction, "SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id = ANY(@ids)", ("ids", experiments.Select(e => e.Id).ToArray()));
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        Bucket(tags, reader.GetInt64(0))[reader.GetString(1)] = reader.GetString(2);
                    }
                }
            }

            return experiments.Select(e => e.Experiment with { Tags = tags.GetValueOrDefault(e.Id) ?? [] }).ToList();
        }, cancellationToken).ConfigureAwait(false);

    private static async Task<List<Run>> ReadRunsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<string> runIds, bool withData, CancellationToken cancellationToken)
    {
        var infos = new Dictionary<string, RunInfo>(StringComparer.Ordinal);
        var metrics = new Dictionary<string, Dictionary<string, Metric>>(StringComparer.Ordinal);
        var parameters = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var tags = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        if (runIds.Count == 0)
        {
            return [];
        }

        var ids = runIds.ToArray();
        using (var command = Command(connection, transaction, $"SELECT {RunColumns} FROM runs WHERE run_id = ANY(@ids)", ("ids", ids)))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var info = new RunInfo
                    {
                        RunId = reader.GetString(0),
                        ExperimentId = reader.GetInt64(1).ToString(CultureInfo.InvariantCulture),
                        RunName = reader.GetString(2),
                        UserId = reader.GetString(3),
                        Status = ParseStatus(reader.GetString(4)),
                        StartTime = reader.GetInt64(5),
                        EndTime = reader.IsDBNull(6) ? null : reader.GetInt64(6),
                        ArtifactUri = reader.GetString(7),
                        LifecycleStage = ParseStage(reader.GetString(8)),
                        ParentRunId = reader.IsDBNull(9) ? null : reader.GetString(9),
                    };
                    infos[info.RunId] = info;
                }
            }
        }

        if (withData)
        {
            using (var command = Command(connection, transaction, "SELECT run_id, key, value, is_nan, timestamp, step FROM latest_metrics WHERE run_id = ANY(@ids)", ("ids", ids)))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var key = reader.GetString(1);
                        Bucket(metrics, reader.GetString(0))[key] = new Metric(key, ReadMetricValue(reader, 2, 3), reader.GetInt64(4), reader.GetInt64(5));
                    }
                }
            }

            await ReadPairsAsync(connection, transaction, "SELECT run_id, key, value FROM params WHERE run_id = ANY(@ids)", ids, parameters, cancellationToken).ConfigureAwait(false);
            await ReadPairsAsync(connection, transaction, "SELECT run_id, key, value FROM tags WHERE run_id = ANY(@ids)", ids, tags, cancellationToken).ConfigureAwait(false);
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

    private static async Task ReadPairsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, string[] ids, Dictionary<string, Dictionary<string, string>> into, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, sql, ("ids", ids));
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                Bucket(into, reader.GetString(0))[reader.GetString(1)] = reader.GetString(2);
            }
        }
    }

    private static Dictionary<string, TValue> Bucket<TKey, TValue>(Dictionary<TKey, Dictionary<string, TValue>> buckets, TKey id)
        where TKey : notnull
    {
        if (!buckets.TryGetValue(id, out var bucket))
        {
            bucket = new Dictionary<string, TValue>(StringComparer.Ordinal);
            buckets[id] = bucket;
        }

        return bucket;
    }

    private static async Task<List<RegisteredModel>> ReadRegisteredModelsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string? name, CancellationToken cancellationToken)
    {
        var models = new List<RegisteredModel>();
        var where = name is null ? "" : "WHERE m.name = @name";
        (string, object?)[] bound = name is null ? [] : [("name", name)];
        using (var command = Command(
            connection,
            transaction,
            $"SELECT m.name, m.description, m.creation_time, m.last_updated_time, (SELECT MAX(version) FROM model_versions v WHERE v.name = m.name) FROM registered_models m {where} ORDER BY m.name",
            bound))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
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
        }

        if (models.Count == 0)
        {
            return models;
        }

        var names = models.Select(m => m.Name).ToArray();
        var tags = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var aliases = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        await ReadPairsAsync(connection, transaction, "SELECT name, key, value FROM registered_model_tags WHERE name = ANY(@ids)", names, tags, cancellationToken).ConfigureAwait(false);
        using (var command = Command(connection, transaction, "SELECT name, alias, version FROM model_aliases WHERE name = ANY(@ids)", ("ids", names)))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    Bucket(aliases, reader.GetString(0))[reader.GetString(1)] = reader.GetInt32(2);
                }
            }
        }

        return [.. models.Select(m => m with { Tags = tags.GetValueOrDefault(m.Name) ?? [], Aliases = aliases.GetValueOrDefault(m.Name) ?? [] })];
    }

    private static async Task<List<ModelVersion>> ReadModelVersionsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, int? version, CancellationToken cancellationToken)
    {
        var versions = new List<ModelVersion>();
        var where = version is null ? "" : " AND version = @version";
        (string, object?)[] bound = version is null ? [("name", name)] : [("name", name), ("version", version.Value)];
        using (var command = Command(connection, transaction, $"SELECT version, source, run_id, status, description, creation_time FROM model_versions WHERE name = @name{where} ORDER BY version", bound))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
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
        }

        var tags = new Dictionary<int, Dictionary<string, string>>();
        using (var command = Command(connection, transaction, $"SELECT version, key, value FROM model_version_tags WHERE name = @name{where}", bound))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    Bucket(tags, reader.GetInt32(0))[reader.GetString(1)] = reader.GetString(2);
                }
            }
        }

        var aliases = new Dictionary<int, List<string>>();
        using (var command = Command(connection, transaction, $"SELECT version, alias FROM model_aliases WHERE name = @name{where} ORDER BY alias", bound))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
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
        }

        return [.. versions.Select(v => v with
        {
            Tags = tags.GetValueOrDefault(v.Version) ?? [],
            Aliases = aliases.GetValueOrDefault(v.Version) ?? [],
        })];
    }

    private async Task EnsureVersionExistsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, int version, CancellationToken cancellationToken)
    {
        if (await ScalarAsync(connection, transaction, "SELECT 1 FROM model_versions WHERE name = @name AND version = @version", cancellationToken, ("name", name), ("version", version)).ConfigureAwait(false) is null)
        {
            throw new TrackingException(TrackingErrorCode.NotFound, $"The model '{name}' has no version {version} in {_location}: list its versions, or register the model first.");
        }
    }

    private static Task<int> UpsertVersionTagAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, int version, RunTag tag, CancellationToken cancellationToken) =>
        ExecuteAsync(
            connection,
            transaction,
            "INSERT INTO model_version_tags (name, version, key, value) VALUES (@name, @version, @key, @value) ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value",
            cancellationToken,
            ("name", name),
            ("version", version),
            ("key", tag.Key),
            ("value", tag.Value));

    private Task<int> TouchModelAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, "UPDATE registered_models SET last_updated_time = @now WHERE name = @name", cancellationToken, ("now", Now()), ("name", name));

    private TrackingException RunNotFound(string runId) =>
        new(TrackingErrorCode.NotFound, $"The run {runId} does not exist in the tracking store {_location}: check the id, or start the run first.");

    private TrackingException ExperimentNotFound(string experimentId) =>
        new(TrackingErrorCode.NotFound, $"There is no experiment with id '{experimentId}' in {_location}: create it first, or start the run by experiment name.");

    private TrackingException ModelNotFound(string name) =>
        new(TrackingErrorCode.NotFound, $"There is no registered model '{name}' in {_location}: create it first (ModelRegistry.RegisterModelAsync does so).");
}
