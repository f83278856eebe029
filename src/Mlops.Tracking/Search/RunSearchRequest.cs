namespace Mlops.Tracking.Search;

/// <summary>A search for runs: which experiments, which runs (a filter), in which order, how many.</summary>
public sealed record RunSearchRequest
{
    /// <summary>The largest <see cref="MaxResults"/> a store accepts.</summary>
    public const int MaxResultsLimit = 50_000;

    /// <summary>The experiments to search; all of them when empty.</summary>
    public IReadOnlyList<string> ExperimentIds { get; init; } = [];

    /// <summary>
    /// A filter in MLflow's language: clauses joined by <c>and</c>, such as
    /// <c>metrics.rmse &lt; 3 and params.trainer = 'sdca' and tags.stage LIKE 'exp%' and attributes.status = 'FINISHED'</c>.
    /// </summary>
    public string? Filter { get; init; }

    /// <summary>Orderings such as <c>metrics.rmse ASC</c> or <c>attributes.start_time DESC</c>; newest first when empty.</summary>
    public IReadOnlyList<string> OrderBy { get; init; } = [];

    /// <summary>The most runs in one page (1 to <see cref="MaxResultsLimit"/>).</summary>
    public int MaxResults { get; init; } = 1000;

    /// <summary>The <see cref="RunSearchResult.NextPageToken"/> of the previous page; null for the first page.</summary>
    public string? PageToken { get; init; }

    /// <summary>Active runs, deleted runs, or both.</summary>
    public ViewType ViewType { get; init; } = ViewType.ActiveOnly;
}

/// <summary>One page of runs found by a search.</summary>
/// <param name="Runs">The runs, in the requested order.</param>
/// <param name="NextPageToken">The token for the next page; null on the last page.</param>
public sealed record RunSearchResult(IReadOnlyList<Run> Runs, string? NextPageToken);

/// <summary>A parsed run search, as a backend executes it.</summary>
public sealed record RunSearchQuery
{
    /// <summary>The experiments to search; all when empty.</summary>
    public IReadOnlyList<string> ExperimentIds { get; init; } = [];

    /// <summary>The parsed filter.</summary>
    public RunFilter Filter { get; init; } = RunFilter.Empty;

    /// <summary>The orderings; newest first, then by run id, after them.</summary>
    public IReadOnlyList<RunOrdering> OrderBy { get; init; } = [];

    /// <summary>How many runs to skip.</summary>
    public int Offset { get; init; }

    /// <summary>The most runs to return.</summary>
    public int Limit { get; init; } = 1000;

    /// <summary>Active runs, deleted runs, or both.</summary>
    public ViewType ViewType { get; init; } = ViewType.ActiveOnly;
}
