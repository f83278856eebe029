namespace Mlops.Tracking;

/// <summary>The tags a run records about itself, after MLflow's <c>mlflow.*</c> system tags.</summary>
public static class SystemTags
{
    /// <summary>The id of the parent run of a nested run.</summary>
    public const string ParentRunId = "mlops.parentRunId";

    /// <summary>Who started the run.</summary>
    public const string User = "mlops.user";

    /// <summary>The entry point: the program's assembly name, or the process's name.</summary>
    public const string Source = "mlops.source";

    /// <summary>HEAD's full commit sha when the run started.</summary>
    public const string GitCommit = "mlops.git.commit";

    /// <summary>The checked-out branch; absent when HEAD is detached.</summary>
    public const string GitBranch = "mlops.git.branch";

    /// <summary><c>true</c> when tracked files differed from the commit, else <c>false</c>.</summary>
    public const string GitDirty = "mlops.git.dirty";

    /// <summary>The URL of the remote <c>origin</c>.</summary>
    public const string GitRemote = "mlops.git.remote";

    /// <summary>The .NET runtime, such as <c>.NET 10.0.0</c>.</summary>
    public const string Runtime = "mlops.runtime";

    /// <summary>The operating system.</summary>
    public const string OperatingSystem = "mlops.os";

    /// <summary>The artifact path of the full environment snapshot (JSON).</summary>
    public const string EnvironmentArtifact = "mlops.environment";

    /// <summary>The machine the run's process ran on.</summary>
    public const string Host = "mlops.host";

    /// <summary>The id of the run's process; with <see cref="ProcessStart"/> it tells a later process whether this one still runs.</summary>
    public const string ProcessId = "mlops.pid";

    /// <summary>When the run's process started, Unix time in milliseconds (a reused process id has another start time).</summary>
    public const string ProcessStart = "mlops.processStart";

    /// <summary>The prefix of the tags recording data versions: <c>mlops.data.&lt;path&gt;</c>, valued with JSON (path, rev, md5).</summary>
    public const string DataPrefix = "mlops.data.";
}
