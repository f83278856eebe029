using System.Globalization;
using System.Text.Json;
using Mlops.Testing.Data;
using Mlops.Testing.Drift;
using Mlops.Testing.Tests.Statistics;

namespace Mlops.Testing.Tests.Drift;

/// <summary>
/// Drift between a reference and a current data set: Evidently's default test per column (by type, size and number of
/// distinct values), its thresholds and data-set verdict, and scores equal to what Evidently's formulas compute with
/// scipy on the same columns.
/// </summary>
public sealed class DriftDetectorTests
{
    public sealed record Row(double? Amount, long? Count, string? Category, bool? Flag, double? Level, DateTime? When);

    private static Row[] Rows(int seed, int n, double shift = 0, double categoryShift = 0)
    {
        var random = new Random(seed);
        var normals = ScipyDifferentialTests.Normal(random, n, 50 + shift, 10);
        return [.. Enumerable.Range(0, n).Select(i => new Row(
            Amount: random.NextDouble() < 0.02 ? null : normals[i],
            Count: random.Next(0, 40 + (int)shift),
            Category: (random.NextDouble() + categoryShift) switch { < 0.5 => "red", < 0.8 => "green", < 0.95 => "blue", _ => "violet" },
            Flag: random.NextDouble() < 0.3 + categoryShift,
            Level: random.Next(0, 4),
            When: new DateTime(2026, 1, 1).AddDays(i % 30)))];
    }

    private static Task<DriftReport> Detect(Row[] reference, Row[] current, DriftOptions? options = null) =>
        new DriftDetector(options).DetectAsync(DataSource.FromEnumerable(reference, "reference"), DataSource.FromEnumerable(current, "current"));

    [Fact]
    public async Task No_drift_between_samples_of_the_same_distribution()
    {
        var report = await Detect(Rows(1, 5000), Rows(2, 4000));
        Assert.False(report.DatasetDrift);
        Assert.All(report.Columns, c => Assert.False(c.Drifted, $"{c.Column}: {c.TestName} {c.Score}"));
        Assert.Equal(["Amount", "Count", "Category", "Flag", "Level"], report.Columns.Select(c => c.Column)); // dates are not compared
    }

    [Fact]
    public async Task Drift_when_the_current_distribution_shifts()
    {
        var report = await Detect(Rows(1, 5000), Rows(2, 4000, shift: 6, categoryShift: 0.2));
        Assert.True(report.DatasetDrift);
        Assert.True(report.Columns.Single(c => c.Column == "Amount").Drifted);
        Assert.True(report.Columns.Single(c => c.Column == "Category").Drifted);
        Assert.True(report.Columns.Single(c => c.Column == "Flag").Drifted);
        Assert.False(report.Columns.Single(c => c.Column == "Level").Drifted);
    }

    [Fact]
    public async Task Tests_are_chosen_by_type_size_and_distinct_values_as_evidently_does()
    {
        var small = await Detect(Rows(1, 1000), Rows(2, 300));
        Assert.Equal(
            [("Amount", DriftMethod.KolmogorovSmirnov), ("Count", DriftMethod.KolmogorovSmirnov), ("Category", DriftMethod.ChiSquare), ("Flag", DriftMethod.ZTest), ("Level", DriftMethod.ChiSquare)],
            small.Columns.Select(c => (c.Column, c.Method)));
        var large = await Detect(Rows(1, 1100), Rows(2, 300)); // Amount: about 1,078 non-missing values
        Assert.Equal(
            [("Amount", DriftMethod.Wasserstein), ("Count", DriftMethod.Wasserstein), ("Category", DriftMethod.JensenShannon), ("Flag", DriftMethod.JensenShannon), ("Level", DriftMethod.JensenShannon)],
            large.Columns.Select(c => (c.Column, c.Method)));
        Assert.All(small.Columns, c => Assert.Equal(0.05, c.Threshold));
        Assert.All(large.Columns, c => Assert.Equal(0.1, c.Threshold));

        // Numbers with at most two distinct values take the Z-test; the reference size counts non-missing values only.
        var binary = await Detect(
            [.. Enumerable.Range(0, 1010).Select(i => new Row(i < 20 ? null : i % 2, null, null, null, null, null))],
            [.. Enumerable.Range(0, 50).Select(i => new Row(i % 2, null, null, null, null, null))],
            new DriftOptions { Columns = ["Amount"] });
        Assert.Equal(DriftMethod.ZTest, binary.Columns.Single().Method);
        Assert.Equal(990, binary.Columns.Single().ReferenceCount);
        Assert.Equal(20, binary.Columns.Single().ReferenceMissing);
    }

    [Fact]
    public async Task The_data_set_drifts_at_the_share_of_drifted_columns()
    {
        var options = new DriftOptions { Columns = ["Amount", "Category", "Level", "Count"] };
        var report = await Detect(Rows(1, 3000), Rows(2, 3000, categoryShift: 0.2), options);
        var current = Rows(2, 3000, categoryShift: 0.2).Select(r => r with { Amount = r.Amount + 8 }).ToArray();
        report = await Detect(Rows(1, 3000), current, options);
        Assert.Equal(2, report.DriftedColumns); // Amount and Category
        Assert.Equal(0.5, report.ShareOfDriftedColumns);
        Assert.True(report.DatasetDrift); // at least half, as Evidently's drift_share = 0.5
        options.DriftShare = 0.75;
        Assert.False((await Detect(Rows(1, 3000), current, options)).DatasetDrift);
    }

    [Fact]
    public async Task Tests_and_thresholds_are_selectable_per_column_or_for_all()
    {
        var options = new DriftOptions { Method = DriftMethod.PopulationStabilityIndex, Threshold = 0.2 };
        options.ColumnMethods["Amount"] = DriftMethod.KolmogorovSmirnov;
        options.ColumnThresholds["Amount"] = 0.01;
        var report = await Detect(Rows(1, 2000), Rows(2, 2000), options);
        var amount = report.Columns.Single(c => c.Column == "Amount");
        Assert.Equal(("ks", 0.01, true), (amount.TestName, amount.Threshold, amount.IsPValue));
        Assert.All(report.Columns.Where(c => c.Column != "Amount"), c => Assert.Equal(("psi", 0.2, false), (c.TestName, c.Threshold, c.IsPValue)));
    }

    [Fact]
    public async Task Scores_equal_evidentlys_formulas_with_scipy_on_the_same_columns()
    {
        var reference = Rows(1, 1500);
        var current = Rows(2, 900, shift: 1.5, categoryShift: 0.05);
        double[] Numbers(Row[] rows) => [.. rows.Where(r => r.Amount is not null).Select(r => r.Amount!.Value)];
        string[] Categories(Row[] rows) => [.. rows.Select(r => r.Category!)];
        double[] Levels(Row[] rows) => [.. rows.Select(r => r.Level!.Value)];
        var methods = Enum.GetValues<DriftMethod>();
        var cases = new List<Dictionary<string, object?>>();
        var ours = new List<ColumnDrift>();
        foreach (var method in methods)
        {
            var options = new DriftOptions { Method = method, Columns = method is DriftMethod.KolmogorovSmirnov or DriftMethod.Wasserstein ? ["Amount", "Level"] : ["Amount", "Category", "Level"] };
            var report = await Detect(reference, current, options);
            foreach (var c in report.Columns)
            {
                ours.Add(c);
                cases.Add(c.Column switch
                {
                    "Amount" => Scipy.Case("num", ("method", c.TestName), ("reference", Numbers(reference)), ("current", Numbers(current))),
                    "Level" => Scipy.Case("num", ("method", c.TestName), ("reference", Levels(reference)), ("current", Levels(current))),
                    _ => Scipy.Case("cat", ("method", c.TestName), ("reference", Categories(reference)), ("current", Categories(current))),
                });
            }
        }

        var scipy = Scipy.Run(cases);
        for (var i = 0; i < cases.Count; i++)
        {
            Scipy.AssertClose(scipy[i][0], ours[i].Statistic, $"{ours[i].Column} {ours[i].TestName} statistic");
            Scipy.AssertClose(scipy[i][1], ours[i].Score, $"{ours[i].Column} {ours[i].TestName} score");
        }
    }

    [Fact]
    public async Task A_column_missing_from_the_current_data_is_an_error_that_names_it()
    {
        var reference = DataSource.FromEnumerable(Rows(1, 20), "reference");
        var current = CsvDataSource.FromText("Amount,Count\n1,2\n", "current.csv");
        var error = await Assert.ThrowsAsync<DataTestingException>(() => new DriftDetector().DetectAsync(reference, current));
        Assert.Contains("'Category'", error.Message, StringComparison.Ordinal);
        Assert.Contains("current.csv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_type_mismatch_is_an_error_but_integers_and_decimals_compare()
    {
        var reference = CsvDataSource.FromText("a,b\n1,x\n2,y\n", "reference.csv", new CsvOptions { ColumnTypes = new Dictionary<string, ColumnType> { ["a"] = ColumnType.Int64 } });
        var current = CsvDataSource.FromText("a,b\n1.5,1\n2.5,2\n", "current.csv");
        var error = await Assert.ThrowsAsync<DataTestingException>(() => new DriftDetector().DetectAsync(reference, current));
        Assert.Contains("'b' is String in the reference data 'reference.csv' but Double", error.Message, StringComparison.Ordinal);
        var report = await new DriftDetector(new DriftOptions { Columns = ["a"] }).DetectAsync(reference, current);
        Assert.Equal(DriftColumnKind.Numerical, report.Columns.Single().Kind);
    }

    [Fact]
    public async Task Numerical_tests_on_categories_and_empty_columns_are_errors()
    {
        var ks = new DriftOptions { Columns = ["Category"] };
        ks.ColumnMethods["Category"] = DriftMethod.Wasserstein;
        var error = await Assert.ThrowsAsync<DataTestingException>(() => Detect(Rows(1, 50), Rows(2, 50), ks));
        Assert.Contains("wasserstein", error.Message, StringComparison.Ordinal);
        var empty = Rows(2, 50).Select(r => r with { Amount = null }).ToArray();
        error = await Assert.ThrowsAsync<DataTestingException>(() => Detect(Rows(1, 50), empty));
        Assert.Contains("'Amount' has no values in the current data", error.Message, StringComparison.Ordinal);
        error = await Assert.ThrowsAsync<DataTestingException>(() => Detect(Rows(1, 50), Rows(2, 50), new DriftOptions { Columns = ["Nope"] }));
        Assert.Contains("'Nope'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_and_markdown_reports()
    {
        var report = await Detect(Rows(1, 3000), Rows(2, 3000, shift: 8));
        using var json = JsonDocument.Parse(report.ToJson());
        var root = json.RootElement;
        Assert.Equal(report.DatasetDrift, root.GetProperty("dataset_drift").GetBoolean());
        Assert.Equal(5, root.GetProperty("number_of_columns").GetInt32());
        Assert.Equal(report.DriftedColumns, root.GetProperty("number_of_drifted_columns").GetInt32());
        var amount = root.GetProperty("drift_by_columns").GetProperty("Amount");
        Assert.Equal("num", amount.GetProperty("column_type").GetString());
        Assert.Equal("wasserstein", amount.GetProperty("stattest_name").GetString());
        Assert.Equal("distance", amount.GetProperty("score_kind").GetString());
        Assert.True(amount.GetProperty("drift_detected").GetBoolean());
        Assert.Equal(report.Columns[0].Score, amount.GetProperty("drift_score").GetDouble());
        Assert.Equal(0.1, amount.GetProperty("stattest_threshold").GetDouble());
        var markdown = report.ToMarkdown();
        Assert.Contains("| ❌ | Amount | num | wasserstein |", markdown, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"**{report.DriftedColumns} of 5** columns drifted"), markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_csv_files_and_collects_numbers_and_counts()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mlops-drift-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            static string Csv(Row[] rows) => "Amount,Category,Flag\n" + string.Concat(rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Amount},{r.Category},{(r.Flag!.Value ? "true" : "false")}\n")));
            File.WriteAllText(Path.Combine(folder, "ref.csv"), Csv(Rows(1, 800)));
            File.WriteAllText(Path.Combine(folder, "cur.csv"), Csv(Rows(2, 800, shift: 5)));
            var report = await new DriftDetector().DetectAsync(CsvDataSource.FromFile(Path.Combine(folder, "ref.csv")), CsvDataSource.FromFile(Path.Combine(folder, "cur.csv")));
            Assert.Equal(["Amount", "Category", "Flag"], report.Columns.Select(c => c.Column));
            Assert.True(report.Columns[0].Drifted);
            Assert.Equal(800, report.Columns[1].ReferenceCount);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public sealed record TextRow(string? Code, string? Note, double? Amount);

    [Fact]
    public async Task Csv_text_columns_are_counted_as_the_same_strings_from_records()
    {
        // A CSV file's string columns reach the counters as characters (no strings); records give strings: same report.
        static TextRow[] Rows(int seed, int n)
        {
            var random = new Random(seed);
            string[] notes = ["plain", "with, comma", "with \"quotes\"", "two\nlines", "é café", "日本", "😀", " spaced "];
            return [.. Enumerable.Range(0, n).Select(i => new TextRow(
                random.Next(30) == 0 ? null : $"C{random.Next(0, 3 * n)}",
                random.Next(25) == 0 ? null : notes[random.Next(notes.Length)],
                random.Next(40) == 0 ? null : random.Next(0, 500) / 4.0))];
        }

        static string Quote(string? s) => s is null ? "NA" : s.Contains(',') || s.Contains('"') || s.Contains('\n') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
        static string Csv(TextRow[] rows) => "Code,Note,Amount\n" + string.Concat(rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{Quote(r.Code)},{Quote(r.Note)},{r.Amount}\n")));
        var reference = Rows(1, 6000);
        var current = Rows(2, 5000);
        var options = new CsvOptions { MissingValues = ["NA"], ColumnTypes = new Dictionary<string, ColumnType> { ["Code"] = ColumnType.String } };
        foreach (var method in new DriftMethod?[] { null, DriftMethod.ChiSquare, DriftMethod.PopulationStabilityIndex })
        {
            var fromCsv = await new DriftDetector(new DriftOptions { Method = method }).DetectAsync(
                CsvDataSource.FromText(Csv(reference), "reference.csv", options), CsvDataSource.FromText(Csv(current), "current.csv", options));
            var fromRecords = await new DriftDetector(new DriftOptions { Method = method }).DetectAsync(
                DataSource.FromEnumerable(reference, "reference.csv"), DataSource.FromEnumerable(current, "current.csv"));
            Assert.Equal(fromRecords.Columns, fromCsv.Columns);
            Assert.True(fromCsv.Columns[0].ReferenceMissing > 0);
        }
    }
}
