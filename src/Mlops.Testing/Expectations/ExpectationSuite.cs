using System.Text.Json;
using Mlops.Testing.Data;
using Mlops.Testing.Evaluation;
using Mlops.Testing.Expectations;

namespace Mlops.Testing;

/// <summary>The JSON shape of a suite file.</summary>
public enum SuiteJsonFormat
{
    /// <summary>GX 1.x: <c>name</c>, <c>expectations: [{type, kwargs, meta}]</c>.</summary>
    GreatExpectations1,

    /// <summary>GX 0.x: <c>expectation_suite_name</c>, <c>expectations: [{expectation_type, kwargs, meta}]</c>.</summary>
    GreatExpectations0,
}

/// <summary>
/// A named list of expectations, as Great Expectations keeps them. Every expectation is checked when the suite is made
/// (read from JSON, built in C#): an unsupported type or an invalid argument is a <see cref="DataTestingException"/> that
/// names it, never skipped.
/// </summary>
public sealed class ExpectationSuite
{
    private readonly Func<ExpectationEvaluator>[] _evaluators;

    /// <summary>Creates a suite and checks each expectation.</summary>
    /// <exception cref="DataTestingException">For an unsupported expectation type or an invalid argument.</exception>
    public ExpectationSuite(string name, IEnumerable<Expectation> expectations, IReadOnlyDictionary<string, JsonElement>? meta = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(expectations);
        Name = name;
        Expectations = [.. expectations];
        Meta = meta;
        _evaluators = [.. Expectations.Select(ExpectationCatalog.Compile)];
    }

    /// <summary>The suite's name.</summary>
    public string Name { get; }

    /// <summary>The expectations, in order.</summary>
    public IReadOnlyList<Expectation> Expectations { get; }

    /// <summary>Free-form metadata (GX's <c>meta</c>).</summary>
    public IReadOnlyDictionary<string, JsonElement>? Meta { get; }

    /// <summary>The GX 1.x suite id, when read from a file that had one.</summary>
    public string? Id { get; init; }

    /// <summary>The expectation types this version supports (GX names).</summary>
    public static IReadOnlyList<string> SupportedExpectationTypes => ExpectationCatalog.SupportedTypes;

    /// <summary>Starts a suite in C#.</summary>
    public static ExpectationSuiteBuilder Create(string name) => new(name);

    /// <summary>Reads a suite from GX JSON, 1.x or 0.x shape.</summary>
    /// <exception cref="DataTestingException">When the JSON is not a suite, or an expectation is unsupported or invalid.</exception>
    public static ExpectationSuite Parse(string json) => SuiteJson.Parse(json);

    /// <summary>Reads a suite from a GX JSON stream, 1.x or 0.x shape.</summary>
    /// <exception cref="DataTestingException">When the JSON is not a suite, or an expectation is unsupported or invalid.</exception>
    public static async Task<ExpectationSuite> LoadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, leaveOpen: true);
        return Parse(await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Reads a suite file.</summary>
    /// <exception cref="DataTestingException">When the file is not a suite, or an expectation is unsupported or invalid.</exception>
    public static async Task<ExpectationSuite> LoadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            return Parse(json);
        }
        catch (DataTestingException e)
        {
            throw new DataTestingException($"The suite file '{path}': {e.Message}", e);
        }
    }

    /// <summary>The suite as GX JSON.</summary>
    public string ToJson(SuiteJsonFormat format = SuiteJsonFormat.GreatExpectations1, bool indented = true) => SuiteJson.Write(this, format, indented);

    /// <summary>Validates a data source against the suite in one streaming pass.</summary>
    public Task<ValidationResult> ValidateAsync(DataSource source, CancellationToken cancellationToken = default) =>
        new DataValidator().ValidateAsync(this, source, cancellationToken);

    /// <summary>Validates records or plain objects against the suite.</summary>
    public ValidationResult Validate<T>(IEnumerable<T> rows) =>
        new DataValidator().ValidateAsync(this, DataSource.FromEnumerable(rows)).GetAwaiter().GetResult();

    internal ExpectationEvaluator CreateEvaluator(int index) => _evaluators[index]();
}
