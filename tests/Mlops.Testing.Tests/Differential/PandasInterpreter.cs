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
