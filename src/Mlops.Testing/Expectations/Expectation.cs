using System.Text.Json;

namespace Mlops.Testing;

/// <summary>
/// One expectation as Great Expectations writes it: a snake_case <see cref="Type"/> such as
/// <c>expect_column_values_to_not_be_null</c>, and its keyword arguments (<c>column</c>, <c>min_value</c>, <c>mostly</c>, …).
/// </summary>
public sealed record Expectation
{
    /// <summary>The expectation type, as in GX (<c>expect_column_values_to_be_between</c>).</summary>
    public required string Type { get; init; }

    /// <summary>The keyword arguments, as JSON values, in the order they were given.</summary>
    public IReadOnlyDictionary<string, JsonElement> Kwargs { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Free-form metadata kept with the expectation (GX's <c>meta</c>).</summary>
    public IReadOnlyDictionary<string, JsonElement>? Meta { get; init; }

    /// <summary>The GX 1.x expectation id, when the suite had one.</summary>
    public string? Id { get; init; }

    /// <summary>The GX 1.x notes (a string or a list of strings), when the suite had them.</summary>
    public JsonElement? Notes { get; init; }

    /// <summary>The <c>column</c> argument, or <see langword="null"/> for table and multi-column expectations.</summary>
    public string? Column => Kwargs.TryGetValue("column", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;

    /// <summary>Creates an expectation from a type and keyword arguments given as an object (an anonymous type or a dictionary).</summary>
    /// <param name="type">The GX expectation type.</param>
    /// <param name="kwargs">An object whose properties (or keys) are the snake_case argument names.</param>
    public static Expectation Create(string type, object? kwargs = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        var dictionary = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (kwargs is not null)
        {
            var element = JsonSerializer.SerializeToElement(kwargs, kwargs.GetType());
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException("The keyword arguments must be an object whose properties are the argument names.", nameof(kwargs));
            }

            foreach (var property in element.EnumerateObject())
            {
                dictionary[property.Name] = property.Value.Clone();
            }
        }

        return new Expectation { Type = type, Kwargs = dictionary };
    }
}
