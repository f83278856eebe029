using System.Globalization;
using Npgsql;

namespace Mlops.Tracking.PostgreSql;

/// <summary>Reads the two spellings of a PostgreSQL store: an Npgsql connection string, or a <c>postgresql://</c> URI as MLflow takes it.</summary>
internal static class PostgreSqlConnectionStrings
{
    public static NpgsqlConnectionStringBuilder Parse(string connectionString)
    {
        try
        {
            return connectionString.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
                   connectionString.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
                ? FromUri(new Uri(connectionString))
                : new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            // The message never repeats the text: it may hold a password.
            throw new ArgumentException($"The PostgreSQL connection string cannot be read ({ex.Message}). Use 'Host=server;Database=mlops;Username=user' or 'postgresql://user@server:5432/mlops'.", nameof(connectionString), ex);
        }
    }

    private static NpgsqlConnectionStringBuilder FromUri(Uri uri)
    {
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host };
        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            builder[key.ToLower(CultureInfo.InvariantCulture) == "sslmode" ? "SSL Mode" : key] = value;
        }

        return builder;
    }
}
