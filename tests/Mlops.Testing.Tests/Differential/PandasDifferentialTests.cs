using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlops.Testing.Data;

namespace Mlops.Testing.Tests.Differential;

/// <summary>
/// A generator plants defects at known rates (nulls, out-of-range values, values outside a set, duplicate ids, malformed
/// codes, awkward names); every count, row index and statistic we report must equal what pandas computes for the same
/// check on the same file.
/// </summary>
public sealed class PandasDifferentialTests : IDisposable
{
    private const int Rows = 30_000;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mlops-differential-" + Guid.NewGuid().ToString("N"));

    public PandasDifferentialTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Every_count_index_and_statistic_equals_pandas()
    {
        var csv = Path.Combine(_folder, "planted.csv");
        WritePlantedData(csv, seed: 20_260_101);
        var suite = ExpectationSuite.Create("differential")
            .ExpectTableRowCountToEqual(Rows)
            .ExpectColumnValuesToNotBeNull("amount")
            .ExpectColumnValuesToBeBetween("amount", 0, 100)
            .ExpectColumnValuesToBeInSet("category", ["A", "B", "C"])
            .ExpectColumnValuesToMatchRegex("code", @"^[A-Z]{3}-\d{4}$")
            .ExpectColumnValueLengthsToBeBetween("name", 2, 12)
            .ExpectColumnValuesToBeUnique("id")
            .ExpectColumnPairValuesAToBeGreaterThanB("a", "b")
            .ExpectCompoundColumnsToBeUnique(["id", "category"])
            .ExpectColumnValuesToNotBeNull("when")
            .ExpectColumnMinToBeBetween("amount", null, 1e9)
            .ExpectColumnMaxToBeBetween("amount", null, 1e9)
            .ExpectColumnMeanToBeBetween("amount", null, 1e9)
            .ExpectColumnMedianToBeBetween("amount", null, 1e9)
            .ExpectColumnStdevToBeBetween("amount", null, 1e9)
            .ExpectColumnSumToBeBetween("amount", null, 1e12)
            .ExpectColumnQuantileValuesToBeBetween("amount", [0.1, 0.25, 0.5, 0.9], [(null, null), (null, null), (null, null), (null, null)])
            .ExpectColumnUniqueValueCountToBeBetween("category", 0, null)
            .ExpectColumnProportionOfUniqueValuesToBeBetween("category", 0, null)
            .ExpectColumnMostCommonValueToBeInSet("category", ["A"])
            .ExpectColumnDistinctValuesToBeInSet("category", ["A", "B", "C", "Z", "a"])
            .Build();

        var ours = await suite.ValidateAsync(CsvDataSource.FromFile(csv));
        using var pandas = JsonDocument.Parse(RunPandas(csv));
        var p = pandas.RootElement;
        var r = ours.Results.Select(x => x.Result).ToArray();

        Assert.Equal(p.GetProperty("row_count").GetInt64(), (long)r[0].ObservedValue!);
        Assert.Equal(Rows, p.GetProperty("row_count").GetInt64());
        Assert.Equal(p.GetProperty("columns").EnumerateArray().Select(c => c.GetString()), (await CsvDataSource.FromFile(csv).GetSchemaAsync()).Names);
        AssertMap(p, "amount_missing", r[1]);
        AssertMap(p, "amount_out_of_range", r[2]);
        Assert.Equal(p.GetProperty("amount_missing").GetInt64(), r[2].MissingCount);
        AssertMap(p, "category_not_in_set", r[3]);
        Assert.Equal(p.GetProperty("category_missing").GetInt64(), r[3].MissingCount);
        AssertMap(p, "code_malformed", r[4]);
        AssertMap(p, "name_length_outside", r[5]);
        AssertMap(p, "id_duplicates", r[6]);
        AssertMap(p, "pair_not_greater", r[7]);
        Assert.Equal(p.GetProperty("pair_ignored").GetInt64(), r[7].MissingCount);
        AssertMap(p, "compound_duplicates", r[8]);
        Assert.Equal(p.GetProperty("when_missing").GetInt64(), r[9].UnexpectedCount);
        AssertClose(p.GetProperty("amount_min").GetDouble(), r[10].ObservedValue);
        AssertClose(p.GetProperty("amount_max").GetDouble(), r[11].ObservedValue);
        AssertClose(p.GetProperty("amount_mean").GetDouble(), r[12].ObservedValue);
        AssertClose(p.GetProperty("amount_median").GetDouble(), r[13].ObservedValue);
        AssertClose(p.GetProperty("amount_std").GetDouble(), r[14].ObservedValue);
        AssertClose(p.GetProperty("amount_sum").GetDouble(), r[15].ObservedValue);
        var quantiles = (double?[])((Dictionary<string, object?>)r[16].ObservedValue!)["values"]!;
        Assert.Equal(p.GetProperty("amount_quantiles").EnumerateArray().Select(q => q.GetDouble()), quantiles.Select(q => q!.Value));
        Assert.Equal(p.GetProperty("category_unique").GetInt64(), (long)r[17].ObservedValue!);
        AssertClose(p.GetProperty("category_proportion_unique").GetDouble(), r[18].ObservedValue);
        Assert.Equal(p.GetProperty("category_mode").EnumerateArray().Select(m => (object?)m.GetString()), (IEnumerable<object?>)r[19].ObservedValue!);
        Assert.Equal(p.GetProperty("category_distinct").EnumerateArray().Select(m => (object?)m.GetString()), (IEnumerable<object?>)r[20].ObservedValue!);

        // The planted defects are really there (a differential test of an empty check proves nothing).
        Assert.All(new[] { r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] }, d => Assert.True(d.UnexpectedCount > 50, $"too few defects: {d.UnexpectedCount}"));
    }

    private static void AssertMap(JsonElement pandas, string name, ExpectationResultDetails ours)
    {
        Assert.Equal(pandas.GetProperty(name).GetInt64(), ours.UnexpectedCount);
        Assert.Equal(pandas.GetProperty(name + "_index").EnumerateArray().Select(i => i.GetInt64()), ours.PartialUnexpectedIndexList!);
    }

    private static void AssertClose(double expected, object? actual)
    {
        var value = Convert.ToDouble(actual, CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(expected - value) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {value:R}");
    }

    private static string RunPandas(string csv) => PandasInterpreter.RunScript(Path.Combine("Differential", "pandas_checks.py"), csv);

    /// <summary>Writes the planted data set: every defect at a known rate, and fields that need RFC 4180 quoting.</summary>
    private static void WritePlantedData(string path, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("id,amount,category,code,name,when,a,b\n");
        var nameAlphabet = new[] { "a", "b", "z", "é", "😀", ",", "\"", "\n", " ", "Q" };
        for (var i = 0; i < Rows; i++)
        {
            double P() => random.NextDouble();
            string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

            var id = P() < 0.01 && i > 0 ? random.Next(0, i) + 1000 : i + 1000;
            var idText = P() < 0.005 ? string.Empty : id.ToString(CultureInfo.InvariantCulture);
            var amount = P() switch
            {
                < 0.05 => string.Empty,
                < 0.06 => Num(-Math.Round(P() * 50, 2)),
                < 0.07 => Num(100 + Math.Round(P() * 50, 2) + 0.01),
                < 0.075 => P() < 0.5 ? "0" : "100",
                _ => Num(Math.Round(P() * 100, 2)),
            };
            var category = P() switch
            {
                < 0.04 => string.Empty,
                < 0.055 => "Z",
                < 0.07 => "a",
                < 0.5 => "A",
                < 0.8 => "B",
                _ => "C",
            };
            var digits = random.Next(0, 10_000).ToString("D4", CultureInfo.InvariantCulture);
            var code = P() switch
            {
                < 0.01 => string.Empty,
                < 0.017 => "ab-" + digits,
                < 0.024 => "ABC" + digits,
                < 0.03 => "ABC-" + digits[..2],
                _ => "XYZ-" + digits,
            };
            var name = P() < 0.01 ? string.Empty : string.Concat(Enumerable.Range(0, random.Next(1, 16)).Select(_ => nameAlphabet[random.Next(nameAlphabet.Length)]));
            var when = P() < 0.01 ? string.Empty : new DateTime(2020, 1, 1).AddDays(random.Next(0, 366)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var b = Math.Round(P() * 10, 3);
            var (aText, bText) = P() switch
            {
                < 0.01 => (string.Empty, string.Empty),
                < 0.02 => (string.Empty, Num(b)),
                < 0.05 => (Num(b - Math.Round(P(), 3)), Num(b)),
                _ => (Num(b + 0.5), Num(b)),
            };
            text.Append(idText).Append(',').Append(amount).Append(',').Append(category).Append(',').Append(code).Append(',')
                .Append(name.Length == 0 ? string.Empty : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"").Append(',')
                .Append(when).Append(',').Append(aText).Append(',').Append(bText).Append('\n');
        }

        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
    }
}
