using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Mlops.Core.Lineage;
using Mlops.Core.Storage;

namespace Mlops.Tracking;

/// <summary>
/// A run being logged to. Params, metrics and tags are checked at once and buffered; a background writer stores
/// them in batches, so logging never waits for I/O. <see cref="FlushAsync"/> waits until everything logged so far
/// is stored; <see cref="CompleteAsync"/> stores the rest and marks the run FINISHED; disposing a run that was
/// not completed stores the rest and marks it FAILED.
/// </summary>
/// <remarks>Safe to log to from several threads.</remarks>
public sealed partial class ActiveRun : IAsyncDisposable
{
    private readonly TrackingStore _store;
    private readonly BlobStore _artifacts;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Channel<object> _channel = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, string> _params = new(StringComparer.Ordinal);
    private readonly HashSet<string> _checkedMetricKeys = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly Task _writer;
    private readonly IDisposable? _dataReads;
    private Exception? _writeError;
    private RunStatus? _endStatus;

    internal ActiveRun(RunInfo info, TrackingStore store, BlobStore artifacts, TimeProvider timeProvider, ILogger logger, bool recordDataReads = false)
    {
        Info = info;
        _store = store;
        _artifacts = artifacts;
        _timeProvider = timeProvider;
        _logger = logger;
        _writer = Task.Run(WriteLoopAsync);
        _dataReads = recordDataReads ? DataLineage.Listen(read => LogDataVersion(read.Path, read.Revision, read.Md5)) : null;
    }

    /// <summary>The run as it was when it started.</summary>
    public RunInfo Info { get; }

    /// <summary>The run's id.</summary>
    public string RunId => Info.RunId;

    /// <summary>The id of the run's experiment.</summary>
    public string ExperimentId => Info.ExperimentId;

    /// <summary>Whether the run has ended (completed, failed or killed).</summary>
    public bool HasEnded
    {
        get
        {
            lock (_gate)
            {
                return _endStatus is not null;
            }
        }
    }

    /// <summary>Logs a param. Logging the same value again is fine; another value fails, as params are write-once.</summary>
    /// <exception cref="TrackingException">The key or value is invalid, or the param already has another value.</exception>
    public void LogParam(string key, string value)
    {
        var param = new Param(key, value);
        TrackingValidation.Key(key, "param", RunId);
        TrackingValidation.ParamValue(param, RunId);
        lock (_gate)
        {
            if (_params.TryGetValue(key, out var existing))
            {
                if (existing == value)
                {
                    return;
                }

                throw new TrackingException(
                    TrackingErrorCode.Conflict,
                    $"The param '{key}' of run {RunId} is already '{TrackingValidation.Truncate(existing)}'; it cannot become '{TrackingValidation.Truncate(value)}' because params are write-once. Log the new value under another key, or start a new run.");
            }

            _params[key] = value;
            Enqueue(param);
        }
    }

    /// <summary>Logs a param, formatting the value with the invariant culture (<c>0.1</c>, never <c>0,1</c>).</summary>
    /// <exception cref="TrackingException">The key or value is invalid, or the param already has another value.</exception>
    public void LogParam(string key, IFormattable value)
    {
        ArgumentNullException.ThrowIfNull(value);
        LogParam(key, value.ToString(null, CultureInfo.InvariantCulture));
    }

    /// <summary>Logs a metric point at <paramref name="step"/>, timestamped now. NaN and ±Infinity are kept.</summary>
    /// <exception cref="TrackingException">The key is invalid.</exception>
    public void LogMetric(string key, double value, long step = 0)
    {
        lock (_gate)
        {
            CheckMetricKey(key);
            Enqueue(new Metric(key, value, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), step));
        }
    }

    /// <summary>Logs several metrics at one step.</summary>
    /// <exception cref="TrackingException">A key is invalid; none of them was logged.</exception>
    public void LogMetrics(IReadOnlyDictionary<string, double> metrics, long step = 0)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var timestamp = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_gate)
        {
            foreach (var key in metrics.Keys)
            {
                CheckMetricKey(key);
            }

            foreach (var (key, value) in metrics)
            {
                Enqueue(new Metric(key, value, timestamp, step));
            }
        }
    }

    /// <summary>Sets a tag, replacing any value it had.</summary>
    /// <exception cref="TrackingException">The key or value is invalid.</exception>
    public void SetTag(string key, string value)
    {
        var tag = new RunTag(key, value);
        TrackingValidation.Tag(tag, $"run {RunId}");
        lock (_gate)
        {
            Enqueue(tag);
        }
    }

    /// <summary>Records that the run used <paramref name="path"/> at <paramref name="revision"/> with content hash <paramref name="md5"/> (as the tag <c>mlops.data.&lt;path&gt;</c>).</summary>
    public void LogDataVersion(string path, string revision, string md5)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(revision);
        ArgumentNullException.ThrowIfNull(md5);
        var version = new DataVersion(path, revision, md5);
        SetTag(version.TagKey, version.ToTagValue());
    }

    /// <summary>
    /// Copies a local file to the run's artifacts, under <paramref name="artifactPath"/> (a relative path with '/';
    /// the file's name when null). The artifact store's key is <c>&lt;experimentId&gt;/&lt;runId&gt;/artifacts/&lt;path&gt;</c>.
    /// </summary>
    /// <returns>The artifact's key in the artifact store.</returns>
    public async Task<string> LogArtifactAsync(string localPath, string? artifactPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        if (!File.Exists(localPath))
        {
            throw new TrackingException(TrackingErrorCode.NotFound, $"Cannot log the artifact '{localPath}' to run {RunId}: there is no such file.");
        }

        var key = ArtifactKey(artifactPath ?? Path.GetFileName(localPath));
        await _artifacts.UploadFileAsync(key, localPath, cancellationToken).ConfigureAwait(false);
        return key;
    }

    /// <summary>Writes <paramref name="content"/>, read to its end, to the run's artifacts under <paramref name="artifactPath"/>.</summary>
    /// <returns>The artifact's key in the artifact store.</returns>
    public async Task<string> LogArtifactStreamAsync(Stream content, string artifactPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var key = ArtifactKey(artifactPath);
        await _artifacts.WriteAsync(key, content, cancellationToken).ConfigureAwait(false);
        return key;
    }

    /// <summary>Waits until everything logged so far is stored.</summary>
    /// <exception cref="TrackingException">A batch could not be stored since the last flush; the message says why.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool queued;
        lock (_gate)
        {
            queued = _channel.Writer.TryWrite(flushed);
        }

        if (queued)
        {
            await flushed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        ThrowIfWriteFailed();
    }

    /// <summary>Stores everything logged and marks the run FINISHED.</summary>
    /// <exception cref="TrackingException">Something logged could not be stored; the run is then marked FAILED.</exception>
    public Task CompleteAsync(CancellationToken cancellationToken = default) => EndAsync(RunStatus.Finished, cancellationToken);

    /// <summary>Stores everything logged and ends the run with <paramref name="status"/> (FINISHED, FAILED or KILLED). Ending twice does nothing.</summary>
    /// <exception cref="TrackingException">Something logged could not be stored; the run is then marked FAILED.</exception>
    public async Task EndAsync(RunStatus status, CancellationToken cancellationToken = default)
    {
        if (status is RunStatus.Running or RunStatus.Scheduled)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A run ends as Finished, Failed or Killed.");
        }

        lock (_gate)
        {
            if (_endStatus is not null)
            {
                return;
            }

            _endStatus = status;
            _channel.Writer.TryComplete();
        }

        _dataReads?.Dispose();

        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        var error = TakeWriteError();
        var endTime = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        await _store.UpdateRunAsync(RunId, error is null ? status : RunStatus.Failed, endTime, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw WriteFailed(error);
        }
    }

    /// <summary>Ends the run as FAILED unless it was ended already; everything logged is stored first.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await EndAsync(RunStatus.Failed).ConfigureAwait(false);
        }
        catch (TrackingException ex)
        {
            // Dispose must not throw; the failure is logged instead.
            LogEndFailed(_logger, RunId, ex);
        }
    }

    private string ArtifactKey(string artifactPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(artifactPath);
        var key = $"{Info.ArtifactUri.TrimEnd('/')}/{artifactPath.Replace('\\', '/').TrimStart('/')}";
        if (!BlobKey.IsValid(key))
        {
            throw new TrackingException(TrackingErrorCode.InvalidArgument, $"'{artifactPath}' is not a valid artifact path for run {RunId}: use a relative path with '/' separators and no '.' or '..' segments.");
        }

        return key;
    }

    // Called under _gate. A run logs a few keys many times: each is checked once.
    private void CheckMetricKey(string key)
    {
        if (key is null || !_checkedMetricKeys.Contains(key))
        {
            TrackingValidation.Key(key, "metric", RunId);
            _checkedMetricKeys.Add(key!);
        }
    }

    private void Enqueue(object item)
    {
        // Called under _gate, so nothing is written after the channel completes.
        if (!_channel.Writer.TryWrite(item))
        {
            throw new InvalidOperationException($"The run {RunId} has ended ({_endStatus}); start a new run to log more.");
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _channel.Reader;
        var metrics = new List<Metric>();
        var parameters = new List<Param>();
        var tags = new List<RunTag>();
        var flushes = new List<TaskCompletionSource>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Take what is buffered, up to one batch; a flush marker closes the batch so it completes promptly.
            while (metrics.Count < TrackingLimits.MaxMetricsPerBatch && parameters.Count < TrackingLimits.MaxParamsPerBatch &&
                   tags.Count < TrackingLimits.MaxTagsPerBatch && reader.TryRead(out var item))
            {
                switch (item)
                {
                    case Metric metric:
                        metrics.Add(metric);
                        break;
                    case Param param:
                        parameters.Add(param);
                        break;
                    case RunTag tag:
                        tags.Add(tag);
                        break;
                    case TaskCompletionSource flush:
                        flushes.Add(flush);
                        break;
                    default:
                        break;
                }

                if (flushes.Count > 0)
                {
                    break;
                }
            }

            if (metrics.Count + parameters.Count + tags.Count > 0)
            {
                try
                {
                    await _store.LogBatchAsync(RunId, metrics, parameters, tags, CancellationToken.None).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // The writer must survive any failure and report it to the next flush or end.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogBatchFailed(_logger, RunId, metrics.Count, parameters.Count, tags.Count, ex);
                    lock (_gate)
                    {
                        _writeError ??= ex;
                    }
                }

                metrics.Clear();
                parameters.Clear();
                tags.Clear();
            }

            foreach (var flush in flushes)
            {
                flush.TrySetResult();
            }

            flushes.Clear();
        }
    }

    private Exception? TakeWriteError()
    {
        lock (_gate)
        {
            var error = _writeError;
            _writeError = null;
            return error;
        }
    }

    private void ThrowIfWriteFailed()
    {
        if (TakeWriteError() is { } error)
        {
            throw WriteFailed(error);
        }
    }

    private TrackingException WriteFailed(Exception error) =>
        error is TrackingException tracking
            ? new TrackingException(tracking.ErrorCode, $"Logging to run {RunId} failed: {tracking.Message}", tracking)
            : new TrackingException(TrackingErrorCode.StoreFailure, $"Logging to run {RunId} failed: {error.Message}", error);

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Could not store a batch of {Metrics} metrics, {Params} params and {Tags} tags for run {RunId}")]
    private static partial void LogBatchFailed(ILogger logger, string runId, int metrics, int @params, int tags, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Could not end run {RunId}")]
    private static partial void LogEndFailed(ILogger logger, string runId, Exception exception);
}
