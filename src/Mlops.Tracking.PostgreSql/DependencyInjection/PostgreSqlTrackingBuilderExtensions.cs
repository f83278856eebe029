using Microsoft.Extensions.Options;
using Mlops.Tracking;
using Mlops.Tracking.DependencyInjection;
using Mlops.Tracking.PostgreSql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts the tracking store of <c>AddMlopsTracking</c> on a PostgreSQL server.</summary>
public static class PostgreSqlTrackingBuilderExtensions
{
    /// <summary>Uses a <see cref="PostgreSqlTrackingStore"/> on <paramref name="connectionString"/> instead of the SQLite default.</summary>
    /// <param name="builder">The builder from <c>AddMlopsTracking</c>.</param>
    /// <param name="connectionString">An Npgsql connection string (<c>Host=db;Database=mlops;Username=…</c>) or a <c>postgresql://</c> URI.</param>
    /// <exception cref="ArgumentException">The connection string cannot be read (checked now, without connecting).</exception>
    public static IMlopsTrackingBuilder UsePostgreSql(this IMlopsTrackingBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        PostgreSqlConnectionStrings.Parse(connectionString);
        return builder.UseStore(sp => new PostgreSqlTrackingStore(connectionString, sp.GetService<TimeProvider>() ?? TimeProvider.System));
    }

    /// <summary>
    /// Uses a <see cref="PostgreSqlTrackingStore"/> on the store URI of the tracking options: <see cref="TrackingOptions.StoreUri"/>,
    /// else the <c>MLOPS_TRACKING_URI</c> environment variable.
    /// </summary>
    /// <param name="builder">The builder from <c>AddMlopsTracking</c>.</param>
    public static IMlopsTrackingBuilder UsePostgreSql(this IMlopsTrackingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseStore(sp =>
        {
            var uri = TrackingOptions.ResolveStoreUri(sp.GetRequiredService<IOptions<TrackingOptions>>().Value.StoreUri);
            if (!TrackingOptions.IsPostgreSqlUri(uri))
            {
                throw new TrackingException(TrackingErrorCode.InvalidArgument, $"UsePostgreSql() found no PostgreSQL connection string: set TrackingOptions.StoreUri or {TrackingOptions.TrackingUriVariable} to 'Host=…;Database=…' or 'postgresql://…', or pass the connection string to UsePostgreSql.");
            }

            return new PostgreSqlTrackingStore(uri, sp.GetService<TimeProvider>() ?? TimeProvider.System);
        });
    }
}
