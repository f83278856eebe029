using System.Diagnostics;

namespace Mlops.Testing.Tests.Differential;

/// <summary>
/// Finds Python with pandas (Debian's <c>python3-pandas</c>, which eng/test.sh installs) for the differential tests.
/// The interpreter is <c>MLOPS_TEST_PYTHON</c> when set, else the first of <c>/usr/bin/python3</c> and <c>python3</c> that
/// imports pandas.
/// </summary>
public static class PandasInterpreter
{
    private static readonly Lazy<string?> Interpreter = new(Find);

    /// <summary>The interpreter; the test fails, saying what to install, when there is none.</summary>
    public static string Python => Interpreter.Value
        ?? throw new Xunit.Sdk.XunitException("Python with pandas is not installed: run ./eng/test.sh (it installs Debian's python3-pandas), or set MLOPS_TEST_PYTHON.");

    /// <summary>
    /// Runs a script copied beside the tests (a path relative to the test output folder) with its arguments and returns
    /// what it printed; the test fails with the script's error output when it exits non-zero.
    /// </summary>
    public static string RunScript(string relativeScript, params string[] arguments)
    {
        var script = Path.Combine(AppContext.BaseDirectory, relativeScript);
        using var process = Process.Start(new ProcessStartInfo(Python, [script, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Xunit.Assert.True(process.ExitCode == 0, $"{relativeScript} failed (eng/test.sh installs Debian's python3-pandas and python3-scipy): {stderr.Result}");
        return stdout.Result;
    }

    private static string? Find()
    {
        string?[] candidates = [Environment.GetEnvironmentVariable("MLOPS_TEST_PYTHON"), "/usr/bin/python3", "python3"];
        foreach (var candidate in candidates)
        {
            if (string.IsNullOrEmpty(candidate))
            {
                continue;
            }

            try
            {
                using var process = Process.Start(new ProcessStartInfo(candidate, ["-c", "import pandas"])
                {
                    RedirectStandardError = true,
                    RedirectStandardOutput = true,
                });
                if (process is null)
                {
                    continue;
                }

                process.WaitForExit();
                if (process.ExitCode == 0)
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under that name.
            }
        }

        return null;
    }
}
