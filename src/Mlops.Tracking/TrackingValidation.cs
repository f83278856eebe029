using System.Text.RegularExpressions;

namespace Mlops.Tracking;

/// <summary>The limits every tracking store enforces, after MLflow's.</summary>
public static class TrackingLimits
{
    /// <summary>The longest metric, param or tag key.</summary>
    public const int MaxKeyLength = 250;

    /// <summary>The longest param value.</summary>
    public const int MaxParamValueLength = 6000;

    /// <summary>The longest tag value.</summary>
    public const int MaxTagValueLength = 5000;

    /// <summary>The most metric points in one batch.</summary>
    public const int MaxMetricsPerBatch = 1000;

    /// <summary>The most params in one batch.</summary>
    public const int MaxParamsPerBatch = 100;

    /// <summary>The most tags in one batch.</summary>
    public const int MaxTagsPerBatch = 100;

    /// <summary>The longest experiment or registered-model name.</summary>
    public const int MaxNameLength = 256;
}

internal static partial class TrackingValidation
{
    [GeneratedRegex(@"^[/\w.\- ]*$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex RunIdPattern();

    [GeneratedRegex(@"^[\w\-]+$")]
    private static partial Regex AliasPattern();

    [GeneratedRegex(@"^v\d+$", RegexOptions.IgnoreCase)]
    private static partial Regex VersionLikeAlias();

    public static void RunId(string? runId, string? what = "run")
    {
        if (runId is null || !RunIdPattern().IsMatch(runId))
        {
            throw new TrackingException(
                TrackingErrorCode.InvalidArgument,
                $"'{runId}' is not a valid {what} id: a run id is 32 lower-case hexadecimal characters, as returned when the run was started.");
        }
    }

    public static void Key(string? key, string kind, string runId)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw Invalid($"A {kind} key for run {runId} is empty: give every {kind} a name.");
        }

        if (key.Length > TrackingLimits.MaxKeyLength)
        {
            throw Invalid($"The {kind} key '{key[..40]}…' for run {runId} has {key.Length} characters; the limit is {TrackingLimits.MaxKeyLength}. Use a shorter key.");
        }

        if (!KeyPattern().IsMatch(key))
        {
            throw Invalid($"The {kind} key '{key}' for run {runId} has characters that are not allowed: use letters, digits, '_', '-', '.', ' ' and '/'.");
        }

        if (key.StartsWith('/') || key.Split('/').Any(segment => segment == ".."))
        {
            throw Invalid($"The {kind} key '{key}' for run {runId} is not allowed: a key may not start with '/' or contain a '..' segment.");
        }
    }

    public static void Batch(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<RunTag> tags)
    {
        RunId(runId);
        if (metrics.Count > TrackingLimits.MaxMetricsPerBatch || parameters.Count > TrackingLimits.MaxParamsPerBatch || tags.Count > TrackingLimits.MaxTagsPerBatch)
        {
            throw Invalid(
                $"The batch for run {runId} has {metrics.Count} metrics, {parameters.Count} params and {tags.Count} tags; one batch may hold at most " +
                $"{TrackingLimits.MaxMetricsPerBatch} metrics, {TrackingLimits.MaxParamsPerBatch} params and {TrackingLimits.MaxTagsPerBatch} tags. Split it.");
        }

        // A batch repeats a few keys many times (a loss per step): check each distinct key once.
        string? previous = null;
        HashSet<string>? checkedKeys = null;
        foreach (var metric in metrics)
        {
            ArgumentNullException.ThrowIfNull(metric);
            if (ReferenceEquals(metric.Key, previous) || (checkedKeys?.Contains(metric.Key) ?? false))
            {
                continue;
            }

            Key(metric.Key, "metric", runId);
            (checkedKeys ??= new HashSet<string>(StringComparer.Ordinal)).Add(metric.Key);
            previous = metric.Key;
        }

        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var param in parameters)
        {
            ArgumentNullException.ThrowIfNull(param);
            Key(param.Key, "param", runId);
            ParamValue(param, runId);
            if (seen.TryGetValue(param.Key, out var earlier) && earlier != param.Value)
            {
                throw new TrackingException(
                    TrackingErrorCode.Conflict,
                    $"The batch for run {runId} sets the param '{param.Key}' twice, to '{Truncate(earlier)}' and to '{Truncate(param.Value)}'; params are write-once. Keep one value.");
            }

            seen[param.Key] = param.Value;
        }

        foreach (var tag in tags)
        {
            Tag(tag, runId);
        }
    }

    public static void ParamValue(Param param, string runId)
    {
        if (param.Value is null)
        {
            throw Invalid($"The param '{param.Key}' for run {runId} has no value: log a string, empty if need be.");
        }

        if (param.Value.Length > TrackingLimits.MaxParamValueLength)
        {
            throw Invalid($"The value of the param '{param.Key}' for run {runId} has {param.Value.Length} characters; the limit is {TrackingLimits.MaxParamValueLength}. Log it as an artifact instead.");
        }
    }

    public static void Tag(RunTag tag, string owner)
    {
        ArgumentNullException.ThrowIfNull(tag);
        Key(tag.Key, "tag", owner);
        if (tag.Value is null)
        {
            throw Invalid($"The tag '{tag.Key}' for {owner} has no value: set a string, empty if need be.");
        }

        if (tag.Value.Length > TrackingLimits.MaxTagValueLength)
        {
            throw Invalid($"The value of the tag '{tag.Key}' for {owner} has {tag.Value.Length} characters; the limit is {TrackingLimits.MaxTagValueLength}. Log it as an artifact instead.");
        }
    }

    public static void Name(string? name, string kind)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw Invalid($"The {kind} name is empty: give it a name.");
        }

        if (name.Length > TrackingLimits.MaxNameLength)
        {
            throw Invalid($"The {kind} name '{name[..40]}…' has {name.Length} characters; the limit is {TrackingLimits.MaxNameLength}.");
        }

        if (name.Any(char.IsControl) || name.Contains('/', StringComparison.Ordinal) || name.Contains('@', StringComparison.Ordinal))
        {
            throw Invalid($"The {kind} name '{name}' may not contain '/', '@' or control characters.");
        }
    }

    public static void Alias(string? alias, string model)
    {
        if (string.IsNullOrEmpty(alias) || alias.Length > TrackingLimits.MaxKeyLength || !AliasPattern().IsMatch(alias))
        {
            throw Invalid($"'{alias}' is not a valid alias for the model '{model}': use letters, digits, '_' and '-' (at most {TrackingLimits.MaxKeyLength}), such as 'champion'.");
        }

        if (alias.Equals("latest", StringComparison.OrdinalIgnoreCase) || VersionLikeAlias().IsMatch(alias))
        {
            throw Invalid($"The alias '{alias}' for the model '{model}' is reserved: 'latest' and 'v<number>' already name versions in models:/ URIs. Choose another, such as 'champion'.");
        }
    }

    public static string Truncate(string value) => value.Length <= 60 ? value : value[..60] + "…";

    private static TrackingException Invalid(string message) => new(TrackingErrorCode.InvalidArgument, message);
}
