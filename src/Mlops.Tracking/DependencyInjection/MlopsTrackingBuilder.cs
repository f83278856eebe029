using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mlops.Core.DependencyInjection;

namespace Mlops.Tracking.DependencyInjection;

/// <summary>The builder returned by <c>AddMlopsTracking</c>; store and artifact backends add extension methods to it.</summary>
public interface IMlopsTrackingBuilder : IMlopsBuilder;

/// <summary>The service keys of Mlops.Tracking.</summary>
public static class TrackingServiceKeys
{
    /// <summary>The key of the <see cref="Mlops.Core.Storage.BlobStore"/> that holds run artifacts.</summary>
    public const string ArtifactStore = "mlops-tracking-artifacts";
}

internal sealed class MlopsTrackingBuilder(IServiceCollection services) : IMlopsTrackingBuilder
{
    public IServiceCollection Services { get; } = services;
}

internal sealed class TrackingOptionsValidator : IValidateOptions<TrackingOptions>
{
    public ValidateOptionsResult Validate(string? name, TrackingOptions options)
    {
        var failures = new List<string>();
        if (options.StoreUri is not null && string.IsNullOrWhiteSpace(options.StoreUri))
        {
            failures.Add("TrackingOptions.StoreUri is blank: set a SQLite file path, or leave it null to use MLOPS_TRACKING_URI or ./mlruns.db.");
        }

        if (options.ArtifactRoot is not null && string.IsNullOrWhiteSpace(options.ArtifactRoot))
        {
            failures.Add("TrackingOptions.ArtifactRoot is blank: set a folder, or leave it null for 'mlartifacts' beside the store.");
        }

        if (options.BusyTimeout <= TimeSpan.Zero)
        {
            failures.Add($"TrackingOptions.BusyTimeout is {options.BusyTimeout}; it must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
