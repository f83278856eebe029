using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Core;

namespace Mlops.Cli.Tests;

public sealed class EnvCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mlops-cli-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Env_json_writes_only_the_snapshot_as_json()
    {
        var run = await CliRun.RunAsync("env", "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Stderr);
        using var document = JsonDocument.Parse(run.Stdout);
        var root = document.RootElement;
        Assert.False(string.IsNullOrEmpty(root.GetProperty("runtime").GetString()));
        Assert.Equal(Environment.ProcessorCount, root.GetProperty("processorCount").GetInt32());
        Assert.Equal(JsonValueKind.Object, root.GetProperty("packages").ValueKind);

        // The output is the snapshot's own JSON, so a tracking run can read it back.
        var snapshot = EnvironmentSnapshot.FromJson(run.Stdout);
        Assert.Equal(run.Stdout.TrimEnd(), snapshot.ToJson());
    }

    [Fact]
    public async Task Env_json_lists_the_packages_of_the_configured_deps_file()
    {
        var deps = Path.Combine(_directory, "app.deps.json");
        await File.WriteAllTextAsync(deps, """
            { "libraries": {
                "Example.Package/1.2.3": { "type": "package" },
                "Example.App/1.0.0": { "type": "project" } } }
            """);

        var run = await CliRun.RunAsync(
            services => services.Configure<EnvironmentSnapshotOptions>(o => o.DepsFile = deps),
            "env",
            "--json");

        Assert.Equal(0, run.ExitCode);
        using var document = JsonDocument.Parse(run.Stdout);
        var packages = document.RootElement.GetProperty("packages");
        Assert.Equal("1.2.3", packages.GetProperty("Example.Package").GetString());
        Assert.False(packages.TryGetProperty("Example.App", out _));
    }

    [Fact]
    public async Task Env_prints_plain_tables_without_ansi_escapes_when_redirected()
    {
        var run = await CliRun.RunAsync("env");

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain('\u001b', run.Stdout);
        Assert.Contains("Runtime and OS", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Git", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Packages", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Environment variables", run.Stdout, StringComparison.Ordinal);
        Assert.Contains(Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Section_titles_stay_whole_above_narrow_tables()
    {
        // One short variable makes the last table narrower than its title (as CI=true does on CI).
        var run = await CliRun.RunAsync(
            services => services.Configure<EnvironmentSnapshotOptions>(o =>
            {
                o.EnvironmentVariables.Clear();
                o.EnvironmentVariables.Add("HOME");
            }),
            "env");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Environment variables", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Env_prints_values_with_brackets_as_text_not_markup()
    {
        const string Name = "MLOPS_CLI_TESTS_MARKUP_VALUE";
        Environment.SetEnvironmentVariable(Name, "[red]not markup[/] [");
        try
        {
            var run = await CliRun.RunAsync(
                services => services.Configure<EnvironmentSnapshotOptions>(o => o.EnvironmentVariables.Add(Name)),
                "env");

            Assert.Equal(0, run.ExitCode);
            Assert.Contains(Name, run.Stdout, StringComparison.Ordinal);
            Assert.Contains("[red]not markup[/] [", run.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Name, null);
        }
    }

    [Fact]
    public async Task A_failure_exits_1_with_its_message_on_stderr_and_no_stack_trace()
    {
        var deps = Path.Combine(_directory, "broken.deps.json");
        await File.WriteAllTextAsync(deps, "{ not json");

        var run = await CliRun.RunAsync(
            services => services.Configure<EnvironmentSnapshotOptions>(o => o.DepsFile = deps),
            "env",
            "--json");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Contains("broken.deps.json", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', run.Stderr);
    }
}
