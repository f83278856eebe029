using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Mlops.Tracking.Registry;

/// <summary>A model URI: <c>models:/name/3</c> (a version), <c>models:/name@champion</c> (an alias) or <c>models:/name/latest</c>.</summary>
public sealed record ModelUri
{
    private const string Scheme = "models:/";

    /// <summary>The registered model's name.</summary>
    public required string Name { get; init; }

    /// <summary>The version, for <c>models:/name/3</c>.</summary>
    public int? Version { get; init; }

    /// <summary>The alias, for <c>models:/name@champion</c>.</summary>
    public string? Alias { get; init; }

    /// <summary>Whether the URI names the newest version (<c>models:/name/latest</c>).</summary>
    public bool IsLatest => Version is null && Alias is null;

    /// <summary>Parses a model URI.</summary>
    /// <exception cref="TrackingException">The text is not a model URI.</exception>
    public static ModelUri Parse(string uri) =>
        TryParse(uri, out var parsed)
            ? parsed
            : throw new TrackingException(TrackingErrorCode.InvalidArgument, $"'{uri}' is not a model URI: use models:/<name>/<version>, models:/<name>@<alias> or models:/<name>/latest.");

    /// <summary>Tries to parse a model URI.</summary>
    public static bool TryParse(string? uri, [NotNullWhen(true)] out ModelUri? parsed)
    {
        parsed = null;
        if (uri is null || !uri.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = uri[Scheme.Length..];
        var at = rest.LastIndexOf('@');
        if (at > 0 && !rest.Contains('/', StringComparison.Ordinal))
        {
            parsed = new ModelUri { Name = rest[..at], Alias = rest[(at + 1)..] };
            return parsed.Alias!.Length > 0;
        }

        var slash = rest.LastIndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        var name = rest[..slash];
        var selector = rest[(slash + 1)..];
        if (selector.Equals("latest", StringComparison.OrdinalIgnoreCase))
        {
            parsed = new ModelUri { Name = name };
            return true;
        }

        if (int.TryParse(selector, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0)
        {
            parsed = new ModelUri { Name = name, Version = version };
            return true;
        }

        return false;
    }

    /// <inheritdoc />
    public override string ToString() =>
        Alias is not null ? $"{Scheme}{Name}@{Alias}"
        : Version is { } version ? string.Create(CultureInfo.InvariantCulture, $"{Scheme}{Name}/{version}")
        : $"{Scheme}{Name}/latest";
}

/// <summary>
/// The model registry: registers trained models as numbered versions, points aliases such as <c>champion</c> at them,
/// and resolves <c>models:/</c> URIs.
/// </summary>
public sealed class ModelRegistry
{
    private readonly TrackingStore _store;

    /// <summary>Creates a registry on a tracking store.</summary>
    public ModelRegistry(TrackingStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>
    /// Registers <paramref name="source"/> as the next version of the model <paramref name="name"/>, creating the
    /// model when it does not exist yet.
    /// </summary>
    /// <param name="name">The registered model's name.</param>
    /// <param name="source">Where the model's files are: an artifact key prefix or URI.</param>
    /// <param name="runId">The run that produced it.</param>
    /// <param name="tags">Tags of the version.</param>
    /// <param name="description">A description of the version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<ModelVersion> RegisterModelAsync(
        string name,
        string source,
        string? runId = null,
        IReadOnlyDictionary<string, string>? tags = null,
        string? description = null,
        CancellationToken cancellationToken = default)
    {
        if (await _store.GetRegisteredModelAsync(name, cancellationToken).ConfigureAwait(false) is null)
        {
            try
            {
                await _store.CreateRegisteredModelAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (TrackingException ex) when (ex.ErrorCode == TrackingErrorCode.AlreadyExists)
            {
                // Registered by someone else meanwhile: add the version to it.
            }
        }

        return await _store.CreateModelVersionAsync(
            new NewModelVersion
            {
                Name = name,
                Source = source,
                RunId = runId,
                Description = description,
                Tags = [.. (tags ?? new Dictionary<string, string>()).Select(t => new RunTag(t.Key, t.Value))],
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Registers the artifact folder <paramref name="artifactPath"/> of a run as the next version of <paramref name="name"/>.</summary>
    /// <exception cref="TrackingException">There is no such run.</exception>
    public async Task<ModelVersion> RegisterRunModelAsync(string name, string runId, string artifactPath = "model", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(artifactPath);
        var run = await _store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new TrackingException(TrackingErrorCode.NotFound, $"Cannot register a model from run {runId}: it does not exist in {_store.Location}.");
        return await RegisterModelAsync(name, $"{run.Info.ArtifactUri.TrimEnd('/')}/{artifactPath.Trim('/')}", runId, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns a registered model, or null.</summary>
    public Task<RegisteredModel?> GetModelAsync(string name, CancellationToken cancellationToken = default) => _store.GetRegisteredModelAsync(name, cancellationToken);

    /// <summary>Lists registered models by name.</summary>
    public IAsyncEnumerable<RegisteredModel> ListModelsAsync(CancellationToken cancellationToken = default) => _store.ListRegisteredModelsAsync(cancellationToken);

    /// <summary>Lists the versions of a model, oldest first.</summary>
    public Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string name, CancellationToken cancellationToken = default) => _store.ListModelVersionsAsync(name, cancellationToken);

    /// <summary>Returns a version, or null.</summary>
    public Task<ModelVersion?> GetVersionAsync(string name, int version, CancellationToken cancellationToken = default) => _store.GetModelVersionAsync(name, version, cancellationToken);

    /// <summary>Points <paramref name="alias"/> at <paramref name="version"/>, moving it atomically from any other version.</summary>
    /// <exception cref="TrackingException">The alias is reserved (<c>latest</c>, <c>v&lt;digits&gt;</c>) or invalid, or there is no such version.</exception>
    public Task SetAliasAsync(string name, string alias, int version, CancellationToken cancellationToken = default) => _store.SetModelAliasAsync(name, alias, version, cancellationToken);

    /// <summary>Removes an alias; returns false when there was none.</summary>
    public Task<bool> DeleteAliasAsync(string name, string alias, CancellationToken cancellationToken = default) => _store.DeleteModelAliasAsync(name, alias, cancellationToken);

    /// <summary>Sets a tag on a version.</summary>
    public Task SetVersionTagAsync(string name, int version, string key, string value, CancellationToken cancellationToken = default) =>
        _store.SetModelVersionTagAsync(name, version, new RunTag(key, value), cancellationToken);

    /// <summary>Resolves <c>models:/name/3</c>, <c>models:/name@champion</c> or <c>models:/name/latest</c> to a version.</summary>
    /// <exception cref="TrackingException">The URI is invalid, or names a model, version or alias that does not exist.</exception>
    public async Task<ModelVersion> ResolveAsync(string modelUri, CancellationToken cancellationToken = default)
    {
        var uri = ModelUri.Parse(modelUri);
        ModelVersion? version;
        if (uri.Alias is not null)
        {
            version = await _store.GetModelVersionByAliasAsync(uri.Name, uri.Alias, cancellationToken).ConfigureAwait(false);
        }
        else if (uri.Version is { } number)
        {
            version = await _store.GetModelVersionAsync(uri.Name, number, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var model = await _store.GetRegisteredModelAsync(uri.Name, cancellationToken).ConfigureAwait(false);
            version = model?.LatestVersion is { } latest ? await _store.GetModelVersionAsync(uri.Name, latest, cancellationToken).ConfigureAwait(false) : null;
        }

        return version ?? throw new TrackingException(
            TrackingErrorCode.NotFound,
            $"{modelUri} names no model version in {_store.Location}: check the model's name, its versions and its aliases.");
    }
}
