namespace Mlops.Tracking.Registry;

/// <summary>A registered model: a name under which trained models are versioned.</summary>
public sealed record RegisteredModel
{
    /// <summary>The unique name.</summary>
    public required string Name { get; init; }

    /// <summary>A description, possibly empty.</summary>
    public string Description { get; init; } = "";

    /// <summary>When it was created, Unix time in milliseconds.</summary>
    public long CreationTime { get; init; }

    /// <summary>When it or one of its versions or aliases last changed, Unix time in milliseconds.</summary>
    public long LastUpdatedTime { get; init; }

    /// <summary>The model's tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The aliases and the version each points to.</summary>
    public IReadOnlyDictionary<string, int> Aliases { get; init; } = new Dictionary<string, int>();

    /// <summary>The highest version number; null when the model has no versions yet.</summary>
    public int? LatestVersion { get; init; }
}

/// <summary>One version of a registered model.</summary>
public sealed record ModelVersion
{
    /// <summary>The registered model's name.</summary>
    public required string Name { get; init; }

    /// <summary>The version: 1, 2, … in the order they were created.</summary>
    public required int Version { get; init; }

    /// <summary>Where the model's files are: an artifact-store key prefix or URI.</summary>
    public required string Source { get; init; }

    /// <summary>The run that produced it, when known.</summary>
    public string? RunId { get; init; }

    /// <summary>The version's state; <c>READY</c> once created.</summary>
    public string Status { get; init; } = "READY";

    /// <summary>A description, possibly empty.</summary>
    public string Description { get; init; } = "";

    /// <summary>When it was created, Unix time in milliseconds.</summary>
    public long CreationTime { get; init; }

    /// <summary>The version's tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The aliases pointing to this version.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];
}

/// <summary>What a new model version is made from.</summary>
public sealed record NewModelVersion
{
    /// <summary>The registered model; it must exist.</summary>
    public required string Name { get; init; }

    /// <summary>Where the model's files are.</summary>
    public required string Source { get; init; }

    /// <summary>The run that produced it; when given, it must exist.</summary>
    public string? RunId { get; init; }

    /// <summary>A description.</summary>
    public string? Description { get; init; }

    /// <summary>Tags set on the version.</summary>
    public IReadOnlyList<RunTag> Tags { get; init; } = [];
}
