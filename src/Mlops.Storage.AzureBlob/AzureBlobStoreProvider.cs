using Mlops.Core.Storage;

namespace Mlops.Storage.AzureBlob;

/// <summary>
/// Opens <c>azure://container/prefix</c> locations as <see cref="AzureBlobStore"/>s, with DVC's settings for Azure
/// remotes: <c>connection_string</c>, or <c>account_name</c> with <c>account_key</c> or <c>sas_token</c>; each falls
/// back to the environment (<c>AZURE_STORAGE_CONNECTION_STRING</c>, <c>AZURE_STORAGE_ACCOUNT</c>,
/// <c>AZURE_STORAGE_KEY</c>, <c>AZURE_STORAGE_SAS_TOKEN</c>).
/// </summary>
public sealed class AzureBlobStoreProvider : BlobStoreProvider
{
    private readonly Func<string, string?> _environment;

    /// <summary>Creates a provider that reads the process's environment variables.</summary>
    public AzureBlobStoreProvider()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    internal AzureBlobStoreProvider(Func<string, string?> environment) => _environment = environment;

    /// <inheritdoc />
    public override bool CanOpen(BlobStoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return location.Scheme == "azure";
    }

    /// <inheritdoc />
    public override BlobStore Open(BlobStoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        var options = new AzureBlobStoreOptions { Container = location.Host, Prefix = location.Path };
        var account = Setting(location, "account_name", "AZURE_STORAGE_ACCOUNT");
        var key = Setting(location, "account_key", "AZURE_STORAGE_KEY");
        var sas = Setting(location, "sas_token", "AZURE_STORAGE_SAS_TOKEN");
        if (Setting(location, "connection_string", "AZURE_STORAGE_CONNECTION_STRING") is { } connectionString)
        {
            options.ConnectionString = connectionString;
        }
        else if (account is not null && key is not null)
        {
            options.ConnectionString = $"DefaultEndpointsProtocol=https;AccountName={account};AccountKey={key};EndpointSuffix=core.windows.net";
        }
        else if (account is not null && sas is not null)
        {
            options.ServiceUri = new Uri($"https://{account}.blob.core.windows.net/?{sas.TrimStart('?')}");
        }
        else
        {
            var missing = account is null
                ? "connection_string (or account_name with account_key or sas_token)"
                : "account_key or sas_token for account_name '" + account + "'";
            throw new BlobStoreException(
                AzureBlobStore.Backend,
                location.Name,
                null,
                $"no credentials for {location.RedactedUrl}: set {missing} in the remote's local config ('mlops remote modify --local {location.Name} connection_string …'), or the environment variable AZURE_STORAGE_CONNECTION_STRING.");
        }

        try
        {
            return new AzureBlobStore(location.Name, options);
        }
        catch (ArgumentException ex)
        {
            // The validator's messages name the setting, never a secret value.
            throw new BlobStoreException(AzureBlobStore.Backend, location.Name, null, $"{location.RedactedUrl} cannot be opened: {ex.Message}", ex);
        }
    }

    private string? Setting(BlobStoreLocation location, string key, string environmentVariable) =>
        location.GetSetting(key) ?? (_environment(environmentVariable) is { Length: > 0 } value ? value : null);
}
