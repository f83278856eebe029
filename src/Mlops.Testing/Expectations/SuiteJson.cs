using System.Text;
using System.Text.Json;

namespace Mlops.Testing.Expectations;

/// <summary>Reads and writes suites in GX's 1.x and 0.x JSON shapes.</summary>
internal static class SuiteJson
{
    public static ExpectationSuite Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new DataTestingException($"The suite is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new DataTestingException("A suite is a JSON object with 'name' (GX 1.x) or 'expectation_suite_name' (GX 0.x) and 'expectations'.");
            }

            var name = String(root, "name") ?? String(root, "expectation_suite_name")
                ?? throw new DataTestingException("The suite has no name: give 'name' (GX 1.x) or 'expectation_suite_name' (GX 0.x).");
            if (!root.TryGetProperty("expectations", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new DataTestingException($"The suite '{name}' has no 'expectations' list.");
            }

            var expectations = new List<Expectation>();
            var position = 0;
            foreach (var item in list.EnumerateArray())
            {
                position++;
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw new DataTestingException($"Expectation #{position} of the suite '{name}' is not a JSON object.");
                }

                var type = String(item, "type") ?? String(item, "expectation_type")
                    ?? throw new DataTestingException($"Expectation #{position} of the suite '{name}' has no 'type' (GX 1.x) or 'expectation_type' (GX 0.x).");
                var kwargs = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                if (item.TryGetProperty("kwargs", out var k))
                {
                    if (k.ValueKind != JsonValueKind.Object)
                    {
                        throw new DataTestingException($"Expectation #{position} ({type}) of the suite '{name}': 'kwargs' is not a JSON object.");
                    }

                    foreach (var p in k.EnumerateObject())
                    {
                        kwargs[p.Name] = p.Value.Clone();
                    }
                }

                expectations.Add(new Expectation
                {
                    Type = type,
                    Kwargs = kwargs,
                    Meta = Object(item, "meta"),
                    Id = String(item, "id"),
                    Notes = item.TryGetProperty("notes", out var notes) && notes.ValueKind != JsonValueKind.Null ? notes.Clone() : null,
                });
            }

            try
            {
                return new ExpectationSuite(name, expectations, Object(root, "meta")) { Id = String(root, "id") };
            }
            catch (DataTestingException e)
            {
                throw new DataTestingException($"The suite '{name}': {e.Message}", e);
            }
        }
    }

    public static string Write(ExpectationSuite suite, SuiteJsonFormat format, bool indented)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            var v1 = format == SuiteJsonFormat.GreatExpectations1;
            writer.WriteStartObject();
            writer.WriteString(v1 ? "name" : "expectation_suite_name", suite.Name);
            if (v1 && suite.Id is not null)
            {
                writer.WriteString("id", suite.Id);
            }

            writer.WriteStartArray("expectations");
            foreach (var expectation in suite.Expectations)
            {
                WriteExpectation(writer, expectation, format);
            }

            writer.WriteEndArray();
            WriteObject(writer, "meta", suite.Meta);
            if (!v1)
            {
                writer.WriteString("data_asset_type", (string?)null);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    internal static void WriteExpectation(Utf8JsonWriter writer, Expectation expectation, SuiteJsonFormat format)
    {
        var v1 = format == SuiteJsonFormat.GreatExpectations1;
        writer.WriteStartObject();
        writer.WriteString(v1 ? "type" : "expectation_type", expectation.Type);
        WriteObject(writer, "kwargs", expectation.Kwargs);
        WriteObject(writer, "meta", expectation.Meta);
        if (v1 && expectation.Id is not null)
        {
            writer.WriteString("id", expectation.Id);
        }

        if (v1 && expectation.Notes is { } notes)
        {
            writer.WritePropertyName("notes");
            notes.WriteTo(writer);
        }

        writer.WriteEndObject();
    }

    private static void WriteObject(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, JsonElement>? values)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in values ?? new Dictionary<string, JsonElement>())
        {
            writer.WritePropertyName(key);
            value.WriteTo(writer);
        }

        writer.WriteEndObject();
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Dictionary<string, JsonElement>? Object(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
    }
}
