using Microsoft.Extensions.Time.Testing;
using Mlops.Testing.Data;
using Mlops.Testing.Reports;
using static Mlops.Testing.Tests.TestHelpers;

namespace Mlops.Testing.Tests;

/// <summary>
/// Snapshot tests of the file formats: the Auto MPG validation as GX-shaped JSON and as Markdown, and a suite in both GX
/// shapes. Set MLOPS_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change, then review their diff.
/// </summary>
public sealed class GoldenFileTests
{
    private static async Task<ValidationResult> AutoMpgAsync()
    {
        var suite = ExpectationSuite.Create("auto_mpg")
            .ExpectTableRowCountToBeBetween(100, 1000)
            .ExpectColumnValuesToNotBeNull("Miles_per_Gallon")
            .ExpectColumnValuesToNotBeNull("Horsepower", mostly: 0.99)
            .ExpectColumnValuesToBeBetween("Horsepower", 50, 200, mostly: 0.95)
            .ExpectColumnValuesToBeInSet("Origin", ["USA", "Europe"])
            .ExpectColumnMeanToBeBetween("Miles_per_Gallon", 20, 25)
            .ExpectTableColumnsToMatchSet(["Name", "Miles_per_Gallon", "Horsepower"], exactMatch: false)
            .Build();
        var validator = new DataValidator(timeProvider: new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        return await validator.ValidateAsync(suite, CsvDataSource.FromFile(DataPath("auto-mpg.csv")));
    }

    [Fact]
    public async Task Validation_result_json_matches_the_golden_file() =>
        AssertGolden("auto-mpg.result.json", (await AutoMpgAsync()).ToJson());

    [Fact]
    public async Task Markdown_report_matches_the_golden_file() =>
        AssertGolden("auto-mpg.report.md", MarkdownReport.Render(await AutoMpgAsync()));

    [Theory]
    [InlineData(SuiteJsonFormat.GreatExpectations1, "suite.gx1.json")]
    [InlineData(SuiteJsonFormat.GreatExpectations0, "suite.gx0.json")]
    public void Suite_json_matches_the_golden_file(SuiteJsonFormat format, string file)
    {
        var suite = ExpectationSuite.Create("auto_mpg")
            .ExpectColumnValuesToNotBeNull("Horsepower", mostly: 0.99)
            .ExpectColumnValuesToBeInSet("Origin", ["USA", "Europe", "Japan"])
            .WithMeta("great_expectations_version", "1.3.0")
            .Build();

        AssertGolden(file, suite.ToJson(format));
    }

    private static void AssertGolden(string name, string actual)
    {
        actual = actual.ReplaceLineEndings("\n");
        var source = Path.Combine(SourceDirectory(), "TestData", "golden", name);
        if (Environment.GetEnvironmentVariable("MLOPS_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(source, actual);
            return;
        }

        var expected = File.ReadAllText(DataPath(Path.Combine("golden", name))).ReplaceLineEndings("\n");
        Assert.Equal(expected, actual);
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
