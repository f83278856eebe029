using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Mlops.Core.Resilience;

/// <summary>Builds the resilience pipeline every remote backend uses, so all of them behave alike.</summary>
public static class RemoteResiliencePipeline
{
    /// <summary>
    /// Adds total timeout → retry (exponential with jitter, only where <paramref name="isTransient"/> says so)
    /// → circuit breaker → attempt timeout to <paramref name="builder"/>.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="options">The limits.</param>
    /// <param name="isTransient">Says whether a failure may succeed when tried again (a 503, a reset connection); attempt timeouts always count.</param>
    /// <param name="timeProvider">The clock (a fake one in tests).</param>
    public static ResiliencePipelineBuilder AddRemoteDefaults(
        this ResiliencePipelineBuilder builder,
        RemoteResilienceOptions options,
        Func<Exception, bool> isTransient,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(isTransient);
        if (timeProvider is not null)
        {
            builder.TimeProvider = timeProvider;
        }

        var transient = new PredicateBuilder().Handle<TimeoutRejectedException>().Handle<Exception>(ex => ex is not OperationCanceledException && isTransient(ex));
        return builder
            .AddTimeout(options.TotalTimeout)
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = options.CircuitBreakerFailureRatio,
                MinimumThroughput = options.CircuitBreakerMinimumThroughput,
                SamplingDuration = options.CircuitBreakerSamplingDuration,
                BreakDuration = options.CircuitBreakerBreakDuration,
            })
            .AddTimeout(options.AttemptTimeout);
    }

    /// <summary>Builds a pipeline with <see cref="AddRemoteDefaults"/>, for use without dependency injection.</summary>
    public static ResiliencePipeline Create(RemoteResilienceOptions options, Func<Exception, bool> isTransient, TimeProvider? timeProvider = null) =>
        new ResiliencePipelineBuilder().AddRemoteDefaults(options, isTransient, timeProvider).Build();
}
