using System.ComponentModel.DataAnnotations;

namespace Mlops.Core.Resilience;

/// <summary>
/// How calls to a remote backend are protected: total timeout → retry (exponential, with jitter,
/// transient failures only) → circuit breaker → attempt timeout. Each backend gets its own pipeline.
/// </summary>
public sealed class RemoteResilienceOptions
{
    /// <summary>The most one call may take, retries included.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The most one attempt may take.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How many times a transient failure is retried.</summary>
    [Range(0, 100)]
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>The delay before the first retry; later ones grow exponentially, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The share of failed calls, within <see cref="CircuitBreakerSamplingDuration"/>, that opens the circuit.</summary>
    [Range(0.01, 1.0)]
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    /// <summary>The fewest calls in a sampling window before the circuit may open.</summary>
    [Range(2, int.MaxValue)]
    public int CircuitBreakerMinimumThroughput { get; set; } = 20;

    /// <summary>The window over which the failure ratio is measured.</summary>
    [Range(typeof(TimeSpan), "00:00:00.5", "1.00:00:00")]
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit rejects calls before it tries again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.5", "1.00:00:00")]
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}
