using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Cli.Commands.Testing;
using Mlops.Testing;
using Mlops.Testing.Drift;
using Mlops.Testing.Profiling;

namespace Mlops.Cli.Commands;

/// <summary>
/// <c>mlops validate</c>, <c>mlops profile</c> and <c>mlops drift</c>: Mlops.Testing's expectation suites and drift
/// tests from a terminal, for CI jobs.
/// </summary>
/// <remarks>
/// Exit codes: 0 when the data meets the suite (or has not drifted), 1 when it does not (or has), 2 when the input cannot be used (a missing file, an
/// unknown format, a suite or data file that does not parse), so a CI job can tell "bad data" from "bad job".
/// </remarks>
internal sealed class TestingCommands : ICommandModule
{
    public void ConfigureServices(IServiceCollection services) => services.AddMlopsTesting();

    public IEnumerable<Command> CreateCommands(CliContext context)
    {
        yield return Validate(context);
        yield return Profile(context);
        yield return Drift(context);
    }

    private static Command Validate(CliContext context)
    {
        var data = TestingInput.DataArgument("data", "The data to validate.");
        var suite = TestingInput.ExistingFileOption("--suite", "The expectation suite: Great Expectations JSON, 1.x or 0.x shape.", required: true);
        var format = TestingInput.FormatOption();
        var output = TestingInput.OutputOption("Write the report to this file and print a one-line verdict; without it the report goes to standard output.", required: false);
        var validate = new Command("validate", "Validate a CSV or Parquet file against an expectation suite. Exits 1 when an expectation fails.")
        {
            data, suite, format, output,
        };
        validate.SetAction((parseResult, cancellationToken) => WithInputErrorsAsUsage(context, async () =>
        {
            var expectations = await ExpectationSuite.LoadFileAsync(parseResult.GetRequiredValue(suite).FullName, cancellationToken).ConfigureAwait(false);
            var result = await context.Services.GetRequiredService<DataValidator>()
                .ValidateAsync(expectations, TestingInput.OpenData(parseResult.GetRequiredValue(data)), cancellationToken).ConfigureAwait(false);
            var report = TestingInput.Render(result, parseResult.GetRequiredValue(format));
            if (parseResult.GetValue(output) is { } file)
            {
                await TestingInput.WriteAtomicallyAsync(file, report, cancellationToken).ConfigureAwait(false);
                var s = result.Statistics;
                context.Console.Output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{(result.Success ? "Passed" : "Failed")}: {s.SuccessfulExpectations} of {s.EvaluatedExpectations} expectations met ({s.SuccessPercent ?? 100:0.#}%); report written to {file.FullName}"));
            }
            else
            {
                context.Console.Output.Write(report);
            }

            return result.Success ? ExitCodes.Success : ExitCodes.Failure;
        }));
        return validate;
    }

    private static Command Profile(CliContext context)
    {
        var data = TestingInput.DataArgument("data", "The reference data to profile.");
        var output = TestingInput.OutputOption("Where to write the draft suite (Great Expectations 1.x JSON).", required: true);
        var name = new Option<string>("--name") { Description = "The suite's name; the data file's name when absent." };
        var profile = new Command("profile", "Draft an expectation suite from reference data: column list, types, nullability, ranges, value sets, uniqueness, row count.")
        {
            data, output, name,
        };
        profile.SetAction((parseResult, cancellationToken) => WithInputErrorsAsUsage(context, async () =>
        {
            var file = parseResult.GetRequiredValue(output);
            var suite = await SuiteProfiler.ProfileAsync(
                TestingInput.OpenData(parseResult.GetRequiredValue(data)),
                new ProfileOptions { SuiteName = parseResult.GetValue(name) },
                cancellationToken).ConfigureAwait(false);
            await TestingInput.WriteAtomicallyAsync(file, suite.ToJson(), cancellationToken).ConfigureAwait(false);
            context.Console.Output.WriteLine($"Wrote a draft suite of {suite.Expectations.Count} expectations to {file.FullName}; review it before it guards new data.");
            return ExitCodes.Success;
        }));
        return profile;
    }

    private static Command Drift(CliContext context)
    {
        var reference = TestingInput.DataArgument("reference", "The reference data (for example the training set).");
        var current = TestingInput.DataArgument("current", "The current data to compare with it.");
        var format = TestingInput.FormatOption();
        var output = TestingInput.OutputOption("Write the report to this file and print a one-line verdict; without it the report goes to standard output.", required: false);
        var threshold = new Option<double?>("--threshold") { Description = "One threshold for every column instead of each test's default (0.05 for p-values, 0.1 for distances)." };
        var share = new Option<double>("--drift-share") { Description = "The share of drifted columns at which the data set drifts.", DefaultValueFactory = _ => 0.5 };
        threshold.Validators.Add(r => { if (r.GetValueOrDefault<double?>() is <= 0 or double.NaN) { r.AddError("--threshold must be a positive number."); } });
        share.Validators.Add(r => { if (r.GetValueOrDefault<double>() is < 0 or > 1 or double.NaN) { r.AddError("--drift-share must be between 0 and 1."); } });
        var drift = new Command("drift", "Compare current data with reference data, column by column, with the test Evidently would choose. Exits 1 when the data set drifted.")
        {
            reference, current, format, output, threshold, share,
        };
        drift.SetAction((parseResult, cancellationToken) => WithInputErrorsAsUsage(context, async () =>
        {
            var options = new DriftOptions { Threshold = parseResult.GetValue(threshold), DriftShare = parseResult.GetValue(share) };
            var report = await new DriftDetector(options).DetectAsync(
                TestingInput.OpenData(parseResult.GetRequiredValue(reference)),
                TestingInput.OpenData(parseResult.GetRequiredValue(current)),
                cancellationToken).ConfigureAwait(false);
            var text = TestingInput.Render(report, parseResult.GetRequiredValue(format));
            if (parseResult.GetValue(output) is { } file)
            {
                await TestingInput.WriteAtomicallyAsync(file, text, cancellationToken).ConfigureAwait(false);
                context.Console.Output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{(report.DatasetDrift ? "Drift" : "No drift")}: {report.DriftedColumns} of {report.Columns.Count} columns drifted ({report.ShareOfDriftedColumns:0.#%}; the data set drifts at {report.DriftShare:0.#%}); report written to {file.FullName}"));
            }
            else
            {
                context.Console.Output.Write(text);
            }

            return report.DatasetDrift ? ExitCodes.Failure : ExitCodes.Success;
        }));
        return drift;
    }

    // A suite or data file that does not parse is bad input to the job, not data that fails its suite.
    private static async Task<int> WithInputErrorsAsUsage(CliContext context, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (DataTestingException ex)
        {
            context.Console.WriteError(ex.Message);
            return ExitCodes.Usage;
        }
    }
}
