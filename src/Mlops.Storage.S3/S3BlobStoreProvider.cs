using Mlops.Core.Storage;

namespace Mlops.Storage.S3;

/// <summary>
/// Opens <c>s3://bucket/prefix</c> locations as <see cref="S3BlobStore"/>s, with DVC's settings for S3 remotes:
/// <c>endpointurl</c>, <c>access_key_id</c>, <c>secret_access_key</c>, <c>region</c> and <c>use_ssl</c>; each falls back
/// to the environment (<c>AWS_ENDPOINT_URL</c>, <c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>,
/// <c>AWS_DEFAULT_REGION</c>). With an endpoint (an S3-compatible service) buckets are addressed path-style.
/// </summary>
public sealed class S3BlobStoreProvider : BlobStoreProvider
{
    private readonly Func<string, string?> _environment;

    /// <summary>Creates a provider that reads the process's environment variables.</summary>
    public S3BlobStoreProvider()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    internal S3BlobStoreProvider(Func<string, string?> environment) => _environment = environment;

    /// <inheritdoc />
    public override bool CanOpen(BlobStoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return location.Scheme == "s3";
    }

    /// <inheritdoc />
    public override BlobStore Open(BlobStoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        var accessKey = Setting(location, "access_key_id", "AWS_ACCESS_KEY_ID");
        var secretKey = Setting(location, "secret_access_key", "AWS_SECRET_ACCESS_KEY");
        if (accessKey is null || secretKey is null)
        {
            var missing = (accessKey, secretKey) switch
            {
                (null, null) => "access_key_id and secret_access_key",
                (null, _) => "access_key_id",
                _ => "secret_access_key",
            };
            throw new BlobStoreException(
                S3BlobStore.Backend,
                location.Name,
                null,
                $"no credentials for {location.RedactedUrl}: set {missing} in the remote's local config ('mlops remote modify --local {location.Name} access_key_id …'), or the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.");
        }

        var useSsl = location.GetSetting("use_ssl") is not { } ssl || !(ssl.Equals("false", StringComparison.OrdinalIgnoreCase) || ssl == "0");
        var options = new S3BlobStoreOptions
        {
            Bucket = location.Host,
            Prefix = location.Path,
            AccessKey = accessKey,
            SecretKey = secretKey,
            Region = Setting(location, "region", "AWS_DEFAULT_REGION"),
        };
        if (Setting(location, "endpointurl", "AWS_ENDPOINT_URL") is { } endpoint)
        {
            options.ServiceUrl = Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                ? uri
                : Uri.TryCreate((useSsl ? "https://" : "http://") + endpoint, UriKind.Absolute, out var hostOnly) ? hostOnly : null;
            if (options.ServiceUrl is null)
            {
                throw new BlobStoreException(S3BlobStore.Backend, location.Name, null, $"the endpointurl of {location.RedactedUrl} is not a URL: set it to one such as https://minio.example.com:9000.");
            }

            // S3-compatible services rarely resolve bucket host names.
            options.ForcePathStyle = true;
        }
        else
        {
            options.Region ??= "us-east-1";
            if (!useSsl)
            {
                options.ConfigureClient = config => config.UseHttp = true;
            }
        }

        try
        {
            return new S3BlobStore(location.Name, options);
        }
        catch (ArgumentException ex)
        {
            // The validator's messages name the setting, never a secret value.
            throw new BlobStoreException(S3BlobStore.Backend, location.Name, null, $"{location.RedactedUrl} cannot be opened: {ex.Message}", ex);
        }
    }

    private string? Setting(BlobStoreLocation location, string key, string environmentVariable) =>
        location.GetSetting(key) ?? (_environment(environmentVariable) is { Length: > 0 } value ? value : null);
}
