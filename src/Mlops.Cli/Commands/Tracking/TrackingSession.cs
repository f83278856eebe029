using Microsoft.Extensions.DependencyInjection;
using Mlops.Tracking;
using Mlops.Tracking.Registry;

namespace Mlops.Cli.Commands.Tracking;

/// <summary>The tracking store a verb works on, with the tracker and registry over it.</summary>
/// <remarks>
/// Without <c>--store</c> the verb uses what <c>AddMlopsTracking</c> registered in the CLI's services (the store of
/// <see cref="TrackingOptions.StoreUri"/>, else <c>MLOPS_TRACKING_URI</c>, else <c>./mlruns.db</c>, or a store a host
/// registered first). With <c>--store</c> it calls <c>AddMlopsTracking</c> again on services of its own with that
/// <see cref="TrackingOptions.StoreUri"/>, so a URI is resolved exactly as the library resolves it; the CLI never
/// interprets a store URI itself.
/// </remarks>
internal sealed class TrackingSession : IAsyncDisposable
{
    private readonly ServiceProvider? _owned;

    private TrackingSession(IServiceProvider services, ServiceProvider? owned)
    {
        Tracker = services.GetRequiredService<ExperimentTracker>();
        Registry = services.GetRequiredService<ModelRegistry>();
        _owned = owned;
    }

    public ExperimentTracker Tracker { get; }

    public ModelRegistry Registry { get; }

    public TrackingStore Store => Tracker.Store;

    /// <summary>Opens the store named by <paramref name="storeUri"/>, or the configured one when it is null.</summary>
    public static async Task<TrackingSession> OpenAsync(CliContext context, string? storeUri)
    {
        if (storeUri is null)
        {
            return new TrackingSession(context.Services, owned: null);
        }

        var services = new ServiceCollection();
        services.AddMlopsTracking(o => o.StoreUri = storeUri);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        try
        {
            return new TrackingSession(provider, provider);
        }
        catch
        {
            // The store's factory failed (a PostgreSQL URI without its package, a file it cannot open).
            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => _owned?.DisposeAsync() ?? ValueTask.CompletedTask;
}
