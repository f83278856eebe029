using System.Buffers.Binary;
using System.Diagnostics;
using Mlops.Testing.Data;
using Mlops.Testing.Reports;
using static Mlops.Testing.Tests.TestHelpers;

namespace Mlops.Testing.Tests.Reports;

public sealed class HtmlReportTests
{
    private const string Hostile = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>&amp;";

    private static ValidationResult Hostile_result()
    {
        var suite = ExpectationSuite.Create(Hostile)
            .ExpectColumnValuesToBeInSet("S", ["ok", Hostile])
            .ExpectColumnValuesToNotBeNull("X")
            .ExpectColumnValuesToNotBeNull("no such column" + Hostile)
            .Build();
        return suite.ValidateAsync(DataSource.FromEnumerable(
            [new Row(X: 1, S: "ok"), new Row(X: 2, S: "</td></tr></table><script>evil()</script>"), new Row(X: 3, S: "ok"), new Row(X: 4, S: "a&b")],
            Hostile)).GetAwaiter().GetResult();
    }

    private static Task<ValidationResult> AutoMpgResultAsync() =>
        ExpectationSuite.Create("auto-mpg quality")
            .ExpectTableRowCountToBeBetween(300, 500)
            .ExpectColumnValuesToNotBeNull("Miles_per_Gallon")
            .ExpectColumnValuesToNotBeNull("Horsepower")
            .ExpectColumnValuesToBeBetween("Horsepower", 50, 200)
            .ExpectColumnValuesToBeInSet("Origin", ["USA", "Europe", "Japan"])
            .ExpectColumnMeanToBeBetween("Weight_in_lbs", 2500, 3500)
            .ExpectColumnValuesToBeInSet("Cylinders", [3, 4, 5, 6, 8])
            .ExpectColumnValuesToNotBeNull("Engine")
            .Build()
            .ValidateAsync(CsvDataSource.FromFile(DataPath("auto-mpg.csv")));

    [Fact]
    public void Every_text_from_the_suite_and_the_data_is_escaped()
    {
        var html = HtmlReport.Render(Hostile_result());

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("</td></tr></table><script", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;", html, StringComparison.Ordinal);
        Assert.Contains("&quot;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;evil()&lt;/script&gt;&quot;", html, StringComparison.Ordinal);
        Assert.Contains("&quot;a&amp;b&quot;", html, StringComparison.Ordinal);
        Assert.Equal(Count(html, "<section"), Count(html, "</section>"));
    }

    [Fact]
    public async Task The_page_is_self_contained()
    {
        var html = HtmlReport.Render(await AutoMpgResultAsync());

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<style>", html, StringComparison.Ordinal);
        foreach (var external in new[] { "http:", "https:", "<link", "<script", "<img", "@import", "@font-face", "url(", " src=" })
        {
            Assert.DoesNotContain(external, html, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task The_summary_counts_and_each_failure_with_its_rows_are_shown_failures_first()
    {
        var result = await AutoMpgResultAsync();
        var html = HtmlReport.Render(result);

        var s = result.Statistics;
        Assert.Equal((8, 4, 4), (s.EvaluatedExpectations, s.SuccessfulExpectations, s.UnsuccessfulExpectations));
        Assert.Contains("<b>8</b><small>Evaluated</small>", html, StringComparison.Ordinal);
        Assert.Contains("<b>4</b><small>Successful</small>", html, StringComparison.Ordinal);
        Assert.Contains("<b>4</b><small>Failed</small>", html, StringComparison.Ordinal);
        Assert.Contains("<span>50%</span>", html, StringComparison.Ordinal);
        Assert.Contains("Failed expectations (4)", html, StringComparison.Ordinal);
        Assert.Contains("Met expectations (4)", html, StringComparison.Ordinal);
        Assert.Equal(3, Count(html, "class=\"badge\">FAIL<"));
        Assert.Equal(1, Count(html, "class=\"badge\">ERROR<"));
        Assert.Equal(4, Count(html, "class=\"badge\">PASS<"));
        Assert.True(html.IndexOf(">FAIL<", StringComparison.Ordinal) < html.IndexOf(">PASS<", StringComparison.Ordinal));

        // The 8 rows missing miles per gallon, with their 0-based indexes and counts.
        var mpg = result.Results[1].Result;
        Assert.Equal(8, mpg.UnexpectedCount);
        Assert.Contains($"<small>null at rows</small><span class=\"mono\">{string.Join(", ", mpg.PartialUnexpectedIndexList!)}</span>", html, StringComparison.Ordinal);

        // The 17 horsepowers out of range, with their rows, and their counts.
        var horsepower = result.Results[3].Result;
        for (var i = 0; i < horsepower.PartialUnexpectedList!.Count; i++)
        {
            Assert.Contains($"<td class=\"num mono\">{horsepower.PartialUnexpectedIndexList![i]}</td><td class=\"mono\">{horsepower.PartialUnexpectedList[i]}</td>", html, StringComparison.Ordinal);
        }

        Assert.Contains($"<td class=\"mono\">48</td><td class=\"num mono\">{horsepower.PartialUnexpectedCounts!.Single(c => Equals(c.Value, 48.0)).Count}</td>", html, StringComparison.Ordinal);

        Assert.Contains("<small>unexpected</small><span class=\"mono\">8 (1.97%)</span>", html, StringComparison.Ordinal);
        Assert.Contains("min_value = 50", html, StringComparison.Ordinal);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"<small>observed</small><span class=\"mono\">{(double)result.Results[5].Result.ObservedValue!:0.####}</span>"), html, StringComparison.Ordinal);
        Assert.Contains("Could not be evaluated: The column &#39;Engine&#39; does not exist", html, StringComparison.Ordinal);
        Assert.Contains("class=\"badge\">ERROR<", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_lists_show_the_first_twenty_and_say_how_many_there_are()
    {
        var rows = Enumerable.Range(0, 30).Select(i => new Row(X: i % 5 == 0 ? null : 100 + i)).ToList();
        var result = ExpectationSuite.Create("long").ExpectColumnValuesToBeBetween("X", 0, 10).ExpectColumnValuesToNotBeNull("X").Build().Validate(rows);
        var html = HtmlReport.Render(result);

        var outOfRange = result.Results[0].Result;
        Assert.Equal(24, outOfRange.UnexpectedCount);
        Assert.Contains("<caption>First 20 of 24 shown.</caption>", html, StringComparison.Ordinal);
        Assert.Equal(20 + 1, Count(html.Split("<caption>")[1].Split("</table>")[0], "<tr>"));
        Assert.Contains($"<small>null at rows</small><span class=\"mono\">{string.Join(", ", result.Results[1].Result.PartialUnexpectedIndexList!)}</span>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_passing_validation_shows_no_failure_section()
    {
        var result = ExpectationSuite.Create("ok").ExpectColumnValuesToNotBeNull("X").Build().Validate(Xs(1, 2));

        var html = HtmlReport.Render(result);

        Assert.Contains("Data meets the suite", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Failed expectations", html, StringComparison.Ordinal);
        Assert.Contains("<span>100%</span>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headless_chromium_renders_the_report_to_a_full_non_blank_screenshot()
    {
        var folder = Directory.CreateTempSubdirectory("mlops-html-report-");
        try
        {
            var report = Path.Combine(folder.FullName, "validation-report.html");
            await File.WriteAllTextAsync(report, HtmlReport.Render(await AutoMpgResultAsync()));
            var blank = Path.Combine(folder.FullName, "blank.html");
            await File.WriteAllTextAsync(blank, "<!DOCTYPE html><html><body></body></html>");

            var reportPng = Screenshot(report);
            var blankPng = Screenshot(blank);

            Assert.Equal((1280, 2000), PngSize(reportPng));
            Assert.Equal((1280, 2000), PngSize(blankPng));

            // A page of cards, text and colour compresses far worse than a blank one.
            Assert.True(reportPng.Length > 5 * blankPng.Length, $"The report screenshot is {reportPng.Length} bytes, a blank page's {blankPng.Length}.");
            File.Copy(Path.ChangeExtension(report, ".png"), Path.Combine(AppContext.BaseDirectory, "validation-report.png"), overwrite: true);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static byte[] Screenshot(string htmlPath)
    {
        var chromium = Environment.GetEnvironmentVariable("MLOPS_TEST_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            Assert.Fail($"Headless Chromium is not at '{chromium}': run ./eng/test.sh (it installs Debian's chromium), or set MLOPS_TEST_CHROMIUM.");
        }

        var png = Path.ChangeExtension(htmlPath, ".png");
        var start = new ProcessStartInfo(chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                $"--user-data-dir={Path.Combine(Path.GetDirectoryName(htmlPath)!, "profile")}",
                $"--screenshot={png}", "--window-size=1280,2000", new Uri(htmlPath).AbsoluteUri,
            },
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("Chromium did not finish the screenshot within 2 minutes.");
        }

        Assert.True(File.Exists(png), $"Chromium exited with {process.ExitCode} and wrote no screenshot: {stderr.GetAwaiter().GetResult()}");
        return File.ReadAllBytes(png);
    }

    private static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.True(png.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }), "Not a PNG.");
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    private static int Count(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
