using System.Globalization;
using Mlops.Tracking;
using Mlops.Tracking.Registry;
using Spectre.Console;

namespace Mlops.Cli.Commands.Tracking;

/// <summary>How the tracking verbs show values as text, in tables and in JSON alike.</summary>
internal static class TrackingText
{
    public static string Status(RunStatus status) => status.ToString().ToUpperInvariant();

    public static string Stage(LifecycleStage stage) => stage.ToString().ToLowerInvariant();

    /// <summary>A value in full (round-trip) precision; NaN and ±Infinity by name.</summary>
    public static string Number(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "Infinity"
        : double.IsNegativeInfinity(value) ? "-Infinity"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A value short enough for a table cell (six significant digits, as <see cref="RunComparison.ToMarkdown"/>).</summary>
    public static string Short(double value) => double.IsFinite(value) ? value.ToString("G6", CultureInfo.InvariantCulture) : Number(value);

    public static string Time(long unixMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Time(long? unixMilliseconds) => unixMilliseconds is { } ms ? Time(ms) : "";
}

/// <summary>The tables the tracking verbs print on a terminal (plain text when redirected).</summary>
internal static class TrackingTables
{
    /// <summary>Marks the rows of <c>runs compare</c> whose values differ, as <see cref="RunComparison.ToMarkdown"/> does.</summary>
    public const string DiffersMark = "≠";

    public static void Experiments(IAnsiConsole console, IReadOnlyList<Experiment> experiments)
    {
        if (experiments.Count == 0)
        {
            console.WriteLine("No experiments. Create one with 'mlops experiments create NAME', or start a run.");
            return;
        }

        var table = Table("ID", "Name", "Artifact location", "Created");
        foreach (var experiment in experiments)
        {
            Row(table, experiment.ExperimentId, experiment.Name, experiment.ArtifactLocation, TrackingText.Time(experiment.CreationTime));
        }

        console.Write(table);
    }

    public static void Runs(IAnsiConsole console, IReadOnlyList<Run> runs)
    {
        if (runs.Count == 0)
        {
            console.WriteLine("No runs match.");
            return;
        }

        var table = Table("Run ID", "Name", "Experiment", "Status", "Started", "Metrics");
        foreach (var run in runs)
        {
            var metrics = string.Join(
                " ",
                run.Data.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={TrackingText.Short(m.Value.Value)}"));
            Row(table, run.Info.RunId, run.Info.RunName, run.Info.ExperimentId, TrackingText.Status(run.Info.Status), TrackingText.Time(run.Info.StartTime), metrics);
        }

        console.Write(table);
    }

    public static void Run(IAnsiConsole console, Run run)
    {
        var info = run.Info;
        var attributes = Table("Attribute", "Value");
        Row(attributes, "Run ID", info.RunId);
        Row(attributes, "Name", info.RunName);
        Row(attributes, "Experiment", info.ExperimentId);
        Row(attributes, "Status", TrackingText.Status(info.Status));
        Row(attributes, "User", info.UserId);
        Row(attributes, "Started", TrackingText.Time(info.StartTime));
        Row(attributes, "Ended", TrackingText.Time(info.EndTime));
        Row(attributes, "Artifact URI", info.ArtifactUri);
        Row(attributes, "Lifecycle", TrackingText.Stage(info.LifecycleStage));
        if (info.ParentRunId is not null)
        {
            Row(attributes, "Parent run", info.ParentRunId);
        }

        Section(console, "Run", attributes);

        var parameters = Table("Param", "Value");
        foreach (var (key, value) in run.Data.Params.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Row(parameters, key, value);
        }

        Section(console, "Params", parameters, run.Data.Params.Count == 0 ? "(no params)" : null);

        var metrics = Table("Metric", "Value", "Step", "Logged");
        foreach (var (key, metric) in run.Data.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            Row(metrics, key, TrackingText.Number(metric.Value), metric.Step.ToString(CultureInfo.InvariantCulture), TrackingText.Time(metric.Timestamp));
        }

        Section(console, "Metrics (latest values)", metrics, run.Data.Metrics.Count == 0 ? "(no metrics)" : null);

        var tags = Table("Tag", "Value");
        foreach (var (key, value) in run.Data.Tags.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            Row(tags, key, value);
        }

        Section(console, "Tags", tags, run.Data.Tags.Count == 0 ? "(no tags)" : null);
    }

    public static void Comparison(IAnsiConsole console, RunComparison comparison)
    {
        var table = new Table().AddColumn(new TableColumn(Header("")).NoWrap()).AddColumn(new TableColumn(Header("Key")).NoWrap());
        foreach (var run in comparison.Runs)
        {
            table.AddColumn(new TableColumn(Header(string.IsNullOrEmpty(run.RunName) ? run.RunId : $"{run.RunName}\n{run.RunId}")));
        }

        foreach (var row in comparison.Params)
        {
            CompareRow(table, row.Differs, "params." + row.Key, row.Values.Select(v => v ?? "—"));
        }

        foreach (var row in comparison.Metrics)
        {
            CompareRow(table, row.Differs, "metrics." + row.Key, row.Values.Select(v => v is { } number ? TrackingText.Short(number) : "—"));
        }

        console.Write(table);
        var differing = comparison.Params.Count(p => p.Differs) + comparison.Metrics.Count(m => m.Differs);
        console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{differing} of {comparison.Params.Count + comparison.Metrics.Count} rows differ (marked {DiffersMark})."));
    }

    public static void Models(IAnsiConsole console, IReadOnlyList<RegisteredModel> models)
    {
        if (models.Count == 0)
        {
            console.WriteLine("No registered models. Register one with 'mlops models register NAME RUN_ID'.");
            return;
        }

        var table = Table("Name", "Latest version", "Aliases", "Updated", "Description");
        foreach (var model in models)
        {
            Row(
                table,
                model.Name,
                model.LatestVersion?.ToString(CultureInfo.InvariantCulture) ?? "",
                string.Join(", ", model.Aliases.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Key} → {a.Value}"))),
                TrackingText.Time(model.LastUpdatedTime),
                model.Description);
        }

        console.Write(table);
    }

    public static void Versions(IAnsiConsole console, string name, IReadOnlyList<ModelVersion> versions)
    {
        if (versions.Count == 0)
        {
            console.WriteLine($"The model '{name}' has no versions yet.");
            return;
        }

        var table = Table("Version", "Aliases", "Run ID", "Source", "Status", "Created");
        foreach (var version in versions)
        {
            Row(
                table,
                version.Version.ToString(CultureInfo.InvariantCulture),
                string.Join(", ", version.Aliases.Order(StringComparer.Ordinal)),
                version.RunId ?? "",
                version.Source,
                version.Status,
                TrackingText.Time(version.CreationTime));
        }

        console.Write(table);
    }

    private static void CompareRow(Table table, bool differs, string key, IEnumerable<string> values)
    {
        // On a terminal differing rows are also yellow; the mark carries the meaning when output is plain.
        var style = differs ? new Style(Color.Yellow) : Style.Plain;
        table.AddRow([new Text(differs ? DiffersMark : "", style), new Text(key, style), .. values.Select(v => new Text(v, style))]);
    }

    // The title goes above the table, not in it, as 'mlops env' does: a table title wraps to the table's width.
    private static void Section(IAnsiConsole console, string title, Table table, string? whenEmpty = null)
    {
        console.Write(new Text(title + Environment.NewLine, new Style(decoration: Decoration.Bold)));
        if (whenEmpty is not null)
        {
            console.WriteLine(whenEmpty);
            return;
        }

        console.Write(table);
    }

    private static Table Table(params string[] headers)
    {
        // The first column holds ids and keys, which must stay whole to be copied.
        var table = new Table();
        for (var i = 0; i < headers.Length; i++)
        {
            var column = new TableColumn(Header(headers[i]));
            table.AddColumn(i == 0 ? column.NoWrap() : column);
        }

        return table;
    }

    private static Text Header(string text) => new(text, new Style(Color.Blue));

    // Text, not markup: names, params and tags may hold brackets.
    private static void Row(Table table, params string[] values) => table.AddRow([.. values.Select(v => new Text(v))]);
}
