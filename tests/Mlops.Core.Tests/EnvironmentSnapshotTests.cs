using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Mlops.Core.Tests;

public sealed class EnvironmentSnapshotTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Capture_records_runtime_os_and_processors()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero));
        var provider = new EnvironmentSnapshotProvider(Options.Create(new EnvironmentSnapshotOptions()), clock);

        var snapshot = provider.Capture();

        Assert.Equal(clock.GetUtcNow(), snapshot.CapturedAt);
        Assert.StartsWith(".NET", snapshot.Runtime, StringComparison.Ordinal);
        Assert.Equal(Environment.ProcessorCount, snapshot.ProcessorCount);
        Assert.Equal(System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString(), snapshot.Architecture);
        Assert.False(string.IsNullOrEmpty(snapshot.OperatingSystem));
    }

    [Fact]
    public void Packages_come_from_the_deps_file_and_leave_out_projects()
    {
        var deps = _temp.WriteFile("app.deps.json", """
            {
              "runtimeTarget": { "name": ".NETCoreApp,Version=v10.0" },
              "libraries": {
                "App/1.0.0": { "type": "project", "serviceable": false, "sha512": "" },
                "Microsoft.ML/5.0.1": { "type": "package", "serviceable": true, "sha512": "sha512-x" },
                "Polly.Core/8.9.1": { "type": "package", "serviceable": true, "sha512": "sha512-y" }
              }
            }
            """);

        var packages = EnvironmentSnapshotProvider.ReadPackages(deps);

        Assert.Equal(new Dictionary<string, string> { ["Microsoft.ML"] = "5.0.1", ["Polly.Core"] = "8.9.1" }, packages);
    }

    [Fact]
    public void Packages_of_the_running_test_host_are_found()
    {
        // The test assembly's own deps file lists xunit, which this project references.
        var deps = Path.ChangeExtension(typeof(EnvironmentSnapshotTests).Assembly.Location, ".deps.json");

        Assert.Contains("xunit.assert", EnvironmentSnapshotProvider.ReadPackages(deps).Keys, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_corrupt_deps_file_is_a_clear_error()
    {
        var deps = _temp.WriteFile("bad.deps.json", "{ not json");

        var error = Assert.Throws<MlopsException>(() => EnvironmentSnapshotProvider.ReadPackages(deps));

        Assert.Contains("bad.deps.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_allowed_environment_variables_are_recorded()
    {
        var variables = new Dictionary<string, string>
        {
            ["CI"] = "true",
            ["MLOPS_SECRET_TOKEN"] = "never-recorded",
            ["MYAPP_MODE"] = "fast",
        };
        var options = new EnvironmentSnapshotOptions { CaptureGit = false };
        options.EnvironmentVariables.Add("MYAPP_MODE");
        var provider = new EnvironmentSnapshotProvider(Options.Create(options), TimeProvider.System, name => variables.GetValueOrDefault(name));

        var snapshot = provider.Capture();

        Assert.Equal(new Dictionary<string, string> { ["CI"] = "true", ["MYAPP_MODE"] = "fast" }, snapshot.EnvironmentVariables);
        Assert.DoesNotContain("never-recorded", snapshot.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Git_state_of_the_configured_folder_is_recorded()
    {
        using var git = new GitFixture();
        git.WriteFile("a.txt", "a");
        var commit = git.Commit("first");
        var options = new EnvironmentSnapshotOptions { GitWorkingDirectory = git.Path };

        var snapshot = new EnvironmentSnapshotProvider(Options.Create(options), TimeProvider.System).Capture();

        Assert.Equal(commit, snapshot.Git!.Commit);
        Assert.Equal("main", snapshot.Git.Branch);
        Assert.False(snapshot.Git.IsDirty);
    }

    [Fact]
    public void Outside_a_repository_there_is_simply_no_git_state()
    {
        var options = new EnvironmentSnapshotOptions { GitWorkingDirectory = _temp.Path };

        Assert.Null(new EnvironmentSnapshotProvider(Options.Create(options), TimeProvider.System).Capture().Git);
    }

    [Fact]
    public void Json_round_trips_with_camel_case_names()
    {
        var snapshot = new EnvironmentSnapshotProvider().Capture() with
        {
            Packages = new Dictionary<string, string> { ["Polly.Core"] = "8.9.1" },
            Git = new Git.GitHeadInfo(new string('a', 40), "main", true, null),
        };

        var json = snapshot.ToJson();
        using var document = JsonDocument.Parse(json);
        Assert.Equal(snapshot.ProcessorCount, document.RootElement.GetProperty("processorCount").GetInt32());
        Assert.Equal("8.9.1", document.RootElement.GetProperty("packages").GetProperty("Polly.Core").GetString());

        var back = EnvironmentSnapshot.FromJson(json);
        Assert.Equal(snapshot.Runtime, back.Runtime);
        Assert.Equal(snapshot.Git, back.Git);
        Assert.Equal("8.9.1", back.Packages["Polly.Core"]);
    }
}
