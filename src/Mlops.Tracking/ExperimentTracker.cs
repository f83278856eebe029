using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mlops.Core;
using Mlops.Core.Storage;
using Mlops.Tracking.Search;
using Mlops.Tracking.Sqlite;

namespace Mlops.Tracking;

/// <summary>
/// The entry point of experiment tracking: starts runs that log params, metrics, tags, artifacts, the environment
/// and data versions, and queries them (get, search, metric history, comparison).
/// </summary>
/// <example>
/// <code>
/// await using var tracker = ExperimentTracker.Create();          // ./mlruns.db, or MLOPS_TRACKING_URI
/// await using var run = await tracker.StartRunAsync("auto-mpg", runName: "sdca-l2");
/// run.LogParam("trainer", "sdca");
/// run.LogMetric("rmse", 3.21, step: 10);
/// await run.LogArtifactAsync("model.zip");
/// await run.CompleteAsync();
/// </code>
/// </example>
public sealed partial class ExperimentTracker : IAsyncDisposable
{
    /// <summary>The artifact path of the environment snapshot each run records.</summary>
    public const string EnvironmentArtifactPath = "mlops/environment.json";

    private readonly TrackingOptions _options;
    private readonly EnvironmentSnapshotProvider? _environment;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly bool _ownsStore;
    private int _abandonedRunsChecked;

    /// <summary>Creates a tracker on a store and an artifact store.</summary>
    /// <param name="store">Where runs are kept.</param>
    /// <param name="artifactStore">Where artifacts go, keyed <c>&lt;experimentId&gt;/&lt;runId&gt;/artifacts/&lt;path&gt;</c>.</param>
    /// <param name="options">The options; the defaults when null.</param>
    /// <param name="environment">Takes the environment snapshot of each run; a default provider when null.</param>
    /// <param name="timeProvider">The clock of metric timestamps and run times; the system clock when null.</param>
    /// <param name="logger">Receives failures of the background writer.</param>
    public ExperimentTracker(
        TrackingStore store,
        BlobStore artifactStore,
        IOptions<TrackingOptions>? options = null,
        EnvironmentSnapshotProvider? environment = null,
        TimeProvider? timeProvider = null,
        ILogger<ExperimentTracker>? logger = null)
        : this(store, artifactStore, options?.Value ?? new TrackingOptions(), environment, timeProvider, logger, ownsStore: false)
    {
    }

    private ExperimentTracker(TrackingStore store, BlobStore artifactStore, TrackingOptions options, EnvironmentSnapshotProvider? environment, TimeProvider? timeProvider, ILogger? logger, bool ownsStore)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(artifactStore);
        Store = store;
        ArtifactStore = artifactStore;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _environment = options.CaptureEnvironment ? environment ?? new EnvironmentSnapshotProvider(Options.Create(new EnvironmentSnapshotOptions()), _timeProvider) : null;
        _logger = logger ?? NullLogger.Instance;
        _ownsStore = ownsStore;
    }

    /// <summary>The tracking store.</summary>
    public TrackingStore Store { get; }

    /// <summary>The artifact store.</summary>
    public BlobStore ArtifactStore { get; }

    /// <summary>
    /// Creates a tracker without dependency injection: a SQLite store at <paramref name="storeUri"/> (else the
    /// <c>MLOPS_TRACKING_URI</c> variable, else <c>./mlruns.db</c>) and a local artifact folder <c>mlartifacts</c> beside it.
    /// Disposing the tracker releases the store.
    /// </summary>
    public static ExperimentTracker Create(string? storeUri = null, Action<TrackingOptions>? configure = null)
    {
        var options = new TrackingOptions { StoreUri = storeUri };
        configure?.Invoke(options);
        var timeProvider = TimeProvider.System;
        var store = DependencyInjection.TrackingStoreFactory.Create(options, timeProvider);

        // Beside the SQLite file; for a server store, in the current folder unless ArtifactRoot says otherwise.
        var artifacts = new FileSystemBlobStore("artifacts", DefaultArtifactRoot(options, (store as SqliteTrackingStore)?.Path ?? "mlruns.db"));
        return new ExperimentTracker(store, artifacts, options, null, timeProvider, null, ownsStore: true);
    }

    internal static SqliteTrackingStore CreateSqliteStore(TrackingOptions options, TimeProvider timeProvider) =>
        new(new SqliteTrackingStoreOptions { Path = TrackingOptions.SqlitePath(TrackingOptions.ResolveStoreUri(options.StoreUri)), BusyTimeout = options.BusyTimeout }, timeProvider);

    internal static string DefaultArtifactRoot(TrackingOptions options, string databasePath) =>
        options.ArtifactRoot ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(databasePath)) ?? ".", "mlartifacts");

    /// <summary>Returns the id of the experiment named <paramref name="name"/>, creating it when there is none.</summary>
    public async Task<string> GetOrCreateExperimentAsync(string name, CancellationToken cancellationToken = default)
    {
        if (await Store.GetExperimentByNameAsync(name, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing.ExperimentId;
        }

        try
        {
            return await Store.CreateExperimentAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (TrackingException ex) when (ex.ErrorCode == TrackingErrorCode.AlreadyExists)
        {
            // Another process created it between the two calls.
            var created = await Store.GetExperimentByNameAsync(name, cancellationToken).ConfigureAwait(false);
            if (created is null)
            {
                throw;
            }

            return created.ExperimentId;
        }
    }

    /// <summary>
    /// Starts a run in the experiment <paramref name="experimentName"/> (created when missing). The run records who
    /// started it, the entry point, the Git commit, branch and dirty state, and the environment snapshot (as the
    /// artifact <see cref="EnvironmentArtifactPath"/>).
    /// </summary>
    /// <param name="experimentName">The experiment's name.</param>
    /// <param name="runName">The run's name.</param>
    /// <param name="parentRunId">The parent of a nested run.</param>
    /// <param name="tags">Tags to start with.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public async Task<ActiveRun> StartRunAsync(
        string experimentName,
        string? runName = null,
        string? parentRunId = null,
        IReadOnlyDictionary<string, string>? tags = null,
        CancellationToken cancellationToken = default)
    {
        var experimentId = await GetOrCreateExperimentAsync(experimentName, cancellationToken).ConfigureAwait(false);
        if (_options.FailAbandonedRuns && Interlocked.Exchange(ref _abandonedRunsChecked, 1) == 0)
        {
            await FailAbandonedRunsAsync(cancellationToken).ConfigureAwait(false);
        }

        var snapshot = _environment?.Capture();
        var user = _options.UserName ?? Environment.UserName;
        var allTags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SystemTags.User] = user,
            [SystemTags.Host] = Environment.MachineName,
            [SystemTags.ProcessId] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            [SystemTags.ProcessStart] = CurrentProcessStart.ToString(CultureInfo.InvariantCulture),
        };
        if (snapshot is not null)
        {
            allTags[SystemTags.Source] = Assembly.GetEntryAssembly()?.GetName().Name ?? Environment.ProcessPath ?? "";
            allTags[SystemTags.Runtime] = snapshot.Runtime;
            allTags[SystemTags.OperatingSystem] = snapshot.OperatingSystem;
            allTags[SystemTags.EnvironmentArtifact] = EnvironmentArtifactPath;
            if (snapshot.Git is { } git)
            {
                allTags[SystemTags.GitCommit] = git.Commit;
                allTags[SystemTags.GitDirty] = git.IsDirty ? "true" : "false";
                if (git.Branch is not null)
                {
                    allTags[SystemTags.GitBranch] = git.Branch;
                }

                if (git.RemoteUrl is not null)
                {
                    allTags[SystemTags.GitRemote] = git.RemoteUrl;
                }
            }
        }

        foreach (var (key, value) in tags ?? new Dictionary<string, string>())
        {
            allTags[key] = value;
        }

        var info = await Store.CreateRunAsync(
            new NewRun
            {
                ExperimentId = experimentId,
                RunName = runName,
                UserId = user,
                StartTime = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
                ParentRunId = parentRunId,
                Tags = [.. allTags.Select(t => new RunTag(t.Key, t.Value))],
            },
            cancellationToken).ConfigureAwait(false);

        var run = new ActiveRun(info, Store, ArtifactStore, _timeProvider, _logger, _options.RecordDataReads);
        if (snapshot is not null)
        {
            try
            {
                using var json = new MemoryStream(Encoding.UTF8.GetBytes(snapshot.ToJson()));
                await run.LogArtifactStreamAsync(json, EnvironmentArtifactPath, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await run.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        LogRunStarted(_logger, info.RunId, experimentName);
        return run;
    }

    /// <summary>
    /// Marks as FAILED every run still RUNNING whose process ran on this machine and has exited, as MLflow users
    /// otherwise find crashed runs RUNNING forever. A run of another machine is left alone: only its own host can tell.
    /// A tracker does this once, when it starts its first run, unless <see cref="TrackingOptions.FailAbandonedRuns"/> is off.
    /// </summary>
    /// <returns>The ids of the runs marked FAILED.</returns>
    public async Task<IReadOnlyList<string>> FailAbandonedRunsAsync(CancellationToken cancellationToken = default)
    {
        // Collect first, then update: ending runs while paging by offset through "RUNNING" would skip some.
        var abandoned = new List<string>();
        string? pageToken = null;
        do
        {
            var page = await Store.SearchRunsAsync(
                new RunSearchRequest { Filter = "attributes.status = 'RUNNING'", MaxResults = 1000, PageToken = pageToken, ViewType = ViewType.All },
                cancellationToken).ConfigureAwait(false);
            abandoned.AddRange(page.Runs.Where(IsAbandoned).Select(r => r.Info.RunId));
            pageToken = page.NextPageToken;
        }
        while (pageToken is not null);

        var now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var runId in abandoned)
        {
            await Store.UpdateRunAsync(runId, RunStatus.Failed, now, cancellationToken).ConfigureAwait(false);
            LogAbandonedRunFailed(_logger, runId);
        }

        return abandoned;
    }

    private static long CurrentProcessStart
    {
        get
        {
            using var process = Process.GetCurrentProcess();
            return new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds();
        }
    }

    private static bool IsAbandoned(Run run)
    {
        var tags = run.Data.Tags;
        if (!tags.TryGetValue(SystemTags.Host, out var host) || !string.Equals(host, Environment.MachineName, StringComparison.OrdinalIgnoreCase) ||
            !tags.TryGetValue(SystemTags.ProcessId, out var pidText) || !int.TryParse(pidText, CultureInfo.InvariantCulture, out var pid) ||
            !tags.TryGetValue(SystemTags.ProcessStart, out var startText) || !long.TryParse(startText, CultureInfo.InvariantCulture, out var start))
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            var started = new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds();

            // Another start time means the id was reused by a later process. Start times are read with clock-tick
            // precision, so allow a second of difference.
            return Math.Abs(started - start) > 1000;
        }
        catch (ArgumentException)
        {
            return true; // No process has that id any more.
        }
        catch (InvalidOperationException)
        {
            return true; // It exited while we looked.
        }
#pragma warning disable CA1031 // Access denied and the like: we cannot tell, so the run is left alone.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    /// <summary>Returns a run with its latest metrics, params and tags.</summary>
    /// <exception cref="TrackingException"><see cref="TrackingErrorCode.NotFound"/> when there is no such run.</exception>
    public async Task<Run> GetRunAsync(string runId, CancellationToken cancellationToken = default) =>
        await Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
        ?? throw new TrackingException(TrackingErrorCode.NotFound, $"The run {runId} does not exist in {Store.Location}: check the id.");

    /// <summary>Returns every point of a run's metric, by step, then timestamp.</summary>
    public Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default) =>
        Store.GetMetricHistoryAsync(runId, key, cancellationToken);

    /// <summary>Searches runs across experiments; see <see cref="RunSearchRequest"/> for the filter language.</summary>
    public Task<RunSearchResult> SearchRunsAsync(RunSearchRequest request, CancellationToken cancellationToken = default) =>
        Store.SearchRunsAsync(request, cancellationToken);

    /// <summary>
    /// Searches runs of the named experiments (all experiments when none are named) with a filter and orderings,
    /// and returns one page.
    /// </summary>
    public async Task<RunSearchResult> SearchRunsByExperimentNamesAsync(
        IReadOnlyList<string> experimentNames,
        string? filter = null,
        IReadOnlyList<string>? orderBy = null,
        int maxResults = 1000,
        string? pageToken = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experimentNames);
        var ids = new List<string>();
        foreach (var name in experimentNames)
        {
            var experiment = await Store.GetExperimentByNameAsync(name, cancellationToken).ConfigureAwait(false)
                ?? throw new TrackingException(TrackingErrorCode.NotFound, $"There is no experiment named '{name}' in {Store.Location}.");
            ids.Add(experiment.ExperimentId);
        }

        return await Store.SearchRunsAsync(
            new RunSearchRequest { ExperimentIds = ids, Filter = filter, OrderBy = orderBy ?? [], MaxResults = maxResults, PageToken = pageToken },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Puts runs side by side: params and latest metrics, with differing rows marked.</summary>
    /// <exception cref="TrackingException">A run does not exist.</exception>
    public async Task<RunComparison> CompareRunsAsync(IReadOnlyList<string> runIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        var runs = new List<Run>(runIds.Count);
        foreach (var id in runIds)
        {
            runs.Add(await GetRunAsync(id, cancellationToken).ConfigureAwait(false));
        }

        return RunComparison.Of(runs);
    }

    /// <summary>Opens an artifact of a run for reading.</summary>
    /// <exception cref="TrackingException">There is no such run.</exception>
    /// <exception cref="BlobNotFoundException">The run has no such artifact.</exception>
    public async Task<Stream> OpenArtifactAsync(string runId, string artifactPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(artifactPath);
        var run = await GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        return await ArtifactStore.OpenReadAsync($"{run.Info.ArtifactUri.TrimEnd('/')}/{artifactPath.TrimStart('/')}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists the artifact paths of a run, relative to its artifact root.</summary>
    public async Task<IReadOnlyList<string>> ListArtifactsAsync(string runId, CancellationToken cancellationToken = default)
    {
        var run = await GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        var prefix = run.Info.ArtifactUri.TrimEnd('/') + "/";
        var paths = new List<string>();
        await foreach (var blob in ArtifactStore.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            paths.Add(blob.Key[prefix.Length..]);
        }

        paths.Sort(StringComparer.Ordinal);
        return paths;
    }

    /// <summary>Releases the store when the tracker created it (<see cref="Create"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_ownsStore)
        {
            await Store.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"ExperimentTracker on {Store.Location}");

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Run {RunId} was RUNNING but its process has exited without ending it; it is now FAILED")]
    private static partial void LogAbandonedRunFailed(ILogger logger, string runId);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Started run {RunId} in experiment {Experiment}")]
    private static partial void LogRunStarted(ILogger logger, string runId, string experiment);
}
