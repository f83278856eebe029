using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Mlops.Cli.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public async Task Version_prints_the_informational_version_of_the_tool()
    {
        var run = await CliRun.RunAsync("--version");

        Assert.Equal(0, run.ExitCode);
        var expected = typeof(MlopsCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(expected, run.Stdout.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", run.Stdout);
    }

    [Fact]
    public async Task Help_lists_the_verbs()
    {
        var run = await CliRun.RunAsync("--help");

        // In process the usage line names the test host; ToolProcessTests runs the tool as "mlops".
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("[command] [options]", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\s+env\s+Show the environment", run.Stdout);
    }

    [Theory]
    [InlineData("no-such-verb")]
    [InlineData("env", "--no-such-option")]
    public async Task Bad_usage_exits_2_and_names_the_problem_on_stderr(params string[] args)
    {
        var run = await CliRun.RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Contains(args[^1], run.Stderr, StringComparison.Ordinal);
        Assert.Contains("mlops --help", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_verb_exits_2()
    {
        var run = await CliRun.RunAsync();

        Assert.Equal(2, run.ExitCode);
        Assert.NotEqual(string.Empty, run.Stderr);
    }

    [Fact]
    public void Every_verb_has_a_unique_name_and_a_description()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var root = MlopsCli.CreateRootCommand(_ => new CliContext(new CliConsole(stdout, stderr), () => throw new InvalidOperationException("Creating commands must not build services.")));

        Assert.NotEmpty(root.Subcommands);
        Assert.Equal(root.Subcommands.Count, root.Subcommands.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(root.Subcommands, c => Assert.False(string.IsNullOrWhiteSpace(c.Description)));
    }

    [Fact]
    public void Every_registered_service_of_every_module_can_be_constructed_from_that_module_alone()
    {
        // Runs skip this check (see MlopsCli.BuildServices), so each module's composition is checked here.
        foreach (var module in MlopsCli.Modules)
        {
            using var provider = MlopsCli.BuildServices(configureServices: null, module, validateOnBuild: true);
        }

        var broken = Assert.Throws<AggregateException>(() => MlopsCli.BuildServices(s => s.AddSingleton<NeedsAnUnregisteredService>(), MlopsCli.Modules[0], validateOnBuild: true));
        Assert.Contains(nameof(NeedsAnUnregisteredService), broken.Message, StringComparison.Ordinal);
    }

    private sealed class UnregisteredService;

    private sealed class NeedsAnUnregisteredService(UnregisteredService dependency)
    {
        public UnregisteredService Dependency { get; } = dependency;
    }
}
