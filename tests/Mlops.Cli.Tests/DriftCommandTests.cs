using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mlops.Cli.Tests;

public sealed class DriftCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlops-cli-drift-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_same_rows_in_another_order_exit_0_and_the_json_report_names_each_column_and_its_test()
    {
        var run = await CliRun.RunAsync("drift", Cars("reference.csv", shift: 0, seed: 1), Cars("current.csv", shift: 0, seed: 1, shuffle: true), "--format", "json");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        var columns = json.RootElement.GetProperty("drift_by_columns");
        Assert.Equal("ks", columns.GetProperty("weight").GetProperty("stattest_name").GetString());
        Assert.Equal("chisquare", columns.GetProperty("origin").GetProperty("stattest_name").GetString());
        Assert.False(columns.GetProperty("weight").GetProperty("drift_detected").GetBoolean());
    }

    [Fact]
    public async Task Shifted_data_exits_1_and_writes_an_html_report_with_a_one_line_verdict()
    {
        var report = Path.Combine(_folder, "drift.html");

        var run = await CliRun.RunAsync("drift", Cars("reference.csv", shift: 0, seed: 1), Cars("current.csv", shift: 900, seed: 2), "--format", "html", "-o", report, "--drift-share", "0.5");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Drift: 2 of 2 columns drifted (100%", run.Stdout, StringComparison.Ordinal);
        var html = File.ReadAllText(report);
        Assert.Contains("The data set drifted", html, StringComparison.Ordinal);
        Assert.Contains("Drifted columns (2)", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--drift-share", "1.5", "--drift-share must be between 0 and 1")]
    [InlineData("--threshold", "-1", "--threshold must be a positive number")]
    public async Task Bad_options_exit_2_and_say_what_is_wrong(string option, string value, string message)
    {
        var run = await CliRun.RunAsync("drift", Cars("reference.csv", 0, 1), Cars("current.csv", 0, 2), option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_column_missing_from_the_current_data_exits_2_naming_it()
    {
        var current = Path.Combine(_folder, "current.csv");
        File.WriteAllText(current, "weight\n3000\n3100\n");

        var run = await CliRun.RunAsync("drift", Cars("reference.csv", 0, 1), current);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'origin'", run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>200 cars: a weight around 3000 lbs (plus <paramref name="shift"/>) and an origin (all "Japan" when shifted).</summary>
    private string Cars(string name, int shift, int seed, bool shuffle = false)
    {
        var random = new Random(seed);
        string[] origins = ["USA", "Europe", "Japan"];
        var rows = Enumerable.Range(0, 200)
            .Select(_ => string.Create(CultureInfo.InvariantCulture, $"{3000 + shift + random.Next(-400, 400)},{(shift == 0 ? origins[random.Next(3)] : "Japan")}"))
            .ToArray();
        if (shuffle)
        {
            new Random(seed + 1).Shuffle(rows);
        }

        var text = new StringBuilder("weight,origin\n").AppendJoin('\n', rows).Append('\n');

        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
