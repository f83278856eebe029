using System.Runtime.ExceptionServices;
using System.Reflection;

namespace Mlops.Tracking.DependencyInjection;

/// <summary>
/// Opens the store a store URI names for <c>AddMlopsTracking</c>: a PostgreSQL connection string opens the
/// PostgreSQL store when the application references Mlops.Tracking.PostgreSql, anything else the SQLite file.
/// </summary>
/// <remarks>
/// The PostgreSQL package depends on this one, not the other way round, so it is found by name at run time:
/// referencing the package is enough for <c>MLOPS_TRACKING_URI=Host=…</c> to work, as it does for the CLI.
/// </remarks>
internal static class TrackingStoreFactory
{
    internal const string PostgreSqlStoreTypeName = "Mlops.Tracking.PostgreSql.PostgreSqlTrackingStore, Mlops.Tracking.PostgreSql";

    public static TrackingStore Create(TrackingOptions options, TimeProvider timeProvider)
    {
        var uri = TrackingOptions.ResolveStoreUri(options.StoreUri);
        if (TrackingOptions.IsPostgreSqlUri(uri) && FindPostgreSqlStoreType() is { } type)
        {
            try
            {
                return (TrackingStore)Activator.CreateInstance(type, uri, timeProvider)!;
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        }

        // Without the package, a PostgreSQL URI fails here with a message saying which package to add.
        return ExperimentTracker.CreateSqliteStore(options, timeProvider);
    }

    private static Type? FindPostgreSqlStoreType()
    {
        try
        {
            return Type.GetType(PostgreSqlStoreTypeName, throwOnError: false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return null;
        }
    }
}
