using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlops.Testing;
using Mlops.Testing.Data;
using Mlops.Testing.Drift;

namespace Mlops.Benchmarks.Testing;

/// <summary>
/// The in-process side of <c>benchmarks/validate-vs-pandas.sh</c> and <c>benchmarks/drift.sh</c>. Timings are a
/// <see cref="Stopwatch"/> around the work (file read included; process start-up excluded, the scripts time the whole
/// process too).
/// </summary>
internal static class TestingRunner
{
    /// <summary>The 12 columns of the generated file.</summary>
    public static readonly string[] Columns =
        ["id", "customer_id", "age", "amount", "score", "category", "country", "code", "created", "quantity", "price", "email"];

    private static readonly string[] Countries = ["DE", "FR", "US", "GB", "NL", "SE", "ES", "IT", "PL", "JP", "BR", "IN", "CA", "AU", "MX", "CH", "AT", "BE", "DK", "NO"];

    /// <summary>
    /// <c>--make-csv PATH ROWS SEED [SHIFT]</c>: writes the benchmark CSV with defects at known rates (duplicate ids,
    /// ages out of range, missing amounts and scores, categories outside the set, malformed codes, prices above 1,000).
    /// SHIFT moves the numerical distributions and the category mix (for the drift benchmark's current set).
    /// </summary>
    public static int MakeCsv(string path, int rows, int seed, double shift = 0)
    {
        var random = new Random(seed);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        writer.Write(string.Join(',', Columns));
        writer.Write('\n');
        var line = new StringBuilder(128);
        var epoch = new DateTime(2020, 1, 1);
        for (var i = 0; i < rows; i++)
        {
            double P() => random.NextDouble();
            line.Clear();
            var id = i > 0 && P() < 0.001 ? random.Next(1, i + 1) : i + 1;
            var customer = random.Next(1, 200_001);
            var age = P() < 0.005 ? (P() < 0.5 ? random.Next(0, 18) : random.Next(91, 121)) : random.Next(18, 91 - (int)(shift * 10));
            line.Append(CultureInfo.InvariantCulture, $"{id},{customer},{age},");
            if (P() >= 0.02)
            {
                line.Append(Math.Round(Math.Exp(4 + shift + (1.2 * Normal(random))), 2).ToString("R", CultureInfo.InvariantCulture));
            }

            line.Append(',');
            if (P() >= 0.01)
            {
                line.Append(Math.Round(Math.Clamp(P() + (shift * 0.1), 0, 1), 6).ToString("R", CultureInfo.InvariantCulture));
            }

            var c = P() + (shift * 0.05);
            var category = c switch { < 0.3 => "A", < 0.55 => "B", < 0.75 => "C", < 0.9 => "D", < 0.99 => "E", _ => "Z" };
            var country = Countries[(int)(Math.Pow(P(), 1.5 + shift) * Countries.Length)];
            var letters = string.Create(3, random, (span, r) =>
            {
                for (var k = 0; k < span.Length; k++)
                {
                    span[k] = (char)('A' + r.Next(26));
                }
            });
            var digits = random.Next(0, 10_000).ToString("D4", CultureInfo.InvariantCulture);
            var code = P() switch { < 0.003 => letters[..2] + "-" + digits, < 0.006 => letters.ToLowerInvariant() + "-" + digits, < 0.007 => letters + digits, _ => letters + "-" + digits };
            var created = epoch.AddDays(random.Next(0, 1500)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var quantity = random.Next(1, 51);
            var price = P() < 0.003 ? 1000 + Math.Round(P() * 500, 2) : Math.Round(P() * 1000 * (1 + (shift * 0.1)), 2);
            line.Append(CultureInfo.InvariantCulture, $",{category},{country},{code},{created},{quantity},{price.ToString("R", CultureInfo.InvariantCulture)},user{customer}@example.org\n");
            writer.Write(line);
        }

        return 0;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>The 10-expectation suite of the side-by-side benchmark (the same checks as validate_pandas.py).</summary>
    public static ExpectationSuite Suite() => ExpectationSuite.Create("benchmark")
        .ExpectColumnValuesToNotBeNull("amount")
        .ExpectColumnValuesToBeBetween("age", 18, 90)
        .ExpectColumnValuesToBeBetween("price", 0, 1000)
        .ExpectColumnValuesToBeInSet("category", ["A", "B", "C", "D", "E"])
        .ExpectColumnValuesToBeUnique("id")
        .ExpectColumnValuesToMatchRegex("code", @"^[A-Z]{3}-\d{4}$")
        .ExpectColumnMeanToBeBetween("amount", 0, 1e6)
        .ExpectColumnQuantileValuesToBeBetween("score", [0.25, 0.5, 0.75], [(0, 1), (0, 1), (0, 1)])
        .ExpectTableRowCountToBeBetween(1, 10_000_000)
        .ExpectTableColumnsToMatchSet(Columns)
        .Build();

    /// <summary>
    /// <c>--validate-csv PATH</c>: reads and validates the file once and prints JSON: the seconds (Stopwatch from opening
    /// the file to the result), and every count the script compares with pandas.
    /// </summary>
    public static async Task<int> ValidateCsv(string path)
    {
        var stopwatch = Stopwatch.StartNew();
        var suite = Suite();
        var result = await suite.ValidateAsync(CsvDataSource.FromFile(path));
        stopwatch.Stop();
        var r = result.Results.Select(x => x.Result).ToArray();
        var quantiles = (double?[])((Dictionary<string, object?>)r[7].ObservedValue!)["values"]!;
        var output = new Dictionary<string, object?>
        {
            ["seconds"] = stopwatch.Elapsed.TotalSeconds,
            ["amount_null"] = r[0].UnexpectedCount,
            ["age_out_of_range"] = r[1].UnexpectedCount,
            ["price_out_of_range"] = r[2].UnexpectedCount,
            ["category_not_in_set"] = r[3].UnexpectedCount,
            ["id_duplicates"] = r[4].UnexpectedCount,
            ["code_malformed"] = r[5].UnexpectedCount,
            ["amount_mean"] = r[6].ObservedValue,
            ["score_quantiles"] = quantiles,
            ["row_count"] = r[8].ObservedValue,
            ["columns"] = r[9].ObservedValue,
            ["failed_expectations"] = result.Statistics.UnsuccessfulExpectations,
        };
        Console.WriteLine(JsonSerializer.Serialize(output));
        return 0;
    }

    /// <summary>
    /// <c>--first-run PATH</c>: the first validation in a fresh process, timed phase by phase (suite construction with
    /// its regex, schema inference, the validation itself), then the same validation again warm.
    /// </summary>
    public static async Task<int> FirstRun(string path)
    {
        var total = Stopwatch.StartNew();
        var phase = Stopwatch.StartNew();
        var suite = Suite();
        var build = phase.Elapsed.TotalSeconds;
        phase.Restart();
        var source = CsvDataSource.FromFile(path);
        _ = await source.GetSchemaAsync();
        var schema = phase.Elapsed.TotalSeconds;
        phase.Restart();
        _ = await suite.ValidateAsync(source);
        var validate = phase.Elapsed.TotalSeconds;
        var first = total.Elapsed.TotalSeconds;
        phase.Restart();
        _ = await Suite().ValidateAsync(CsvDataSource.FromFile(path));
        var second = phase.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"first run {first:F3} s (suite build incl. regex {build:F3} s, schema inference {schema:F3} s, validation {validate:F3} s); second run {second:F3} s; JIT-compiled methods {System.Runtime.JitInfo.GetCompiledMethodCount()}, JIT time {System.Runtime.JitInfo.GetCompilationTime().TotalSeconds:F3} s"));
        return 0;
    }

    /// <summary>
    /// <c>--profile-csv PATH</c>: where the time of a validation goes, as CPU seconds of the process (wall-clock on a
    /// shared machine mostly measures the others): reading the file's records without parsing fields, reading the suite's
    /// columns into batches (parsing), and the whole validation; each twice, the second warm.
    /// </summary>
    public static async Task<int> ProfileCsv(string path)
    {
        var columns = new[] { "amount", "age", "price", "category", "id", "code", "score" };
        for (var round = 0; round < 2; round++)
        {
            var records = await Cpu(async () =>
            {
                long n = 0;
                await foreach (var batch in CsvDataSource.FromFile(path).ReadAsync([]))
                {
                    n += batch.RowCount;
                }

                return n;
            });
            var parse = await Cpu(async () =>
            {
                long n = 0;
                await foreach (var batch in CsvDataSource.FromFile(path).ReadAsync(columns))
                {
                    n += batch.RowCount;
                }

                return n;
            });
            var validate = await Cpu(async () => (long)(await Suite().ValidateAsync(CsvDataSource.FromFile(path))).Statistics.EvaluatedExpectations);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}: records only {records.Cpu:F3} s cpu ({records.Wall:F3} s wall); 7 columns parsed {parse.Cpu:F3} s cpu ({parse.Wall:F3} s); full validation {validate.Cpu:F3} s cpu ({validate.Wall:F3} s)"));
        }

        // Each expectation alone, minus reading its column: what its evaluator costs.
        var suite = Suite();
        foreach (var expectation in suite.Expectations)
        {
            var column = expectation.Column;
            var alone = new ExpectationSuite("one", [expectation]);
            var read = column is null ? (Cpu: 0.0, Wall: 0.0) : await Cpu(async () =>
            {
                long n = 0;
                await foreach (var batch in CsvDataSource.FromFile(path).ReadAsync([column]))
                {
                    n += batch.RowCount;
                }

                return n;
            });
            var run = await Cpu(async () => (long)(await alone.ValidateAsync(CsvDataSource.FromFile(path))).Statistics.EvaluatedExpectations);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {expectation.Type} {column}: {run.Cpu - read.Cpu:F3} s cpu beyond reading the column ({read.Cpu:F3} s)"));
        }

        return 0;
    }

    private static async Task<(double Cpu, double Wall)> Cpu(Func<Task<long>> work)
    {
        using var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        _ = await work();
        stopwatch.Stop();
        process.Refresh();
        return ((process.TotalProcessorTime - before).TotalSeconds, stopwatch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// <c>--drift-memory REFERENCE CURRENT</c>: loads both files into memory first (not timed), then times the drift
    /// computation alone, twice (the second warm); prints the seconds and CPU seconds of each.
    /// </summary>
    public static async Task<int> DriftInMemory(string reference, string current)
    {
        var options = new CsvOptions { ColumnTypes = new Dictionary<string, ColumnType> { ["created"] = ColumnType.String } };
        var referenceData = await InMemoryDataSource.LoadAsync(CsvDataSource.FromFile(reference, options));
        var currentData = await InMemoryDataSource.LoadAsync(CsvDataSource.FromFile(current, options));
        GC.Collect();
        for (var round = 1; round <= 2; round++)
        {
            using var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var stopwatch = Stopwatch.StartNew();
            var report = await new DriftDetector().DetectAsync(referenceData, currentData);
            stopwatch.Stop();
            process.Refresh();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"in memory, round {round}: {stopwatch.Elapsed.TotalSeconds:F3} s ({(process.TotalProcessorTime - cpu).TotalSeconds:F3} s cpu): {report.DriftedColumns} of {report.Columns.Count} columns drifted"));
        }

        return 0;
    }

    /// <summary><c>--drift REFERENCE CURRENT</c>: one drift report between the two files; prints the seconds and the verdicts.</summary>
    public static async Task<int> Drift(string reference, string current, string? columns = null)
    {
        // All 12 columns: the dates as categories (drift tests leave date columns out unless they are read as text).
        var options = new CsvOptions { ColumnTypes = new Dictionary<string, ColumnType> { ["created"] = ColumnType.String } };
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var report = await new DriftDetector(new DriftOptions { Columns = columns?.Split(',') }).DetectAsync(CsvDataSource.FromFile(reference, options), CsvDataSource.FromFile(current, options));
        stopwatch.Stop();
        process.Refresh();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{stopwatch.Elapsed.TotalSeconds:F3} s ({(process.TotalProcessorTime - cpu).TotalSeconds:F3} s cpu): {report.DriftedColumns} of {report.Columns.Count} columns drifted (dataset drift {report.DatasetDrift})"));
        foreach (var c in report.Columns)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {c.Column,-12} {c.TestName,-14} {c.Score,12:G6} {(c.Drifted ? "drift" : "-")}"));
        }

        return 0;
    }
}
