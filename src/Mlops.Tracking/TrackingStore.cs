using System.Globalization;
using System.Text;
using Mlops.Tracking.Registry;
using Mlops.Tracking.Search;

namespace Mlops.Tracking;

/// <summary>
/// Where experiments, runs, metrics, params, tags and the model registry are kept. The embedded default
/// is <c>SqliteTrackingStore</c>; other backends derive from this class and pass the
/// conformance kit.
/// </summary>
/// <remarks>
/// <para>The public methods check their arguments against <see cref="TrackingLimits"/> and the naming rules
/// before calling the protected <c>…CoreAsync</c> method, so a backend only sees valid input.
/// A backend then writes each call in one transaction: a call that fails (a missing run, a param re-logged
/// with another value) writes nothing.</para>
/// <para>Expected failures are <see cref="TrackingException"/>s with a <see cref="TrackingErrorCode"/>.
/// Instances are safe to use from several threads.</para>
/// </remarks>
public abstract class TrackingStore : IAsyncDisposable
{
    /// <summary>The stored spelling of a run status: MLflow's (<c>FINISHED</c>), the same in every store.</summary>
    protected static string FormatStatus(RunStatus status) => Names.Of(status);

    /// <summary>Reads a status written by <see cref="FormatStatus"/>.</summary>
    /// <exception cref="TrackingException">The text is no run status.</exception>
    protected static RunStatus ParseStatus(string text) => Names.ParseStatus(text);

    /// <summary>The stored spelling of a lifecycle stage: MLflow's (<c>active</c>, <c>deleted</c>).</summary>
    protected static string FormatStage(LifecycleStage stage) => Names.Of(stage);

    /// <summary>Reads a stage written by <see cref="FormatStage"/>.</summary>
    protected static LifecycleStage ParseStage(string text) => Names.ParseStage(text);

    private static readonly IReadOnlyList<Metric> NoMetrics = [];
    private static readonly IReadOnlyList<Param> NoParams = [];
    private static readonly IReadOnlyList<RunTag> NoTags = [];

    /// <summary>A description of where the store keeps its data, for messages (a file path, a server and database).</summary>
    public abstract string Location { get; }

    // ---- experiments ----

    /// <summary>Creates an experiment and returns its id.</summary>
    /// <param name="name">The unique name.</param>
    /// <param name="artifactLocation">The artifact-store key prefix of its runs; the experiment's id when null.</param>
    /// <param name="tags">Tags to set.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="TrackingException"><see cref="TrackingErrorCode.AlreadyExists"/> when the name is taken.</exception>
    public Task<string> CreateExperimentAsync(string name, string? artifactLocation = null, IReadOnlyList<RunTag>? tags = null, CancellationToken cancellationToken = default)
    {
        TrackingValidation.Name(name, "experiment");
        foreach (var tag in tags ?? NoTags)
        {
            TrackingValidation.Tag(tag, $"the experiment '{name}'");
        }

        return CreateExperimentCoreAsync(name, artifactLocation, tags ?? NoTags, cancellationToken);
    }

    /// <summary>Creates an experiment with valid arguments.</summary>
    protected abstract Task<string> CreateExperimentCoreAsync(string name, string? artifactLocation, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken);

    /// <summary>Returns the experiment with this id, or null.</summary>
    public abstract Task<Experiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default);

    /// <summary>Returns the experiment with this name, or null.</summary>
    public abstract Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists experiments by id.</summary>
    public abstract IAsyncEnumerable<Experiment> ListExperimentsAsync(ViewType viewType = ViewType.ActiveOnly, CancellationToken cancellationToken = default);

    /// <summary>Marks an experiment deleted or active again.</summary>
    /// <exception cref="TrackingException"><see cref="TrackingErrorCode.NotFound"/> when there is no such experiment.</exception>
    public abstract Task SetExperimentLifecycleAsync(string experimentId, LifecycleStage stage, CancellationToken cancellationToken = default);

    // ---- runs ----

    /// <summary>Creates a run with a new id and returns it.</summary>
    /// <exception cref="TrackingException">The experiment or parent run does not exist, or a tag is invalid.</exception>
    public Task<RunInfo> CreateRunAsync(NewRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(run.ExperimentId);
        if (run.ParentRunId is not null)
        {
            TrackingValidation.RunId(run.ParentRunId, "parent run");
        }

        if (run.Tags.Count > TrackingLimits.MaxTagsPerBatch)
        {
            throw new TrackingException(TrackingErrorCode.InvalidArgument, $"A new run may start with at most {TrackingLimits.MaxTagsPerBatch} tags; {run.Tags.Count} were given. Set the others with LogBatchAsync.");
        }

        foreach (var tag in run.Tags)
        {
            TrackingValidation.Tag(tag, "a new run");
        }

        if (run.ParentRunId is not null && !run.Tags.Any(t => t.Key == SystemTags.ParentRunId))
        {
            run = run with { Tags = [.. run.Tags, new RunTag(SystemTags.ParentRunId, run.ParentRunId)] };
        }

        return CreateRunCoreAsync(run, cancellationToken);
    }

    /// <summary>Creates a run with valid arguments.</summary>
    protected abstract Task<RunInfo> CreateRunCoreAsync(NewRun run, CancellationToken cancellationToken);

    /// <summary>Sets a run's status and, when given, its end time.</summary>
    /// <exception cref="TrackingException"><see cref="TrackingErrorCode.NotFound"/> when there is no such run.</exception>
    public Task<RunInfo> UpdateRunAsync(string runId, RunStatus status, long? endTime, CancellationToken cancellationToken = default)
    {
        TrackingValidation.RunId(runId);
        return UpdateRunCoreAsync(runId, status, endTime, cancellationToken);
    }

    /// <summary>Sets a run's status and end time, with a valid run id.</summary>
    protected abstract Task<RunInfo> UpdateRunCoreAsync(string runId, RunStatus status, long? endTime, CancellationToken cancellationToken);

    /// <summary>Marks a run deleted or active again.</summary>
    /// <exception cref="TrackingException"><see cref="TrackingErrorCode.NotFound"/> when there is no such run.</exception>
    public Task SetRunLifecycleAsync(string runId, LifecycleStage stage, CancellationToken cancellationToken = default)
    {
        TrackingValidation.RunId(runId);
        return SetRunLifecycleCoreAsync(runId, stage, cancellationToken);
    }

    /// <summary>Marks a run deleted or active, with a valid run id.</summary>
    protected abstract Task SetRunLifecycleCoreAsync(string runId, LifecycleStage stage, CancellationToken cancellationToken);

    /// <summary>Returns the run with its latest metrics, params and tags, or null when there is none.</summary>
    public Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return GetRunCoreAsync(runId, cancellationToken);
    }

    /// <summary>Returns a run, or null.</summary>
    protected abstract Task<Run?> GetRunCoreAsync(string runId, CancellationToken cancellationToken);

    /// <summary>
    /// Writes metric points, params and tags to a run in one transaction: all or nothing. At most
    /// <see cref="TrackingLimits.MaxMetricsPerBatch"/> metrics, <see cref="TrackingLimits.MaxParamsPerBatch"/> params
    /// and <see cref="TrackingLimits.MaxTagsPerBatch"/> tags. Metrics are appended; a param already set to the same
    /// value is fine, to another value it fails; tags are overwritten.
    /// </summary>
    /// <exception cref="TrackingException">An invalid key or value, a limit exceeded, a missing or deleted run, or a param
    /// re-logged with another value; nothing of the batch was written.</exception>
    public Task LogBatchAsync(string runId, IReadOnlyList<Metric>? metrics = null, IReadOnlyList<Param>? parameters = null, IReadOnlyList<RunTag>? tags = null, CancellationToken cancellationToken = default)
    {
        metrics ??= NoMetrics;
        parameters ??= NoParams;
        tags ??= NoTags;
        TrackingValidation.Batch(runId, metrics, parameters, tags);
        if (metrics.Count == 0 && parameters.Count == 0 && tags.Count == 0)
        {
            return Task.CompletedTask;
        }

        return LogBatchCoreAsync(runId, metrics, parameters, tags, cancellationToken);
    }

    /// <summary>Writes a valid, non-empty batch in one transaction.</summary>
    protected abstract Task LogBatchCoreAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken);

    /// <summary>Deletes a run's tag; returns false when it had none with that key.</summary>
    /// <exception cref="TrackingException">There is no such run.</exception>
    public Task<bool> DeleteTagAsync(string runId, string key, CancellationToken cancellationToken = default)
    {
        TrackingValidation.RunId(runId);
        TrackingValidation.Key(key, "tag", runId);
        return DeleteTagCoreAsync(runId, key, cancellationToken);
    }

    /// <summary>Deletes a tag, with valid arguments.</summary>
    protected abstract Task<bool> DeleteTagCoreAsync(string runId, string key, CancellationToken cancellationToken);

    /// <summary>Returns every point of a run's metric, ordered by step, then timestamp.</summary>
    /// <exception cref="TrackingException"><see cref="TrackingErrorCode.NotFound"/> when there is no such run.</exception>
    public Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default)
    {
        TrackingValidation.RunId(runId);
        TrackingValidation.Key(key, "metric", runId);
        return GetMetricHistoryCoreAsync(runId, key, cancellationToken);
    }

    /// <summary>Returns a metric's history, with valid arguments.</summary>
    protected abstract Task<IReadOnlyList<Metric>> GetMetricHistoryCoreAsync(string runId, string key, CancellationToken cancellationToken);

    // ---- search ----

    /// <summary>Searches runs across experiments with MLflow's filter language, orderings and paging.</summary>
    /// <exception cref="TrackingException"><see cref="TrackingErrorCode.InvalidQuery"/> for a bad filter, ordering or page token.</exception>
    public async Task<RunSearchResult> SearchRunsAsync(RunSearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.MaxResults is < 1 or > RunSearchRequest.MaxResultsLimit)
        {
            throw new TrackingException(TrackingErrorCode.InvalidQuery, $"MaxResults is {request.MaxResults}; it must be between 1 and {RunSearchRequest.MaxResultsLimit}. Page through larger results with the page token.");
        }

        var query = new RunSearchQuery
        {
            ExperimentIds = request.ExperimentIds,
            Filter = RunFilter.Parse(request.Filter),
            OrderBy = [.. request.OrderBy.Select(RunOrdering.Parse)],
            Offset = DecodePageToken(request.PageToken),
            Limit = request.MaxResults + 1,
            ViewType = request.ViewType,
        };

        var runs = await SearchRunsCoreAsync(query, cancellationToken).ConfigureAwait(false);
        if (runs.Count <= request.MaxResults)
        {
            return new RunSearchResult(runs, null);
        }

        return new RunSearchResult([.. runs.Take(request.MaxResults)], EncodePageToken(query.Offset + request.MaxResults));
    }

    /// <summary>Runs a parsed search: at most <see cref="RunSearchQuery.Limit"/> runs from <see cref="RunSearchQuery.Offset"/>.</summary>
    protected abstract Task<IReadOnlyList<Run>> SearchRunsCoreAsync(RunSearchQuery query, CancellationToken cancellationToken);

    // ---- model registry ----

    /// <summary>Creates a registered model.</summary>
    /// <exception cref="TrackingException"><see cref="TrackingErrorCode.AlreadyExists"/> when the name is taken.</exception>
    public Task<RegisteredModel> CreateRegisteredModelAsync(string name, string? description = null, IReadOnlyList<RunTag>? tags = null, CancellationToken cancellationToken = default)
    {
        TrackingValidation.Name(name, "registered model");
        foreach (var tag in tags ?? NoTags)
        {
            TrackingValidation.Tag(tag, $"the model '{name}'");
        }

        return CreateRegisteredModelCoreAsync(name, description ?? "", tags ?? NoTags, cancellationToken);
    }

    /// <summary>Creates a registered model, with valid arguments.</summary>
    protected abstract Task<RegisteredModel> CreateRegisteredModelCoreAsync(string name, string description, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken);

    /// <summary>Returns the registered model with its aliases, or null.</summary>
    public abstract Task<RegisteredModel?> GetRegisteredModelAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists registered models by name.</summary>
    public abstract IAsyncEnumerable<RegisteredModel> ListRegisteredModelsAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates the next version (1, 2, …) of a registered model.</summary>
    /// <exception cref="TrackingException"><see cref="TrackingErrorCode.NotFound"/> when the model or run does not exist.</exception>
    public Task<ModelVersion> CreateModelVersionAsync(NewModelVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        TrackingValidation.Name(version.Name, "registered model");
        ArgumentException.ThrowIfNullOrEmpty(version.Source);
        if (version.RunId is not null)
        {
            TrackingValidation.RunId(version.RunId);
        }

        foreach (var tag in version.Tags)
        {
            TrackingValidation.Tag(tag, $"a version of the model '{version.Name}'");
        }

        return CreateModelVersionCoreAsync(version, cancellationToken);
    }

    /// <summary>Creates a model version, with valid arguments, numbering it in the same transaction.</summary>
    protected abstract Task<ModelVersion> CreateModelVersionCoreAsync(NewModelVersion version, CancellationToken cancellationToken);

    /// <summary>Returns a version of a registered model, or null.</summary>
    public abstract Task<ModelVersion?> GetModelVersionAsync(string name, int version, CancellationToken cancellationToken = default);

    /// <summary>Lists the versions of a registered model, oldest first; empty when there is no such model.</summary>
    public abstract Task<IReadOnlyList<ModelVersion>> ListModelVersionsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Sets a tag on a model version.</summary>
    /// <exception cref="TrackingException"><see cref="TrackingErrorCode.NotFound"/> when there is no such version.</exception>
    public Task SetModelVersionTagAsync(string name, int version, RunTag tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        TrackingValidation.Tag(tag, $"version {version} of the model '{name}'");
        return SetModelVersionTagCoreAsync(name, version, tag, cancellationToken);
    }

    /// <summary>Sets a tag on a model version, with valid arguments.</summary>
    protected abstract Task SetModelVersionTagCoreAsync(string name, int version, RunTag tag, CancellationToken cancellationToken);

    /// <summary>
    /// Points an alias (<c>champion</c>) at a version, moving it atomically from any version it pointed to.
    /// <c>latest</c> and <c>v&lt;digits&gt;</c> are reserved.
    /// </summary>
    /// <exception cref="TrackingException">The alias is reserved or invalid, or the version does not exist.</exception>
    public Task SetModelAliasAsync(string name, string alias, int version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        TrackingValidation.Alias(alias, name);
        return SetModelAliasCoreAsync(name, alias, version, cancellationToken);
    }

    /// <summary>Sets an alias in one transaction, with valid arguments.</summary>
    protected abstract Task SetModelAliasCoreAsync(string name, string alias, int version, CancellationToken cancellationToken);

    /// <summary>Removes an alias; returns false when the model had no such alias.</summary>
    public abstract Task<bool> DeleteModelAliasAsync(string name, string alias, CancellationToken cancellationToken = default);

    /// <summary>Returns the version an alias points to, or null.</summary>
    public abstract Task<ModelVersion?> GetModelVersionByAliasAsync(string name, string alias, CancellationToken cancellationToken = default);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the store's connections.</summary>
    protected virtual ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name} at {Location}";

    private const string TokenPrefix = "offset:";

    private static string EncodePageToken(int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(TokenPrefix + offset.ToString(CultureInfo.InvariantCulture)));

    private static int DecodePageToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return 0;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith(TokenPrefix, StringComparison.Ordinal) &&
                int.TryParse(text.AsSpan(TokenPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return offset;
            }
        }
        catch (FormatException)
        {
            // Reported below.
        }

        throw new TrackingException(TrackingErrorCode.InvalidQuery, $"The page token '{token}' is not one this store returned: pass the NextPageToken of the previous page unchanged, or null for the first page.");
    }
}
