using System.Globalization;
using System.Text.Json;
using Mlops.Testing.Tests.Differential;

namespace Mlops.Testing.Tests.Statistics;

/// <summary>
/// Runs <c>scipy_stats.py</c> on cases written by a test, with the interpreter the pandas differential test uses
/// (<see cref="PandasInterpreter"/>: <c>MLOPS_TEST_PYTHON</c>, else /usr/bin/python3; Debian's python3-pandas and
/// python3-scipy, which eng/test.sh installs). A missing interpreter or scipy fails the test; it never skips.
/// </summary>
internal static class Scipy
{
    /// <summary>One case: a dictionary serialised as JSON for the script.</summary>
    public static Dictionary<string, object?> Case(string kind, params (string Key, object? Value)[] fields)
    {
        var d = new Dictionary<string, object?> { ["kind"] = kind };
        foreach (var (key, value) in fields)
        {
            d[key] = value;
        }

        return d;
    }

    /// <summary>scipy's numbers for each case, in order.</summary>
    public static double[][] Run(IReadOnlyList<Dictionary<string, object?>> cases)
    {
        var folder = Path.Combine(Path.GetTempPath(), "mlops-scipy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var input = Path.Combine(folder, "cases.json");
            File.WriteAllText(input, JsonSerializer.Serialize(cases, new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
            using var json = JsonDocument.Parse(PandasInterpreter.RunScript(Path.Combine("Statistics", "scipy_stats.py"), input));
            var version = json.RootElement.GetProperty("scipy").GetString()!;
            Assert.True(version.StartsWith("1.10", StringComparison.Ordinal), $"these tests pin scipy 1.10's methods; found scipy {version}");
            return [.. json.RootElement.GetProperty("results").EnumerateArray().Select(r => r.EnumerateArray().Select(Number).ToArray())];
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Number(JsonElement e) => e.ValueKind == JsonValueKind.String
        ? e.GetString() switch { "NaN" => double.NaN, "Infinity" => double.PositiveInfinity, _ => double.NegativeInfinity }
        : e.GetDouble();

    /// <summary>
    /// Asserts agreement within 1e-6: absolute for values of at least 1e-3 in magnitude, relative (1e-6 of the value)
    /// below that. An absolute 1e-6 says nothing about a p-value of 1e-12 (any tiny number would pass), and these tiny
    /// p-values are where the algorithms differ most (exact tails, underflow), so they are held to relative precision.
    /// Values that underflow (below 1e-300) only need to be tiny on both sides; NaN and infinities must match exactly.
    /// </summary>
    public static void AssertClose(double expected, double actual, string what)
    {
        if (double.IsNaN(expected) || double.IsInfinity(expected))
        {
            Assert.True(expected.Equals(actual), $"{what}: scipy {expected}, ours {actual}");
            return;
        }

        var tolerance = Math.Abs(expected) >= 1e-3 ? 1e-6 : Math.Max(1e-6 * Math.Abs(expected), 1e-300);
        Assert.True(
            Math.Abs(expected - actual) <= tolerance,
            string.Create(CultureInfo.InvariantCulture, $"{what}: scipy {expected:R}, ours {actual:R} (difference {Math.Abs(expected - actual):G3}, tolerance {tolerance:G3})"));
    }
}
