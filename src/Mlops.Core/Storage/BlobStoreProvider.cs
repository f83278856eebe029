namespace Mlops.Core.Storage;

/// <summary>
/// Opens blob stores by URL: each storage package provides one for its schemes (<c>azure://</c>, <c>s3://</c>), and
/// Mlops.Core one for local folders (<see cref="FileSystemBlobStoreProvider"/>). A caller asks each provider in turn and
/// uses the first whose <see cref="CanOpen"/> says yes.
/// </summary>
/// <remarks>Providers send no request when opening a store, and never log or print settings: they may hold credentials.</remarks>
public abstract class BlobStoreProvider
{
    /// <summary>Says whether this provider handles the location (usually by its URL scheme).</summary>
    public abstract bool CanOpen(BlobStoreLocation location);

    /// <summary>Creates the store for <paramref name="location"/>.</summary>
    /// <exception cref="BlobStoreException">The URL or settings are incomplete or invalid; the message says which key to set, never a secret value.</exception>
    public abstract BlobStore Open(BlobStoreLocation location);
}

/// <summary>Where a blob store is: a name, a URL and the settings that go with it (for a DVC remote, its config section).</summary>
/// <param name="Name">The store's name, for example the remote's name; used in error messages.</param>
/// <param name="Url">A local path, <c>file://</c>, <c>azure://container/prefix</c>, <c>s3://bucket/prefix</c>, …</param>
public sealed record BlobStoreLocation(string Name, string Url)
{
    /// <summary>The settings of the location, by key (for a DVC remote, its section of <c>.dvc/config</c> with <c>.dvc/config.local</c> merged in). May hold credentials.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>The folder relative local paths resolve against; the current directory when null.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>The URL's scheme in lower case (<c>s3</c>, <c>azure</c>, <c>file</c>, …), or empty for a local path.</summary>
    public string Scheme
    {
        get
        {
            var separator = Url.IndexOf("://", StringComparison.Ordinal);
            return separator > 1 ? Url[..separator].ToLowerInvariant() : "";
        }
    }

    /// <summary>The part of the URL after the scheme up to the first '/': the bucket or container (empty for a local path).</summary>
    public string Host => SplitUrl().Host;

    /// <summary>The part of the URL after <see cref="Host"/>, without leading or trailing '/': the key prefix (empty for none); the whole URL for a local path.</summary>
    public string Path => SplitUrl().Path;

    /// <summary>The URL with any user information (<c>user:password@</c>) removed, safe to print.</summary>
    public string RedactedUrl
    {
        get
        {
            var scheme = Url.IndexOf("://", StringComparison.Ordinal);
            var at = Url.IndexOf('@', StringComparison.Ordinal);
            var slash = scheme < 0 ? -1 : Url.IndexOf('/', scheme + 3);
            return scheme > 0 && at > scheme && (slash < 0 || at < slash) ? Url[..(scheme + 3)] + "***@" + Url[(at + 1)..] : Url;
        }
    }

    /// <summary>Returns a setting, or null when it is missing or blank.</summary>
    public string? GetSetting(string key) =>
        Settings.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    /// <summary>Names the location without its settings or credentials, so it is safe to print.</summary>
    public override string ToString() => $"'{Name}' ({RedactedUrl})";

    private (string Host, string Path) SplitUrl()
    {
        var separator = Url.IndexOf("://", StringComparison.Ordinal);
        if (separator < 0)
        {
            return ("", Url);
        }

        var rest = Url[(separator + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (rest, "") : (rest[..slash], rest[(slash + 1)..].Trim('/'));
    }
}
