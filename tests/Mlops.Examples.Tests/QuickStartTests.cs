using System.Diagnostics;

namespace Mlops.Examples.Tests;

/// <summary>Runs the QuickStart as a user does and checks the story it tells.</summary>
public sealed class QuickStartTests
{
    [Fact]
    public async Task QuickStart_tells_the_whole_story_on_embedded_defaults()
    {
        var workspace = Path.Combine(Path.GetTempPath(), "mlops-quickstart-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exitCode, output, error) = await RunAsync(Path.Combine(AppContext.BaseDirectory, "QuickStart.dll"), workspace);

            Assert.True(exitCode == 0, $"QuickStart exited {exitCode}: {error}\n{output}");
            Assert.Contains("expect_column_values_to_not_be_null(Miles_per_Gallon): 8 rows (10, 11, 12, 13, 14, 17, 39, 367)", output, StringComparison.Ordinal);
            Assert.Contains("expect_column_values_to_not_be_null(Horsepower): 6 rows (38, 133, 337, 343, 361, 382)", output, StringComparison.Ordinal);
            Assert.Contains("392 rows; expectations all met", output, StringComparison.Ordinal);
            Assert.Contains("Read at v1 without touching the workspace: 22,983 bytes, 406 rows", output, StringComparison.Ordinal);
            Assert.Contains("it read data/auto-mpg.csv at", output, StringComparison.Ordinal);
            Assert.Contains("as @champion", output, StringComparison.Ordinal);
            Assert.Matches(@"@champion predicts \d+\.\d mpg", output);
            Assert.True(File.Exists(Path.Combine(workspace, "data", "auto-mpg.csv.dvc")));
            Assert.True(File.Exists(Path.Combine(workspace, "mlruns.db")));
        }
        finally
        {
            if (Directory.Exists(workspace))
            {
                foreach (var file in Directory.EnumerateFiles(workspace, "*", SearchOption.AllDirectories))
                {
                    File.SetAttributes(file, FileAttributes.Normal);
                }

                Directory.Delete(workspace, recursive: true);
            }
        }
    }

    [Fact]
    public async Task QuickStart_refuses_a_workspace_that_is_not_empty()
    {
        var workspace = Directory.CreateTempSubdirectory("mlops-quickstart-busy-").FullName;
        await File.WriteAllTextAsync(Path.Combine(workspace, "keep.txt"), "a user's file");
        try
        {
            var (exitCode, _, error) = await RunAsync(Path.Combine(AppContext.BaseDirectory, "QuickStart.dll"), workspace);

            Assert.Equal(2, exitCode);
            Assert.Contains("not empty", error, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(workspace, "keep.txt")));
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string dll, string workspace)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(workspace);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
