namespace Mlops.Tracking;

/// <summary>The state of a run. Stored and searched as its upper-case name (<c>FINISHED</c>).</summary>
public enum RunStatus
{
    /// <summary>The run is being logged to.</summary>
    Running,

    /// <summary>The run is created but has not started.</summary>
    Scheduled,

    /// <summary>The run completed.</summary>
    Finished,

    /// <summary>The run ended with an error, or its process ended without completing it.</summary>
    Failed,

    /// <summary>The run was stopped on purpose.</summary>
    Killed,
}

/// <summary>Whether an experiment or run is in use or deleted (and restorable).</summary>
public enum LifecycleStage
{
    /// <summary>In use.</summary>
    Active,

    /// <summary>Deleted: hidden from searches by default, restorable.</summary>
    Deleted,
}

/// <summary>Which runs or experiments a listing includes.</summary>
public enum ViewType
{
    /// <summary>Only active ones.</summary>
    ActiveOnly,

    /// <summary>Only deleted ones.</summary>
    DeletedOnly,

    /// <summary>Both.</summary>
    All,
}

/// <summary>A named group of runs with its own artifact location.</summary>
public sealed record Experiment
{
    /// <summary>The experiment's id, assigned by the store.</summary>
    public required string ExperimentId { get; init; }

    /// <summary>The unique name.</summary>
    public required string Name { get; init; }

    /// <summary>Where the artifacts of its runs go: a key prefix in the artifact store.</summary>
    public required string ArtifactLocation { get; init; }

    /// <summary>Active or deleted.</summary>
    public LifecycleStage LifecycleStage { get; init; }

    /// <summary>When it was created, Unix time in milliseconds.</summary>
    public long CreationTime { get; init; }

    /// <summary>The experiment's tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}

/// <summary>The attributes of a run.</summary>
public sealed record RunInfo
{
    /// <summary>The run's id: 32 lower-case hexadecimal characters.</summary>
    public required string RunId { get; init; }

    /// <summary>The id of the experiment the run belongs to.</summary>
    public required string ExperimentId { get; init; }

    /// <summary>The run's name (not unique).</summary>
    public string RunName { get; init; } = "";

    /// <summary>Who started the run.</summary>
    public string UserId { get; init; } = "";

    /// <summary>The run's state.</summary>
    public RunStatus Status { get; init; }

    /// <summary>When the run started, Unix time in milliseconds.</summary>
    public long StartTime { get; init; }

    /// <summary>When the run ended, Unix time in milliseconds; null while it has not.</summary>
    public long? EndTime { get; init; }

    /// <summary>Where the run's artifacts go: a key prefix in the artifact store (<c>&lt;experimentId&gt;/&lt;runId&gt;/artifacts</c>).</summary>
    public required string ArtifactUri { get; init; }

    /// <summary>Active or deleted.</summary>
    public LifecycleStage LifecycleStage { get; init; }

    /// <summary>The id of the parent run of a nested run.</summary>
    public string? ParentRunId { get; init; }
}

/// <summary>What was logged to a run: the latest value of each metric, the params and the tags.</summary>
public sealed record RunData
{
    /// <summary>The latest point of each metric (the one with the greatest step, then timestamp), by key.</summary>
    public IReadOnlyDictionary<string, Metric> Metrics { get; init; } = new Dictionary<string, Metric>();

    /// <summary>The params, by key.</summary>
    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();

    /// <summary>The tags, by key (system tags start with <c>mlops.</c>).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}

/// <summary>A run: its attributes and what was logged to it.</summary>
public sealed record Run
{
    /// <summary>The run's attributes.</summary>
    public required RunInfo Info { get; init; }

    /// <summary>What was logged.</summary>
    public required RunData Data { get; init; }
}

/// <summary>One point of a metric's history.</summary>
/// <param name="Key">The metric's name.</param>
/// <param name="Value">The value; NaN and ±Infinity are kept as they are.</param>
/// <param name="Timestamp">When it was logged, Unix time in milliseconds.</param>
/// <param name="Step">The training step (0 when not given).</param>
public sealed record Metric(string Key, double Value, long Timestamp, long Step);

/// <summary>A param: write-once per run.</summary>
/// <param name="Key">The param's name.</param>
/// <param name="Value">The value, at most 6000 characters.</param>
public sealed record Param(string Key, string Value);

/// <summary>A tag: mutable.</summary>
/// <param name="Key">The tag's name.</param>
/// <param name="Value">The value, at most 5000 characters.</param>
public sealed record RunTag(string Key, string Value);

/// <summary>What a new run starts with.</summary>
public sealed record NewRun
{
    /// <summary>The experiment the run belongs to.</summary>
    public required string ExperimentId { get; init; }

    /// <summary>The run's name; empty when null.</summary>
    public string? RunName { get; init; }

    /// <summary>Who starts the run.</summary>
    public string? UserId { get; init; }

    /// <summary>When it starts, Unix time in milliseconds.</summary>
    public long StartTime { get; init; }

    /// <summary>The parent run of a nested run; it must exist.</summary>
    public string? ParentRunId { get; init; }

    /// <summary>The initial state.</summary>
    public RunStatus Status { get; init; } = RunStatus.Running;

    /// <summary>Tags set when the run is created.</summary>
    public IReadOnlyList<RunTag> Tags { get; init; } = [];
}
