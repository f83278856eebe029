using System.Diagnostics;
using System.Text.Json;

namespace Mlops.Cli.Tests;

/// <summary>Runs the built tool as a real process, the way <c>dotnet tool</c> starts it.</summary>
public sealed class ToolProcessTests
{
    [Fact]
    public async Task The_built_tool_names_itself_mlops_in_help()
    {
        var (exitCode, stdout, _) = await RunToolAsync("--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("mlops [command] [options]", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_built_tool_writes_the_snapshot_as_json_to_stdout()
    {
        var (exitCode, stdout, stderr) = await RunToolAsync("env", "--json");

        Assert.True(exitCode == 0, $"Exit code {exitCode}: {stderr}");
        using var document = JsonDocument.Parse(stdout);
        var root = document.RootElement;
        Assert.Equal(Environment.ProcessorCount, root.GetProperty("processorCount").GetInt32());
        Assert.StartsWith("mlops ", root.GetProperty("entryAssembly").GetString(), StringComparison.Ordinal);

        // Run as itself, the tool reads its own .deps.json: its dependencies are listed.
        var packages = root.GetProperty("packages");
        Assert.True(packages.TryGetProperty("System.CommandLine", out _), packages.ToString());
        Assert.True(packages.TryGetProperty("Spectre.Console", out _), packages.ToString());
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunToolAsync(params string[] args)
    {
        // The project reference copies the tool (mlops.dll, its deps and runtimeconfig) next to the tests.
        var tool = Path.Combine(AppContext.BaseDirectory, "mlops.dll");
        Assert.True(File.Exists(tool), $"The tool was not found at '{tool}'.");

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(tool);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
