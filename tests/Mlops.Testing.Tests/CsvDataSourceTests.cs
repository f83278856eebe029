using System.Text;
using Mlops.Testing.Data;
using static Mlops.Testing.Tests.TestHelpers;

namespace Mlops.Testing.Tests;

public sealed class CsvDataSourceTests
{
    [Fact]
    public async Task Quoted_fields_keep_commas_newlines_and_escaped_quotes()
    {
        var source = CsvDataSource.FromText("id,text\n1,\"a,b\"\n2,\"line1\nline2\"\n3,\"say \"\"hi\"\"\"\n4,plain\n");

        var text = await ReadColumnAsync(source, "text");

        Assert.Equal(["a,b", "line1\nline2", "say \"hi\"", "plain"], text);
    }

    [Fact]
    public async Task Crlf_and_lone_cr_line_endings_end_records()
    {
        var source = CsvDataSource.FromText("a,b\r\n1,x\r\n2,y\r3,z");

        Assert.Equal([1.0, 2.0, 3.0], await ReadColumnAsync(source, "a"));
        Assert.Equal(["x", "y", "z"], await ReadColumnAsync(source, "b"));
    }

    [Fact]
    public async Task An_empty_field_quoted_or_not_is_missing_in_every_type()
    {
        var source = CsvDataSource.FromText("n,s,d\n1,a,2020-01-01\n,,\n\"\",\"\",\"\"\n3,c,2020-01-03\n");

        var schema = await source.GetSchemaAsync();
        Assert.Equal([ColumnType.Double, ColumnType.String, ColumnType.DateTime], schema.Columns.Select(c => c.Type));
        Assert.Equal([1.0, null, null, 3.0], await ReadColumnAsync(source, "n"));
        Assert.Equal(["a", null, null, "c"], await ReadColumnAsync(source, "s"));
        Assert.Equal([new DateTime(2020, 1, 1), null, null, new DateTime(2020, 1, 3)], await ReadColumnAsync(source, "d"));
    }

    [Fact]
    public async Task A_utf8_byte_order_mark_is_not_part_of_the_first_column_name()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("naïve,b\né,1\n")).ToArray();
        var source = CsvDataSource.FromStream(() => new MemoryStream(bytes));

        var schema = await source.GetSchemaAsync();

        Assert.Equal(["naïve", "b"], schema.Names);
        Assert.Equal(["é"], await ReadColumnAsync(source, "naïve"));
    }

    [Fact]
    public async Task Blank_lines_are_skipped_and_short_rows_are_padded_with_missing_values()
    {
        var source = CsvDataSource.FromText("a,b\n\n1,2\n\n3\n");

        Assert.Equal([1.0, 3.0], await ReadColumnAsync(source, "a"));
        Assert.Equal([2.0, null], await ReadColumnAsync(source, "b"));
    }

    [Fact]
    public async Task Types_are_inferred_with_the_invariant_culture()
    {
        var source = CsvDataSource.FromText("d,b,t,s,i\n1.5,true,2021-03-04T05:06:07,x,7\n-2e3,FALSE,2021-03-05,1,8\ninf,true,2021-03-06,y,9\n");

        var schema = await source.GetSchemaAsync();

        Assert.Equal([ColumnType.Double, ColumnType.Boolean, ColumnType.DateTime, ColumnType.String, ColumnType.Double], schema.Columns.Select(c => c.Type));
        Assert.Equal([1.5, -2000.0, double.PositiveInfinity], await ReadColumnAsync(source, "d"));
        Assert.Equal([true, false, true], await ReadColumnAsync(source, "b"));
        Assert.Equal(["x", "1", "y"], await ReadColumnAsync(source, "s"));
    }

    [Fact]
    public async Task Declared_types_win_over_inference()
    {
        var source = CsvDataSource.FromText("id,code\n1,007\n2,008\n", options: new CsvOptions
        {
            ColumnTypes = new Dictionary<string, ColumnType> { ["id"] = ColumnType.Int64, ["code"] = ColumnType.String },
        });

        Assert.Equal([1L, 2L], await ReadColumnAsync(source, "id"));
        Assert.Equal(["007", "008"], await ReadColumnAsync(source, "code"));
    }

    [Fact]
    public async Task Extra_missing_value_tokens_are_read_as_missing()
    {
        var source = CsvDataSource.FromText("a\n1\nNA\n2\n", options: new CsvOptions { MissingValues = ["NA"] });

        Assert.Equal([1.0, null, 2.0], await ReadColumnAsync(source, "a"));
    }

    [Fact]
    public async Task A_value_that_breaks_the_inferred_type_is_an_error_naming_row_line_column_and_remedy()
    {
        var source = CsvDataSource.FromText("a\n1\n2\noops\n", options: new CsvOptions { InferenceRows = 2 });

        var error = await Assert.ThrowsAsync<DataTestingException>(() => ReadColumnAsync(source, "a"));

        Assert.Contains("row 2 (line 4)", error.Message);
        Assert.Contains("column 'a'", error.Message);
        Assert.Contains("\"oops\"", error.Message);
        Assert.Contains("CsvOptions.ColumnTypes", error.Message);
    }

    [Fact]
    public async Task A_row_with_more_fields_than_the_header_is_an_error()
    {
        var source = CsvDataSource.FromText("a,b\n1,2\n3,4,5\n");

        var error = await Assert.ThrowsAsync<DataTestingException>(() => ReadColumnAsync(source, "a"));

        Assert.Contains("line 3", error.Message);
        Assert.Contains("3 fields", error.Message);
    }

    [Fact]
    public async Task An_unterminated_quote_is_an_error_naming_its_line()
    {
        var source = CsvDataSource.FromText("a\n1\n\"open\n2\n");

        var error = await Assert.ThrowsAsync<DataTestingException>(() => source.GetSchemaAsync().AsTask());

        Assert.Contains("line 3", error.Message);
    }

    [Fact]
    public async Task Fields_and_records_that_span_read_buffers_are_read_whole()
    {
        // 70,000-character fields cross the 64 Ki-character read buffer; batches of 7 rows cross batch boundaries.
        var big = new string('x', 70_000);
        var text = new StringBuilder("k,v\n");
        for (var i = 0; i < 20; i++)
        {
            text.Append(i).Append(",\"").Append(big).Append(i % 2 == 0 ? "\"\"" : "\r\n").Append("\"\r\n");
        }

        var source = CsvDataSource.FromText(text.ToString());

        var values = await ReadColumnAsync(source, "v", batchSize: 7);
        var keys = await ReadColumnAsync(source, "k", batchSize: 7);

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (object?)(double)i), keys);
        Assert.All(values.Select((v, i) => (v, i)), p => Assert.Equal(big + (p.i % 2 == 0 ? "\"" : "\r\n"), p.v));
    }

    [Fact]
    public async Task Batches_number_rows_from_zero_across_batches()
    {
        var source = CsvDataSource.FromText("a\n" + string.Join("\n", Enumerable.Range(0, 10)) + "\n");
        var starts = new List<(long, int)>();

        await foreach (var batch in source.ReadAsync(["a"], batchSize: 4))
        {
            starts.Add((batch.StartRow, batch.RowCount));
        }

        Assert.Equal([(0L, 4), (4L, 4), (8L, 2)], starts);
    }

    [Fact]
    public async Task The_auto_mpg_file_is_read_with_its_types_and_406_rows()
    {
        var source = CsvDataSource.FromFile(DataPath("auto-mpg.csv"));

        var schema = await source.GetSchemaAsync();
        var mpg = await ReadColumnAsync(source, "Miles_per_Gallon", batchSize: 100);

        Assert.Equal(
            ["Name:String", "Miles_per_Gallon:Double", "Cylinders:Double", "Displacement:Double", "Horsepower:Double", "Weight_in_lbs:Double", "Acceleration:Double", "Year:DateTime", "Origin:String"],
            schema.Columns.Select(c => $"{c.Name}:{c.Type}"));
        Assert.Equal(406, mpg.Count);
        Assert.Equal(8, mpg.Count(v => v is null));
    }

    [Fact]
    public async Task Text_columns_read_as_characters_equal_the_strings()
    {
        // Longer than the reader's buffer, with quoted fields, missing values and non-ASCII text.
        var random = new Random(5);
        string[] texts = ["a", "\"x,y\"", "\"q\"\"q\"", "\"two\nlines\"", "é", "😀", "", "NA", "日本語テキスト"];
        var csv = new StringBuilder("n,t,u\n");
        for (var i = 0; i < 60_000; i++)
        {
            csv.Append(i).Append(',').Append(texts[random.Next(texts.Length)]).Append(',').Append(random.Next(3) == 0 ? "" : "u" + random.Next(100)).Append('\n');
        }

        var source = CsvDataSource.FromText(csv.ToString(), options: new CsvOptions { MissingValues = ["NA"] });
        var strings = new List<string?>();
        await foreach (var batch in source.ReadAsync(["t", "u"]))
        {
            for (var i = 0; i < batch.RowCount; i++)
            {
                strings.Add((string?)batch.Columns[0].GetValue(i));
                strings.Add((string?)batch.Columns[1].GetValue(i));
            }
        }

        var characters = new List<string?>();
        await foreach (var batch in source.ReadAsync(["t", "u"], 1000, textAsCharacters: true, CancellationToken.None))
        {
            var t = Assert.IsType<TextVector>(batch.Columns[0]);
            var u = Assert.IsType<TextVector>(batch.Columns[1]);
            for (var i = 0; i < batch.RowCount; i++)
            {
                characters.Add(t.Missing[i] ? null : t[i].ToString());
                characters.Add(u.Missing[i] ? null : u[i].ToString());
            }
        }

        Assert.Equal(120_000, strings.Count);
        Assert.Equal(strings, characters);
        Assert.Contains(null, strings);
        Assert.Contains("two\nlines", strings);
    }
}
