using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace Mlops.Cli.Tests;

public sealed class TestingCommandsTests : IDisposable
{
    private const string Cars = """
        name,mpg,cylinders,origin
        chevrolet chevelle,18,8,USA
        vw rabbit,29,4,Europe
        toyota corolla,,4,Japan
        ford pinto,25,4,USA
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("mlops-cli-testing-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Suite(string expectations) => Write("suite.json", $$"""{"name":"cars","expectations":[{{expectations}}]}""");

    private const string NotNullMpg = """{"type":"expect_column_values_to_not_be_null","kwargs":{"column":"mpg"}}""";
    private const string OriginInSet = """{"type":"expect_column_values_to_be_in_set","kwargs":{"column":"origin","value_set":["USA","Europe","Japan"]}}""";

    [Fact]
    public async Task Validate_exits_0_when_the_data_meets_the_suite_and_prints_a_markdown_report()
    {
        var run = await CliRun.RunAsync("validate", Write("cars.csv", Cars), "--suite", Suite(OriginInSet));

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("## ✅ Data validation: `cars` on `cars.csv`", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stderr);
    }

    [Fact]
    public async Task Validate_exits_1_when_an_expectation_fails_and_the_json_report_names_the_row()
    {
        var run = await CliRun.RunAsync("validate", Write("cars.csv", Cars), "--suite", Suite(NotNullMpg + "," + OriginInSet), "--format", "json");

        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.False(json.RootElement.GetProperty("success").GetBoolean());
        var mpg = json.RootElement.GetProperty("results")[0].GetProperty("result");
        Assert.Equal(1, mpg.GetProperty("unexpected_count").GetInt32());
        Assert.Equal(2, mpg.GetProperty("partial_unexpected_index_list")[0].GetInt32());
        Assert.True(json.RootElement.GetProperty("results")[1].GetProperty("success").GetBoolean());
    }

    [Fact]
    public async Task Validate_writes_an_html_report_to_the_output_file_and_prints_the_verdict()
    {
        var report = Path.Combine(_folder, "report.html");

        var run = await CliRun.RunAsync("validate", Write("cars.csv", Cars), "--suite", Suite(NotNullMpg + "," + OriginInSet), "--format", "html", "-o", report);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"Failed: 1 of 2 expectations met (50%); report written to {report}", run.Stdout.Trim());
        var html = File.ReadAllText(report);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("Failed expectations (1)", html, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }

    [Fact]
    public async Task Validate_reads_parquet_files()
    {
        var path = Path.Combine(_folder, "cars.parquet");
        var origin = new DataField<string>("origin");
        await using (var stream = File.Create(path))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(origin), stream);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(origin, new[] { "USA", "Mars", "Japan" });
        }

        var run = await CliRun.RunAsync("validate", path, "--suite", Suite(OriginInSet), "--format", "md");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("| 1 | \"Mars\" |", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing-data", "The data file", "does not exist")]
    [InlineData("missing-suite", "The file", "given to --suite does not exist")]
    [InlineData("no-suite", "--suite", "required")]
    [InlineData("txt-data", "is neither .csv nor .parquet", "extension")]
    [InlineData("bad-format", "xml", "md")]
    [InlineData("bad-suite", "expect_column_values_to_be_purple", "cars")]
    [InlineData("missing-output-folder", "does not exist; create it first", "--output")]
    public async Task Bad_usage_exits_2_with_a_message_that_says_what_is_wrong(string @case, string expected, string alsoExpected)
    {
        var data = Write("cars.csv", Cars);
        var suite = Suite(OriginInSet);
        string[] args = @case switch
        {
            "missing-data" => ["validate", Path.Combine(_folder, "nope.csv"), "--suite", suite],
            "missing-suite" => ["validate", data, "--suite", Path.Combine(_folder, "nope.json")],
            "no-suite" => ["validate", data],
            "txt-data" => ["validate", Write("cars.txt", Cars), "--suite", suite],
            "bad-format" => ["validate", data, "--suite", suite, "--format", "xml"],
            "bad-suite" => ["validate", data, "--suite", Suite("""{"type":"expect_column_values_to_be_purple","kwargs":{"column":"origin"}}""")],
            _ => ["profile", data, "-o", Path.Combine(_folder, "no", "such", "suite.json")],
        };

        var run = await CliRun.RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
        Assert.Contains(alsoExpected, run.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stdout);
    }

    [Fact]
    public async Task Profile_writes_a_gx_suite_that_the_same_data_then_passes_and_changed_data_fails()
    {
        var data = Write("cars.csv", Cars);
        var suitePath = Path.Combine(_folder, "cars.suite.json");

        var profile = await CliRun.RunAsync("profile", data, "-o", suitePath, "--name", "cars_draft");

        Assert.Equal(0, profile.ExitCode);
        Assert.Contains("Wrote a draft suite of", profile.Stdout, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(File.ReadAllText(suitePath)))
        {
            Assert.Equal("cars_draft", json.RootElement.GetProperty("name").GetString());
            Assert.Contains(
                json.RootElement.GetProperty("expectations").EnumerateArray(),
                e => e.GetProperty("type").GetString() == "expect_column_values_to_be_in_set" && e.GetProperty("kwargs").GetProperty("column").GetString() == "origin");
        }

        Assert.Equal(0, (await CliRun.RunAsync("validate", data, "--suite", suitePath)).ExitCode);
        var changed = Write("changed.csv", Cars.Replace("Japan", "Mars", StringComparison.Ordinal));
        var failed = await CliRun.RunAsync("validate", changed, "--suite", suitePath);
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("\"Mars\"", failed.Stdout, StringComparison.Ordinal);
    }
}
