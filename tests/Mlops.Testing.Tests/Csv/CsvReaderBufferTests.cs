using System.Globalization;
using System.Text;
using Mlops.Testing.Data;

namespace Mlops.Testing.Tests.Csv;

/// <summary>
/// The CSV reader at its buffer's edges (records, quotes and CRLF cut by a refill; a record longer than the buffer),
/// its fast number path against double.Parse, and its background parsing when the consumer stops early.
/// </summary>
public sealed class CsvReaderBufferTests
{
    private static async Task<List<object?[]>> ReadAll(CsvDataSource source, params string[] columns)
    {
        var rows = new List<object?[]>();
        await foreach (var batch in source.ReadAsync(columns, 7))
        {
            for (var i = 0; i < batch.RowCount; i++)
            {
                rows.Add([.. batch.Columns.Select(c => c.GetValue(i))]);
            }
        }

        return rows;
    }

    [Fact]
    public async Task Records_quotes_and_line_breaks_cut_by_refills_read_the_same_as_in_one_piece()
    {
        // Enough text to need several refills of the reader's buffer, with quoted fields holding delimiters, quotes and
        // CRLF line breaks, CRLF record ends, blank lines, and one field longer than the whole buffer.
        var random = new Random(4);
        var text = new StringBuilder("id,text,x\r\n");
        var expected = new List<(double Id, string Text, double? X)>();
        for (var i = 0; i < 60_000; i++)
        {
            var value = random.Next(6) switch
            {
                0 => "plain" + i,
                1 => "with, comma",
                2 => "say \"hi\"",
                3 => "two\r\nlines",
                4 => i == 30_000 ? new string('z', 1_500_000) : "é😀",
                _ => string.Empty,
            };
            var quoted = value.Length == 0 || value.Contains('"') || value.Contains(',') || value.Contains('\n');
            double? x = random.Next(10) == 0 ? null : Math.Round((random.NextDouble() - 0.5) * 1e4, random.Next(0, 7));
            text.Append(CultureInfo.InvariantCulture, $"{i},{(quoted && value.Length > 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value)},{x?.ToString("R", CultureInfo.InvariantCulture)}");
            text.Append(i % 3 == 0 ? "\r\n" : "\n");
            if (i % 1000 == 0)
            {
                text.Append("\r\n"); // a blank line
            }

            expected.Add((i, value, x));
        }

        var rows = await ReadAll(CsvDataSource.FromText(text.ToString(), options: new CsvOptions { ColumnTypes = new Dictionary<string, ColumnType> { ["text"] = ColumnType.String } }), "id", "text", "x");
        Assert.Equal(expected.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(expected[i].Id, rows[i][0]);
            Assert.Equal(expected[i].Text.Length == 0 ? null : expected[i].Text, rows[i][1]);
            Assert.Equal(expected[i].X, (double?)rows[i][2]);
        }
    }

    [Fact]
    public async Task Decimal_fast_path_gives_exactly_what_double_parse_gives()
    {
        var random = new Random(12);
        var texts = new List<string>();
        for (var i = 0; i < 20_000; i++)
        {
            var digits = random.Next(1, 19);
            var number = string.Concat(Enumerable.Range(0, digits).Select(_ => (char)('0' + random.Next(10))));
            var point = random.Next(-1, digits + 1);
            var text = point < 0 ? number : number[..point] + "." + number[point..];
            texts.Add((random.Next(3) == 0 ? "-" : string.Empty) + text);
        }

        texts.AddRange(["0", "-0", "0.0", ".5", "5.", "+7", "1e5", "2.5E-3", "123456789012345", "1234567890123456", "0.0000000000000000000001234", "NaN", "-inf"]);
        var csv = "v\n" + string.Join('\n', texts.Select(t => t == "." ? "0" : t)) + "\n";
        var rows = await ReadAll(CsvDataSource.FromText(csv), "v");
        for (var i = 0; i < texts.Count; i++)
        {
            var expected = texts[i] switch { "NaN" => (double?)null, "-inf" => double.NegativeInfinity, var t => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture) };
            var actual = (double?)rows[i][0];
            Assert.True(Equals(expected, actual) && (expected is null || double.IsNegative(expected.Value) == double.IsNegative(actual!.Value)), $"'{texts[i]}': expected {expected:R}, got {actual:R}");
        }
    }

    [Fact]
    public async Task A_consumer_that_stops_early_stops_the_background_parser()
    {
        var text = "a,b\n" + string.Concat(Enumerable.Range(0, 200_000).Select(i => $"{i},x{i % 7}\n"));
        var source = CsvDataSource.FromText(text);
        var batches = 0;
        await foreach (var batch in source.ReadAsync(["a", "b"], 1000))
        {
            if (++batches == 3)
            {
                break;
            }
        }

        // The source reads again from the start, and a cancelled read throws.
        var rows = await ReadAll(source, "b");
        Assert.Equal(200_000, rows.Count);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var batch in source.ReadAsync(["a"], 100, cancel.Token))
            {
            }
        });
    }

    [Fact]
    public async Task A_parse_error_in_the_background_reaches_the_consumer_with_its_row()
    {
        var text = "n\n" + string.Concat(Enumerable.Range(0, 20_000).Select(i => $"{i}\n")) + "oops\n";
        var error = await Assert.ThrowsAsync<DataTestingException>(() => ReadAll(CsvDataSource.FromText(text), "n"));
        Assert.Contains("row 20000", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"oops\"", error.Message, StringComparison.Ordinal);
    }
}
