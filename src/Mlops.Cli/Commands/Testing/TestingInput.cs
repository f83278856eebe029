using System.CommandLine;
using Mlops.Testing;
using Mlops.Testing.Data;
using Mlops.Testing.Drift;
using Mlops.Testing.Reports;

namespace Mlops.Cli.Commands.Testing;

/// <summary>The arguments and options the data-testing verbs share, and how they read data and write reports.</summary>
internal static class TestingInput
{
    /// <summary>The report formats of <c>--format</c>.</summary>
    public static readonly string[] Formats = ["md", "json", "html"];

    /// <summary>A data file argument: an existing CSV or Parquet file, chosen by extension.</summary>
    public static Argument<FileInfo> DataArgument(string name, string description)
    {
        var argument = new Argument<FileInfo>(name) { Description = description + " A .csv or .parquet file." };
        argument.Validators.Add(result =>
        {
            var file = result.GetValueOrDefault<FileInfo>();
            if (file is null)
            {
                return;
            }

            if (!file.Exists)
            {
                result.AddError($"The data file '{file.FullName}' does not exist.");
            }
            else if (!IsCsv(file) && !IsParquet(file))
            {
                result.AddError($"The data file '{file.Name}' is neither .csv nor .parquet; the format is chosen by the extension.");
            }
        });
        return argument;
    }

    /// <summary>An option naming a file that must exist.</summary>
    public static Option<FileInfo> ExistingFileOption(string name, string description, bool required)
    {
        var option = new Option<FileInfo>(name) { Description = description, Required = required };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<FileInfo>() is { Exists: false } file)
            {
                result.AddError($"The file '{file.FullName}' given to {name} does not exist.");
            }
        });
        return option;
    }

    /// <summary><c>-o/--output</c>: a file to write, in a folder that exists.</summary>
    public static Option<FileInfo> OutputOption(string description, bool required)
    {
        var option = new Option<FileInfo>("--output", "-o") { Description = description, Required = required };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<FileInfo>() is { } file && file.Directory is { Exists: false } folder)
            {
                result.AddError($"The folder '{folder.FullName}' of --output does not exist; create it first.");
            }
        });
        return option;
    }

    /// <summary><c>--format</c>: md (the default), json or html.</summary>
    public static Option<string> FormatOption()
    {
        var option = new Option<string>("--format", "-f")
        {
            Description = "The report format: md (Markdown, the default), json (Great Expectations' result shape) or html (a self-contained page).",
            DefaultValueFactory = _ => "md",
        };
        option.AcceptOnlyFromAmong(Formats);
        return option;
    }

    public static DataSource OpenData(FileInfo file) =>
        IsParquet(file) ? ParquetDataSource.FromFile(file.FullName) : CsvDataSource.FromFile(file.FullName);

    public static string Render(ValidationResult result, string format) => format switch
    {
        "json" => result.ToJson(),
        "html" => HtmlReport.Render(result),
        _ => MarkdownReport.Render(result),
    };

    public static string Render(DriftReport report, string format) => format switch
    {
        "json" => report.ToJson(),
        "html" => HtmlReport.Render(report),
        _ => report.ToMarkdown(),
    };

    /// <summary>Writes the text to a temporary file next to the target, then renames it: never a half-written report.</summary>
    public static async Task WriteAtomicallyAsync(FileInfo target, string text, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(target.DirectoryName ?? ".", $".{target.Name}.{Guid.NewGuid():N}.tmp");
        try
        {
            await File.WriteAllTextAsync(temporary, text, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, target.FullName, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static bool IsCsv(FileInfo file) => file.Extension.Equals(".csv", StringComparison.OrdinalIgnoreCase);

    private static bool IsParquet(FileInfo file) => file.Extension.Equals(".parquet", StringComparison.OrdinalIgnoreCase);
}
