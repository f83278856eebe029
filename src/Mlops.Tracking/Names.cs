namespace Mlops.Tracking;

/// <summary>The stored spelling of enums: MLflow's (<c>FINISHED</c>, <c>active</c>).</summary>
internal static class Names
{
    public static string Of(RunStatus status) => status switch
    {
        RunStatus.Running => "RUNNING",
        RunStatus.Scheduled => "SCHEDULED",
        RunStatus.Finished => "FINISHED",
        RunStatus.Failed => "FAILED",
        RunStatus.Killed => "KILLED",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown run status."),
    };

    public static RunStatus ParseStatus(string text) => text switch
    {
        "RUNNING" => RunStatus.Running,
        "SCHEDULED" => RunStatus.Scheduled,
        "FINISHED" => RunStatus.Finished,
        "FAILED" => RunStatus.Failed,
        "KILLED" => RunStatus.Killed,
        _ => throw new TrackingException(TrackingErrorCode.StoreFailure, $"The store holds the unknown run status '{text}'."),
    };

    public static string Of(LifecycleStage stage) => stage == LifecycleStage.Deleted ? "deleted" : "active";

    public static LifecycleStage ParseStage(string text) => text == "deleted" ? LifecycleStage.Deleted : LifecycleStage.Active;
}
