using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Mlops.Tracking.Registry;
using Mlops.Tracking.Search;

namespace Mlops.Tracking.Sql;

/// <summary>
/// A <see cref="TrackingStore"/> on a SQL database through ADO.NET: the experiment, run-reading, search and model
/// registry code every SQL backend shares, over the tables the bundled stores create.
/// </summary>
/// <remarks>
/// A backend opens connections and transactions (with its own retries and error translation), writes tags and logs
/// batches its own fast way, and names what differs in SQL through its <see cref="SqlDialect"/>. Every value is a bound parameter.
/// </remarks>
/// <typeparam name="TConnection">The provider's connection.</typeparam>
/// <typeparam name="TTransaction">The provider's transaction.</typeparam>
public abstract class AdoNetTrackingStore<TConnection, TTransaction> : TrackingStore
    where TConnection : DbConnection
    where TTransaction : DbTransaction
{
    private const string RunColumns = "run_id, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage, parent_run_id";

    private readonly SqlDialect _dialect;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    /// <summary>Creates the shared part of a store.</summary>
    /// <param name="dialect">What differs in the database's SQL.</param>
    /// <param name="timeProvider">The clock of creation and update times.</param>
    protected AdoNetTrackingStore(SqlDialect dialect, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _dialect = dialect;
        _timeProvider = timeProvider;
    }

    // ---- hooks ----

    /// <summary>Runs <paramref name="work"/>, which only reads, in a transaction whose statements all see one snapshot.</summary>
    protected abstract Task<T> ReadAsync<T>(Func<TConnection, TTransaction, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one write transaction and commits it: a call that fails writes nothing.</summary>
    protected abstract Task<T> WriteAsync<T>(Func<TConnection, TTransaction, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts or replaces <paramref name="tags"/> in a tag table <c>(<paramref name="ownerColumn"/>, key, value)</c>
    /// keyed by owner and key; the last value of a key wins. The store writes them in its fastest way.
    /// </summary>
    /// <param name="connection">The open connection.</param>
    /// <param name="transaction">The write transaction.</param>
    /// <param name="table">The table: <c>tags</c>, <c>experiment_tags</c> or <c>registered_model_tags</c>.</param>
    /// <param name="ownerColumn">The owner's column: <c>run_id</c>, <c>experiment_id</c> or <c>name</c>.</param>
    /// <param name="owner">The owner's id as stored.</param>
    /// <param name="tags">The tags; may be empty.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    protected abstract Task WriteTagsAsync(TConnection connection, TTransaction transaction, string table, string ownerColumn, object owner, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the schema, or upgrades it to the current version, with the store's retries. <see cref="EnsureSchemaAsync"/>
    /// calls it until it succeeds once.
    /// </summary>
    protected abstract Task CreateOrUpgradeSchemaAsync(CancellationToken cancellationToken);

    // ---- experiments ----

    /// <inheritdoc />
    protected override Task<string> CreateExperimentCoreAsync(string name, string? artifactLocation, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var existing = await ScalarAsync(connection, transaction, "SELECT experiment_id FROM experiments WHERE name = @name", cancellationToken, ("@name", name)).ConfigureAwait(false);
            if (existing is not null)
            {
                throw new TrackingException(TrackingErrorCode.AlreadyExists, $"The experiment '{name}' already exists (id {existing}) in {Location}: use it, or choose another name.");
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
            await WriteTagsAsync(connection, transaction, "experiment_tags", "experiment_id", id, tags, cancellationToken).ConfigureAwait(false);
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
                ? await ExecuteAsync(connection, transaction, "UPDATE experiments SET lifecycle_stage = @stage, last_update_time = @now WHERE experiment_id = @id", cancellationToken, ("@stage", FormatStage(stage)), ("@now", Now()), ("@id", id)).ConfigureAwait(false)
                : 0;
            if (changed == 0)
            {
                throw new TrackingException(TrackingErrorCode.NotFound, $"There is no experiment with id '{experimentId}' in {Location}.");
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
            var command = Command(connection, transaction, $"SELECT artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = @id{_dialect.LockRows(exclusive: false)}", ("@id", experimentId));
            await using (command.ConfigureAwait(false))
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
                await ScalarAsync(connection, transaction, "SELECT 1 FROM runs WHERE run_id = @id", cancellationToken, ("@id", run.ParentRunId)).ConfigureAwait(false) is null)
            {
                throw new TrackingException(TrackingErrorCode.NotFound, $"The parent run {run.ParentRunId} does not exist in {Location}: start the parent first and pass its id.");
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
                ("@status", FormatStatus(info.Status)),
                ("@start", info.StartTime),
                ("@uri", info.ArtifactUri),
                ("@parent", info.ParentRunId)).ConfigureAwait(false);
            await WriteTagsAsync(connection, transaction, "tags", "run_id", info.RunId, run.Tags, cancellationToken).ConfigureAwait(false);
            return info;
        }, cancellationToken);

    /// <inheritdoc />
    protected override Task<RunInfo> UpdateRunCoreAsync(string runId, RunStatus status, long? endTime, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            // Two statements rather than COALESCE(@end, end_time): a NULL parameter has no type a server could infer.
            var changed = endTime is null
                ? await ExecuteAsync(connection, transaction, "UPDATE runs SET status = @status WHERE run_id = @id", cancellationToken, ("@status", FormatStatus(status)), ("@id", runId)).ConfigureAwait(false)
                : await ExecuteAsync(connection, transaction, "UPDATE runs SET status = @status, end_time = @end WHERE run_id = @id", cancellationToken, ("@status", FormatStatus(status)), ("@end", endTime.Value), ("@id", runId)).ConfigureAwait(false);
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
            var changed = await ExecuteAsync(connection, transaction, "UPDATE runs SET lifecycle_stage = @stage WHERE run_id = @id", cancellationToken, ("@stage", FormatStage(stage)), ("@id", runId)).ConfigureAwait(false);
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
    protected override Task<bool> DeleteTagCoreAsync(string runId, string key, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await EnsureRunIsActiveAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);
            return await ExecuteAsync(connection, transaction, "DELETE FROM tags WHERE run_id = @run AND key = @key", cancellationToken, ("@run", runId), ("@key", key)).ConfigureAwait(false) > 0;
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

        var sql = RunSearchSql.Build(query, _dialect, experimentIds);
        return ReadAsync<IReadOnlyList<Run>>(async (connection, transaction) =>
        {
            var ids = new List<string>();
            await ReadRowsAsync(connection, transaction, sql.Text, Bound(sql), reader => ids.Add(reader.GetString(0)), cancellationToken).ConfigureAwait(false);
            return await ReadRunsAsync(connection, transaction, ids, withData: true, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    // ---- model registry ----

    /// <inheritdoc />
    protected override Task<RegisteredModel> CreateRegisteredModelCoreAsync(string name, string description, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var now = Now();
            var inserted = await ExecuteAsync(connection, transaction, "INSERT INTO registered_models (name, description, creation_time, last_updated_time) VALUES (@name, @description, @now, @now) ON CONFLICT (name) DO NOTHING", cancellationToken, ("@name", name), ("@description", description), ("@now", now)).ConfigureAwait(false);
            if (inserted == 0)
            {
                throw new TrackingException(TrackingErrorCode.AlreadyExists, $"The registered model '{name}' already exists in {Location}: add a version to it, or choose another name.");
            }

            await WriteTagsAsync(connection, transaction, "registered_model_tags", "name", name, tags, cancellationToken).ConfigureAwait(false);
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
            if (await ScalarAsync(connection, transaction, $"SELECT 1 FROM registered_models WHERE name = @name{_dialect.LockRows(exclusive: true)}", cancellationToken, ("@name", version.Name)).ConfigureAwait(false) is null)
            {
                throw ModelNotFound(version.Name);
            }

            if (version.RunId is not null &&
                await ScalarAsync(connection, transaction, "SELECT 1 FROM runs WHERE run_id = @id", cancellationToken, ("@id", version.RunId)).ConfigureAwait(false) is null)
            {
                throw RunNotFound(version.RunId);
            }

            var number = Convert.ToInt32(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE name = @name", cancellationToken, ("@name", version.Name)).ConfigureAwait(false), CultureInfo.InvariantCulture);
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
                ("@now", Now())).ConfigureAwait(false);
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
        return base.DisposeAsyncCore();
    }

    // ---- for the stores ----

    /// <summary>Whether this instance has created or checked the schema; until then the database may have no tables.</summary>
    protected bool IsSchemaReady => _schemaReady;

    /// <summary>
    /// Creates or upgrades the schema before the first read or write: concurrent first calls wait for one
    /// <see cref="CreateOrUpgradeSchemaAsync"/>, later calls return at once.
    /// </summary>
    protected async Task EnsureSchemaAsync(CancellationToken cancellationToken)
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

            await CreateOrUpgradeSchemaAsync(cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    /// <summary>Applies the migrations after schema <paramref name="version"/> in order, recording each in <c>schema_version</c>.</summary>
    /// <param name="connection">The open connection.</param>
    /// <param name="transaction">The transaction of the upgrade.</param>
    /// <param name="migrations">Migration i brings the schema from version i to version i + 1.</param>
    /// <param name="version">The stored version; 0 for none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    protected static async Task ApplyMigrationsAsync(TConnection connection, TTransaction transaction, IReadOnlyList<string> migrations, int version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        for (var next = version; next < migrations.Count; next++)
        {
            await ExecuteAsync(connection, transaction, migrations[next], cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, "INSERT INTO schema_version (version) VALUES (@v)", cancellationToken, ("@v", next + 1)).ConfigureAwait(false);
        }
    }

    /// <summary>Creates a command in <paramref name="transaction"/>; a null value binds as SQL NULL.</summary>
    protected static DbCommand Command(TConnection connection, TTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(parameters);
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    /// <summary>Runs a statement and returns the number of rows it changed.</summary>
    protected static async Task<int> ExecuteAsync(TConnection connection, TTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = Command(connection, transaction, sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs a query and returns its first value, or null for no row or SQL NULL.</summary>
    protected static async Task<object?> ScalarAsync(TConnection connection, TTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = Command(connection, transaction, sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is DBNull ? null : value;
        }
    }

    /// <summary>Reads a metric value stored as a nullable number and an <c>is_nan</c> flag: the databases store NaN as NULL.</summary>
    protected static double ReadMetricValue(DbDataReader reader, int valueOrdinal, int nanOrdinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return reader.GetBoolean(nanOrdinal) || reader.IsDBNull(valueOrdinal) ? double.NaN : reader.GetDouble(valueOrdinal);
    }

    /// <summary>Returns the point of each key in a batch that can become its latest metric: the highest step, then the newest.</summary>
    protected static IReadOnlyCollection<Metric> NewestPerKey(IReadOnlyList<Metric> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var newest = new Dictionary<string, Metric>(StringComparer.Ordinal);
        foreach (var metric in metrics)
        {
            if (!newest.TryGetValue(metric.Key, out var current) || (metric.Step, metric.Timestamp).CompareTo((current.Step, current.Timestamp)) >= 0)
            {
                newest[metric.Key] = metric;
            }
        }

        return newest.Values;
    }

    /// <summary>Fails unless the run exists and is active, so that nothing is logged to a missing or deleted run.</summary>
    protected async Task EnsureRunIsActiveAsync(TConnection connection, TTransaction transaction, string runId, CancellationToken cancellationToken)
    {
        var stage = await ScalarAsync(connection, transaction, "SELECT lifecycle_stage FROM runs WHERE run_id = @run", cancellationToken, ("@run", runId)).ConfigureAwait(false) as string;
        if (stage is null)
        {
            throw RunNotFound(runId);
        }

        if (stage != "active")
        {
            throw new TrackingException(TrackingErrorCode.Conflict, $"The run {runId} is deleted: restore it before logging to it. Nothing was written.");
        }
    }

    /// <summary>The error of a batch that logs a param again with another value, the same in every store.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="key">The param's key.</param>
    /// <param name="stored">The stored value, as the store shortens it for messages.</param>
    /// <param name="value">The new value, shortened the same way.</param>
    protected static TrackingException ParamIsWriteOnce(string runId, string key, string stored, string value) =>
        new(
            TrackingErrorCode.Conflict,
            $"The param '{key}' of run {runId} is already '{stored}'; it cannot become '{value}' because params are write-once. " +
            "Log the new value under another key, or start a new run. Nothing of this batch was written.");

    /// <summary>The error of a call on a run id the store does not hold.</summary>
    protected TrackingException RunNotFound(string runId) =>
        new(TrackingErrorCode.NotFound, $"The run {runId} does not exist in the tracking store {Location}: check the id, or start the run first.");

    // ---- plumbing ----

    private long Now() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private static (string, object?)[] Bound(SqlQueryText sql) => [.. sql.Parameters.Select(p => (p.Key, (object?)p.Value))];

    private static async Task ReadRowsAsync(TConnection connection, TTransaction transaction, string sql, (string, object?)[] parameters, Action<DbDataReader> row, CancellationToken cancellationToken)
    {
        var command = Command(connection, transaction, sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    row(reader);
                }
            }
        }
    }

    private async Task<List<Experiment>> ReadExperimentsAsync(string where, (string, object?)[] parameters, CancellationToken cancellationToken) =>
        await ReadAsync(async (connection, transaction) =>
        {
            var experiments = new List<(long Id, Experiment Experiment)>();
            await ReadRowsAsync(
                connection,
                transaction,
                $"SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time FROM experiments {where} ORDER BY experiment_id",
                parameters,
                reader => experiments.Add((reader.GetInt64(0), new Experiment
                {
                    ExperimentId = reader.GetInt64(0).ToString(CultureInfo.InvariantCulture),
                    Name = reader.GetString(1),
                    ArtifactLocation = reader.GetString(2),
                    LifecycleStage = ParseStage(reader.GetString(3)),
                    CreationTime = reader.GetInt64(4),
                })),
                cancellationToken).ConfigureAwait(false);

            var tags = new Dictionary<long, Dictionary<string, string>>();
            foreach (var ids in _dialect.AnyOf("experiment_id", experiments.Select(e => e.Id).ToArray()))
            {
                await ReadRowsAsync(connection, transaction, $"SELECT experiment_id, key, value FROM experiment_tags WHERE {ids.Text}", Bound(ids), reader => Bucket(tags, reader.GetInt64(0))[reader.GetString(1)] = reader.GetString(2), cancellationToken).ConfigureAwait(false);
            }

            return experiments.Select(e => e.Experiment with { Tags = tags.GetValueOrDefault(e.Id) ?? [] }).ToList();
        }, cancellationToken).ConfigureAwait(false);

    private async Task<List<Run>> ReadRunsAsync(TConnection connection, TTransaction transaction, IReadOnlyList<string> runIds, bool withData, CancellationToken cancellationToken)
    {
        var infos = new Dictionary<string, RunInfo>(StringComparer.Ordinal);
        var metrics = new Dictionary<string, Dictionary<string, Metric>>(StringComparer.Ordinal);
        var parameters = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var tags = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var ids in _dialect.AnyOf("run_id", runIds))
        {
            var bound = Bound(ids);
            await ReadRowsAsync(
                connection,
                transaction,
                $"SELECT {RunColumns} FROM runs WHERE {ids.Text}",
                bound,
                reader => infos[reader.GetString(0)] = new RunInfo
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
                },
                cancellationToken).ConfigureAwait(false);
            if (!withData)
            {
                continue;
            }

            await ReadRowsAsync(
                connection,
                transaction,
                $"SELECT run_id, key, value, is_nan, timestamp, step FROM latest_metrics WHERE {ids.Text}",
                bound,
                reader =>
                {
                    var key = reader.GetString(1);
                    Bucket(metrics, reader.GetString(0))[key] = new Metric(key, ReadMetricValue(reader, 2, 3), reader.GetInt64(4), reader.GetInt64(5));
                },
                cancellationToken).ConfigureAwait(false);
            await ReadRowsAsync(connection, transaction, $"SELECT run_id, key, value FROM params WHERE {ids.Text}", bound, reader => Bucket(parameters, reader.GetString(0))[reader.GetString(1)] = reader.GetString(2), cancellationToken).ConfigureAwait(false);
            await ReadRowsAsync(connection, transaction, $"SELECT run_id, key, value FROM tags WHERE {ids.Text}", bound, reader => Bucket(tags, reader.GetString(0))[reader.GetString(1)] = reader.GetString(2), cancellationToken).ConfigureAwait(false);
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

    private async Task<List<RegisteredModel>> ReadRegisteredModelsAsync(TConnection connection, TTransaction transaction, string? name, CancellationToken cancellationToken)
    {
        var models = new List<RegisteredModel>();
        var where = name is null ? "" : "WHERE m.name = @name";
        (string, object?)[] bound = name is null ? [] : [("@name", name)];
        await ReadRowsAsync(
            connection,
            transaction,
            $"SELECT m.name, m.description, m.creation_time, m.last_updated_time, (SELECT MAX(version) FROM model_versions v WHERE v.name = m.name) FROM registered_models m {where} ORDER BY m.name",
            bound,
            reader => models.Add(new RegisteredModel
            {
                Name = reader.GetString(0),
                Description = reader.GetString(1),
                CreationTime = reader.GetInt64(2),
                LastUpdatedTime = reader.GetInt64(3),
                LatestVersion = reader.IsDBNull(4) ? null : reader.GetInt32(4),
            }),
            cancellationToken).ConfigureAwait(false);

        var tags = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var aliases = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var names in _dialect.AnyOf("name", models.Select(m => m.Name).ToArray()))
        {
            await ReadRowsAsync(connection, transaction, $"SELECT name, key, value FROM registered_model_tags WHERE {names.Text}", Bound(names), reader => Bucket(tags, reader.GetString(0))[reader.GetString(1)] = reader.GetString(2), cancellationToken).ConfigureAwait(false);
            await ReadRowsAsync(connection, transaction, $"SELECT name, alias, version FROM model_aliases WHERE {names.Text}", Bound(names), reader => Bucket(aliases, reader.GetString(0))[reader.GetString(1)] = reader.GetInt32(2), cancellationToken).ConfigureAwait(false);
        }

        return [.. models.Select(m => m with { Tags = tags.GetValueOrDefault(m.Name) ?? [], Aliases = aliases.GetValueOrDefault(m.Name) ?? [] })];
    }

    private static async Task<List<ModelVersion>> ReadModelVersionsAsync(TConnection connection, TTransaction transaction, string name, int? version, CancellationToken cancellationToken)
    {
        var versions = new List<ModelVersion>();
        var where = version is null ? "" : " AND version = @version";
        (string, object?)[] bound = version is null ? [("@name", name)] : [("@name", name), ("@version", version.Value)];
        await ReadRowsAsync(
            connection,
            transaction,
            $"SELECT version, source, run_id, status, description, creation_time FROM model_versions WHERE name = @name{where} ORDER BY version",
            bound,
            reader => versions.Add(new ModelVersion
            {
                Name = name,
                Version = reader.GetInt32(0),
                Source = reader.GetString(1),
                RunId = reader.IsDBNull(2) ? null : reader.GetString(2),
                Status = reader.GetString(3),
                Description = reader.GetString(4),
                CreationTime = reader.GetInt64(5),
            }),
            cancellationToken).ConfigureAwait(false);

        var tags = new Dictionary<int, Dictionary<string, string>>();
        await ReadRowsAsync(connection, transaction, $"SELECT version, key, value FROM model_version_tags WHERE name = @name{where}", bound, reader => Bucket(tags, reader.GetInt32(0))[reader.GetString(1)] = reader.GetString(2), cancellationToken).ConfigureAwait(false);

        var aliases = new Dictionary<int, List<string>>();
        await ReadRowsAsync(
            connection,
            transaction,
            $"SELECT version, alias FROM model_aliases WHERE name = @name{where} ORDER BY alias",
            bound,
            reader =>
            {
                if (!aliases.TryGetValue(reader.GetInt32(0), out var list))
                {
                    list = [];
                    aliases[reader.GetInt32(0)] = list;
                }

                list.Add(reader.GetString(1));
            },
            cancellationToken).ConfigureAwait(false);

        return [.. versions.Select(v => v with
        {
            Tags = tags.GetValueOrDefault(v.Version) ?? [],
            Aliases = aliases.GetValueOrDefault(v.Version) ?? [],
        })];
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

    // ---- registry writes ----

    private async Task EnsureVersionExistsAsync(TConnection connection, TTransaction transaction, string name, int version, CancellationToken cancellationToken)
    {
        if (await ScalarAsync(connection, transaction, "SELECT 1 FROM model_versions WHERE name = @name AND version = @version", cancellationToken, ("@name", name), ("@version", version)).ConfigureAwait(false) is null)
        {
            throw new TrackingException(TrackingErrorCode.NotFound, $"The model '{name}' has no version {version} in {Location}: list its versions, or register the model first.");
        }
    }

    private static Task<int> UpsertVersionTagAsync(TConnection connection, TTransaction transaction, string name, int version, RunTag tag, CancellationToken cancellationToken) =>
        ExecuteAsync(
            connection,
            transaction,
            "INSERT INTO model_version_tags (name, version, key, value) VALUES (@name, @version, @key, @value) ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value",
            cancellationToken,
            ("@name", name),
            ("@version", version),
            ("@key", tag.Key),
            ("@value", tag.Value));

    private Task<int> TouchModelAsync(TConnection connection, TTransaction transaction, string name, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, "UPDATE registered_models SET last_updated_time = @now WHERE name = @name", cancellationToken, ("@now", Now()), ("@name", name));

    private TrackingException ExperimentNotFound(string experimentId) =>
        new(TrackingErrorCode.NotFound, $"There is no experiment with id '{experimentId}' in {Location}: create it first, or start the run by experiment name.");

    private TrackingException ModelNotFound(string name) =>
        new(TrackingErrorCode.NotFound, $"There is no registered model '{name}' in {Location}: create it first (ModelRegistry.RegisterModelAsync does so).");
}
