using System.Text.Json;

namespace Mlops.Testing.Expectations;

/// <summary>Reads and checks an expectation's keyword arguments; every problem names the expectation and the argument.</summary>
internal sealed class KwargReader
{
    // Arguments GX accepts on every expectation that do not change what is checked.
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal)
    {
        "result_format", "include_config", "catch_exceptions", "meta", "parse_strings_as_datetimes",
        "allow_cross_type_comparisons", "output_strftime_format", "batch_id", "condition_parser", "auto", "profiler_config",
        "description", "severity", "windows",
    };

    private readonly Expectation _expectation;
    private readonly string _where;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public KwargReader(Expectation expectation, int position)
    {
        _expectation = expectation;
        _where = $"Expectation #{position + 1} ({expectation.Type})";
        if (TryGet("row_condition", out var condition) && condition.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            throw Error("row_condition", "is not supported yet: remove it, or validate a filtered data source instead");
        }

        foreach (var (name, value) in expectation.Kwargs)
        {
            if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("$PARAMETER", out _))
            {
                throw Error(name, "is a suite parameter ($PARAMETER), which is not supported: give the value itself");
            }
        }
    }

    public static bool IsIgnored(string name) => Ignored.Contains(name);

    public DataTestingException Error(string argument, string problem) =>
        new($"{_where}: argument '{argument}' {problem}.");

    public DataTestingException Error(string problem) => new($"{_where}: {problem}.");

    public bool TryGet(string name, out JsonElement value)
    {
        _read.Add(name);
        if (_expectation.Kwargs.TryGetValue(name, out value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            return true;
        }

        value = default;
        return false;
    }

    public string Column(string name = "column")
    {
        if (!TryGet(name, out var value))
        {
            throw Error(name, "is required (the name of the column to check)");
        }

        return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s
            ? s
            : throw Error(name, $"must be a column name, got {value.GetRawText()}");
    }

    public IReadOnlyList<string> ColumnList(string name = "column_list", int minimum = 1)
    {
        var list = RequiredList(name);
        var columns = list.Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Error(name, $"must list column names, got {e.GetRawText()}")).ToArray();
        return columns.Length >= minimum ? columns : throw Error(name, $"must name at least {minimum} column(s)");
    }

    public double? OptionalNumber(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw Error(name, $"must be a number, got {value.GetRawText()}");
    }

    public double RequiredNumber(string name) =>
        OptionalNumber(name) ?? throw Error(name, "is required");

    public long RequiredInteger(string name)
    {
        if (!TryGet(name, out var value))
        {
            throw Error(name, "is required");
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : throw Error(name, $"must be an integer, got {value.GetRawText()}");
    }

    public long? OptionalInteger(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : throw Error(name, $"must be an integer, got {value.GetRawText()}");
    }

    public bool Boolean(string name, bool defaultValue)
    {
        if (!TryGet(name, out var value))
        {
            return defaultValue;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(name, $"must be true or false, got {value.GetRawText()}"),
        };
    }

    public string? OptionalString(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Error(name, $"must be a string, got {value.GetRawText()}");
    }

    public string RequiredString(string name) => OptionalString(name) ?? throw Error(name, "is required");

    public string Choice(string name, string defaultValue, params string[] choices)
    {
        var value = OptionalString(name) ?? defaultValue;
        return choices.Contains(value, StringComparer.Ordinal) ? value : throw Error(name, $"must be one of {string.Join(", ", choices.Select(c => $"\"{c}\""))}, got \"{value}\"");
    }

    public IReadOnlyList<JsonElement> RequiredList(string name) =>
        OptionalList(name) ?? throw Error(name, "is required (a list)");

    public IReadOnlyList<JsonElement>? OptionalList(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : throw Error(name, $"must be a list, got {value.GetRawText()}");
    }

    /// <summary>A bound: a number, a date string or a string; <see langword="null"/> when absent.</summary>
    public JsonElement? Bound(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind is JsonValueKind.Number or JsonValueKind.String
            ? value
            : throw Error(name, $"must be a number or a string, got {value.GetRawText()}");
    }

    /// <summary>Reads <c>min_value</c>/<c>max_value</c> with <c>strict_min</c>/<c>strict_max</c>; at least one bound, min ≤ max.</summary>
    public Bounds Bounds(bool allowStrict = true, bool requireOne = true)
    {
        var min = Bound("min_value");
        var max = Bound("max_value");
        var strictMin = allowStrict && Boolean("strict_min", false);
        var strictMax = allowStrict && Boolean("strict_max", false);
        if (requireOne && min is null && max is null)
        {
            throw Error("min_value", "and 'max_value' cannot both be null: give at least one bound");
        }

        if (min is { ValueKind: JsonValueKind.Number } a && max is { ValueKind: JsonValueKind.Number } b && a.GetDouble() > b.GetDouble())
        {
            throw Error("min_value", $"({a.GetRawText()}) is greater than 'max_value' ({b.GetRawText()})");
        }

        if (min is { ValueKind: JsonValueKind.String } s && max is { ValueKind: JsonValueKind.String } t
            && Data.TextValues.TryParseDateTime(s.GetString(), out var sd) && Data.TextValues.TryParseDateTime(t.GetString(), out var td) && sd > td)
        {
            throw Error("min_value", $"({s.GetRawText()}) is later than 'max_value' ({t.GetRawText()})");
        }

        return new Bounds(min, max, strictMin, strictMax);
    }

    public double? Mostly()
    {
        var mostly = OptionalNumber("mostly");
        return mostly is null or (>= 0 and <= 1) ? mostly : throw Error("mostly", $"must be between 0 and 1, got {mostly}");
    }

    /// <summary>Fails on any argument the expectation did not read (a typo such as <c>min</c> for <c>min_value</c>).</summary>
    public void EnsureAllKnown()
    {
        foreach (var name in _expectation.Kwargs.Keys)
        {
            if (!_read.Contains(name) && !Ignored.Contains(name))
            {
                throw Error(name, $"is not an argument of {_expectation.Type}; its arguments are: {string.Join(", ", _read.Order(StringComparer.Ordinal))}");
            }
        }
    }
}

/// <summary>Bounds as given in a suite; compared in the column's domain when the column's type is known.</summary>
internal sealed record Bounds(JsonElement? Min, JsonElement? Max, bool StrictMin, bool StrictMax);
