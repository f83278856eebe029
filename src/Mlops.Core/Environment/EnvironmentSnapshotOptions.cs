namespace Mlops.Core;

/// <summary>What an <see cref="EnvironmentSnapshotProvider"/> records.</summary>
public sealed class EnvironmentSnapshotOptions
{
    /// <summary>
    /// The environment variables recorded when set: exact names, or a prefix ending with '*'.
    /// Only these are read, so secrets stay out unless a host adds them. The defaults name the
    /// host environment, the CI provider and the .NET settings that change behaviour.
    /// </summary>
    public IList<string> EnvironmentVariables { get; } =
    [
        "DOTNET_ENVIRONMENT",
        "ASPNETCORE_ENVIRONMENT",
        "DOTNET_gcServer",
        "DOTNET_TieredPGO",
        "DOTNET_PROCESSOR_COUNT",
        "CI",
        "GITHUB_SHA",
        "GITHUB_REF",
        "GITHUB_RUN_ID",
        "BUILD_SOURCEVERSION",
        "BUILD_BUILDID",
        "CI_COMMIT_SHA",
        "CI_PIPELINE_ID",
    ];

    /// <summary>The folder whose Git state is recorded; the current directory when null.</summary>
    public string? GitWorkingDirectory { get; set; }

    /// <summary>Whether to record the Git state at all.</summary>
    public bool CaptureGit { get; set; } = true;

    /// <summary>The <c>.deps.json</c> file to read package versions from; the entry assembly's when null.</summary>
    public string? DepsFile { get; set; }
}
