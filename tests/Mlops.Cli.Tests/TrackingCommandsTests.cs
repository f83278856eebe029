using System.Text.Json;
using Mlops.Tracking;

namespace Mlops.Cli.Tests;

public sealed class TrackingCommandsTests : IAsyncLifetime
{
    private const string Experiment = "auto-mpg";

    private readonly string _directory = Directory.CreateTempSubdirectory("mlops-cli-tracking-").FullName;
    private string _store = "";
    private string _sdca = "";
    private string _lbfgs = "";
    private string _slow = "";
    private string _failed = "";

    public async Task InitializeAsync()
    {
        _store = Path.Combine(_directory, "mlruns.db");
        await using var tracker = ExperimentTracker.Create(_store, o => o.CaptureEnvironment = false);
        _sdca = await LogRunAsync(tracker, "sdca-l2", "sdca", rmse: 2.5, complete: true);
        _lbfgs = await LogRunAsync(tracker, "lbfgs", "lbfgs", rmse: 1.5, complete: true);
        _slow = await LogRunAsync(tracker, "sdca-slow", "sdca", rmse: 4.0, complete: true);
        _failed = await LogRunAsync(tracker, "crashed", "sdca", rmse: 2.0, complete: false);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Experiments_list_shows_the_experiment()
    {
        var run = await CliRun.RunAsync("experiments", "list", "--store", _store);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Stderr);
        Assert.Contains(Experiment, run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', run.Stdout);
    }

    [Fact]
    public async Task Experiments_create_adds_an_experiment_and_a_duplicate_fails()
    {
        var created = await CliRun.RunAsync("experiments", "create", "churn", "--store", _store);
        var duplicate = await CliRun.RunAsync("experiments", "create", "churn", "--store", _store);
        var list = await CliRun.RunAsync("experiments", "list", "--json", "--store", _store);

        Assert.Equal(0, created.ExitCode);
        Assert.Contains("churn", created.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("churn", duplicate.Stderr, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(list.Stdout);
        var names = document.RootElement.GetProperty("experiments").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Contains("churn", names);
        Assert.Contains(Experiment, names);
    }

    [Fact]
    public async Task Runs_list_filters_and_orders_as_asked()
    {
        var run = await CliRun.RunAsync(
            "runs", "list", "--experiment", Experiment, "--filter", "metrics.rmse < 3", "--order-by", "metrics.rmse ASC", "--json", "--store", _store);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Stderr);
        using var document = JsonDocument.Parse(run.Stdout);
        var ids = document.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("runId").GetString()).ToList();
        Assert.Equal([_lbfgs, _failed, _sdca], ids);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("nextPageToken").ValueKind);
    }

    [Fact]
    public async Task Runs_list_pages_with_max_and_the_page_token()
    {
        var first = await CliRun.RunAsync("runs", "list", "--order-by", "metrics.rmse DESC", "--max", "2", "--json", "--store", _store);
        using var firstPage = JsonDocument.Parse(first.Stdout);
        var token = firstPage.RootElement.GetProperty("nextPageToken").GetString();
        var second = await CliRun.RunAsync("runs", "list", "--order-by", "metrics.rmse DESC", "--max", "2", "--page-token", token!, "--json", "--store", _store);
        using var secondPage = JsonDocument.Parse(second.Stdout);

        List<string?> ids =
        [
            .. firstPage.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("runId").GetString()),
            .. secondPage.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("runId").GetString()),
        ];
        Assert.Equal<string?>([_slow, _sdca, _failed, _lbfgs], ids);
    }

    [Fact]
    public async Task Runs_list_prints_a_plain_table_when_redirected()
    {
        var run = await CliRun.RunAsync("runs", "list", "--filter", "attributes.status = 'FAILED'", "--store", _store);

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain('\u001b', run.Stdout);
        Assert.Contains(_failed, run.Stdout, StringComparison.Ordinal);
        Assert.Contains("FAILED", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(_sdca, run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_filter_is_bad_usage_and_names_the_position()
    {
        var run = await CliRun.RunAsync("runs", "list", "--filter", "metrics.rmse << 3", "--store", _store);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        // 1-based: the second '<' is the 15th character.
        Assert.Contains("position 15", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("metrics.rmse << 3", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_ordering_is_bad_usage_too()
    {
        var run = await CliRun.RunAsync("runs", "list", "--order-by", "metrics.rmse UP", "--store", _store);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("position", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("ASC", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_show_json_has_the_params_and_metrics()
    {
        var run = await CliRun.RunAsync("runs", "show", _sdca, "--json", "--store", _store);

        Assert.Equal(0, run.ExitCode);
        using var document = JsonDocument.Parse(run.Stdout);
        var root = document.RootElement;
        Assert.Equal(_sdca, root.GetProperty("runId").GetString());
        Assert.Equal("FINISHED", root.GetProperty("status").GetString());
        Assert.Equal("sdca", root.GetProperty("params").GetProperty("trainer").GetString());
        Assert.Equal(2.5, root.GetProperty("metrics").GetProperty("rmse").GetProperty("value").GetDouble());
        Assert.Equal(10, root.GetProperty("metrics").GetProperty("rmse").GetProperty("step").GetInt64());
    }

    [Fact]
    public async Task Runs_show_of_a_missing_run_exits_1_with_the_message()
    {
        var missing = new string('0', 32);
        var run = await CliRun.RunAsync("runs", "show", missing, "--store", _store);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Contains(missing, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_compare_marks_the_differing_param()
    {
        var table = await CliRun.RunAsync("runs", "compare", _sdca, _lbfgs, _slow, "--store", _store);
        var json = await CliRun.RunAsync("runs", "compare", _sdca, _slow, "--json", "--store", _store);

        Assert.Equal(0, table.ExitCode);
        var trainerLine = Assert.Single(table.Stdout.Split('\n'), l => l.Contains("params.trainer", StringComparison.Ordinal));
        Assert.Contains("≠", trainerLine, StringComparison.Ordinal);
        Assert.Contains("lbfgs", trainerLine, StringComparison.Ordinal);
        var alphaLine = Assert.Single(table.Stdout.Split('\n'), l => l.Contains("params.alpha", StringComparison.Ordinal));
        Assert.DoesNotContain("≠", alphaLine, StringComparison.Ordinal);

        Assert.Equal(0, json.ExitCode);
        using var document = JsonDocument.Parse(json.Stdout);
        var parameters = document.RootElement.GetProperty("params").EnumerateArray().ToDictionary(p => p.GetProperty("key").GetString()!, p => p.GetProperty("differs").GetBoolean());
        Assert.False(parameters["trainer"]);
        var metrics = document.RootElement.GetProperty("metrics").EnumerateArray().ToDictionary(p => p.GetProperty("key").GetString()!, p => p.GetProperty("differs").GetBoolean());
        Assert.True(metrics["rmse"]);
    }

    [Fact]
    public async Task Runs_compare_needs_two_runs()
    {
        var run = await CliRun.RunAsync("runs", "compare", _sdca, "--store", _store);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("at least two", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_register_alias_and_versions_show_the_alias()
    {
        var first = await CliRun.RunAsync("models", "register", "mpg", _sdca, "--store", _store);
        var second = await CliRun.RunAsync("models", "register", "mpg", _lbfgs, "--artifact", "onnx", "--store", _store);
        var alias = await CliRun.RunAsync("models", "alias", "set", "mpg", "champion", "2", "--store", _store);
        var versions = await CliRun.RunAsync("models", "versions", "mpg", "--json", "--store", _store);
        var table = await CliRun.RunAsync("models", "versions", "mpg", "--store", _store);
        var models = await CliRun.RunAsync("models", "list", "--store", _store);

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("version 1", first.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(0, alias.ExitCode);
        Assert.Contains("models:/mpg@champion", alias.Stdout, StringComparison.Ordinal);

        using var document = JsonDocument.Parse(versions.Stdout);
        var listed = document.RootElement.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(2, listed.Count);
        Assert.Empty(listed[0].GetProperty("aliases").EnumerateArray());
        Assert.Equal(["champion"], listed[1].GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(_lbfgs, listed[1].GetProperty("runId").GetString());
        Assert.EndsWith("/onnx", listed[1].GetProperty("source").GetString(), StringComparison.Ordinal);

        var championLine = Assert.Single(table.Stdout.Split('\n'), l => l.Contains("champion", StringComparison.Ordinal));
        Assert.Contains(_lbfgs, championLine, StringComparison.Ordinal);
        Assert.Contains("mpg", models.Stdout, StringComparison.Ordinal);
        Assert.Contains("champion", models.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alias_delete_removes_the_alias_and_a_second_delete_fails()
    {
        await CliRun.RunAsync("models", "register", "mpg", _sdca, "--store", _store);
        await CliRun.RunAsync("models", "alias", "set", "mpg", "challenger", "1", "--store", _store);

        var deleted = await CliRun.RunAsync("models", "alias", "delete", "mpg", "challenger", "--store", _store);
        var again = await CliRun.RunAsync("models", "alias", "delete", "mpg", "challenger", "--store", _store);
        var versions = await CliRun.RunAsync("models", "versions", "mpg", "--json", "--store", _store);

        Assert.Equal(0, deleted.ExitCode);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("challenger", again.Stderr, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(versions.Stdout);
        Assert.Empty(document.RootElement.GetProperty("versions")[0].GetProperty("aliases").EnumerateArray());
    }

    [Fact]
    public async Task A_reserved_alias_fails_with_a_clear_message()
    {
        await CliRun.RunAsync("models", "register", "mpg", _sdca, "--store", _store);

        var run = await CliRun.RunAsync("models", "alias", "set", "mpg", "latest", "1", "--store", _store);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Contains("latest", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("reserved", run.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Versions_of_a_missing_model_exit_1()
    {
        var run = await CliRun.RunAsync("models", "versions", "nope", "--store", _store);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("'nope'", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_tracking_uri_variable_names_the_store_when_store_is_absent()
    {
        var previous = Environment.GetEnvironmentVariable(TrackingOptions.TrackingUriVariable);
        Environment.SetEnvironmentVariable(TrackingOptions.TrackingUriVariable, _store);
        try
        {
            var run = await CliRun.RunAsync("runs", "list", "--filter", "params.trainer = 'lbfgs'", "--json");

            Assert.Equal(0, run.ExitCode);
            using var document = JsonDocument.Parse(run.Stdout);
            Assert.Equal([_lbfgs], document.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("runId").GetString()));

            // --store wins over the variable.
            var other = await CliRun.RunAsync("runs", "list", "--json", "--store", Path.Combine(_directory, "other.db"));
            Assert.Equal(0, other.ExitCode);
            using var otherDocument = JsonDocument.Parse(other.Stdout);
            Assert.Empty(otherDocument.RootElement.GetProperty("runs").EnumerateArray());
        }
        finally
        {
            Environment.SetEnvironmentVariable(TrackingOptions.TrackingUriVariable, previous);
        }
    }

    private static async Task<string> LogRunAsync(ExperimentTracker tracker, string name, string trainer, double rmse, bool complete)
    {
        await using var run = await tracker.StartRunAsync(Experiment, runName: name);
        run.LogParam("trainer", trainer);
        run.LogParam("alpha", "0.1");
        run.LogMetric("rmse", rmse + 1, step: 0);
        run.LogMetric("rmse", rmse, step: 10);
        if (complete)
        {
            await run.CompleteAsync();
        }

        // Disposing an incomplete run marks it FAILED.
        return run.RunId;
    }
}
