using System.Globalization;

namespace Mlops.Tracking.Search;

/// <summary>What a filter clause or ordering refers to.</summary>
public enum SearchEntity
{
    /// <summary>The latest value of a metric (<c>metrics.rmse</c>).</summary>
    Metric,

    /// <summary>A param (<c>params.trainer</c>).</summary>
    Param,

    /// <summary>A tag (<c>tags.stage</c>).</summary>
    Tag,

    /// <summary>A run attribute (<c>attributes.status</c>): see <see cref="RunAttributes"/>.</summary>
    Attribute,
}

/// <summary>A comparison operator of the filter language.</summary>
public enum FilterOperator
{
    /// <summary><c>=</c></summary>
    Equal,

    /// <summary><c>!=</c></summary>
    NotEqual,

    /// <summary><c>&lt;</c></summary>
    LessThan,

    /// <summary><c>&lt;=</c></summary>
    LessThanOrEqual,

    /// <summary><c>&gt;</c></summary>
    GreaterThan,

    /// <summary><c>&gt;=</c></summary>
    GreaterThanOrEqual,

    /// <summary><c>LIKE</c>: case-sensitive, <c>%</c> any text, <c>_</c> one character.</summary>
    Like,

    /// <summary><c>ILIKE</c>: as LIKE, ignoring case.</summary>
    ILike,
}

/// <summary>The run attributes a filter or ordering may name.</summary>
public static class RunAttributes
{
    /// <summary>The run's id (text).</summary>
    public const string RunId = "run_id";

    /// <summary>The run's name (text).</summary>
    public const string RunName = "run_name";

    /// <summary>The run's status, such as <c>FINISHED</c> (text).</summary>
    public const string Status = "status";

    /// <summary>The start time, Unix milliseconds (number).</summary>
    public const string StartTime = "start_time";

    /// <summary>The end time, Unix milliseconds (number).</summary>
    public const string EndTime = "end_time";

    internal static bool IsNumeric(string attribute) => attribute is StartTime or EndTime;

    internal static string? Canonical(string name) => name.ToLowerInvariant() switch
    {
        "run_id" or "id" => RunId,
        "run_name" or "name" => RunName,
        "status" => Status,
        "start_time" or "created" => StartTime,
        "end_time" => EndTime,
        _ => null,
    };
}

/// <summary>One clause of a filter: <c>entity.key operator value</c>.</summary>
public sealed record FilterClause
{
    /// <summary>What the clause compares.</summary>
    public required SearchEntity Entity { get; init; }

    /// <summary>The metric, param or tag key, or the canonical attribute name.</summary>
    public required string Key { get; init; }

    /// <summary>The comparison.</summary>
    public required FilterOperator Operator { get; init; }

    /// <summary>The value compared with, for metrics and numeric attributes.</summary>
    public double? Number { get; init; }

    /// <summary>The value compared with, for params, tags and text attributes.</summary>
    public string? Text { get; init; }

    /// <summary>Where the clause starts in the filter text (1-based).</summary>
    public int Position { get; init; }
}

/// <summary>
/// A parsed search filter: clauses that must all hold. Parse MLflow's language with <see cref="Parse"/>;
/// stores translate the clauses to parameterised queries, never to text with values in it.
/// </summary>
public sealed record RunFilter
{
    /// <summary>The filter that matches every run.</summary>
    public static RunFilter Empty { get; } = new() { Clauses = [] };

    /// <summary>The clauses, all of which must hold.</summary>
    public required IReadOnlyList<FilterClause> Clauses { get; init; }

    /// <summary>
    /// Parses a filter such as <c>metrics.rmse &lt; 3 and params.trainer = 'sdca' and tags.`my tag` LIKE 'exp%'</c>.
    /// An empty or null text gives <see cref="Empty"/>.
    /// </summary>
    /// <exception cref="TrackingException">The text is not a valid filter; the message gives the position and what was expected.</exception>
    public static RunFilter Parse(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return Empty;
        }

        var parser = new FilterParser(filter);
        return new RunFilter { Clauses = parser.ParseClauses() };
    }
}

/// <summary>One ordering of a search: an entity's key and a direction. Runs without a value, and NaN metrics, come last.</summary>
public sealed record RunOrdering
{
    /// <summary>What to order by.</summary>
    public required SearchEntity Entity { get; init; }

    /// <summary>The metric, param or tag key, or the canonical attribute name.</summary>
    public required string Key { get; init; }

    /// <summary>Descending instead of ascending.</summary>
    public bool Descending { get; init; }

    /// <summary>Parses an ordering such as <c>metrics.rmse ASC</c>, <c>attributes.start_time DESC</c> or <c>params.`learning rate`</c>.</summary>
    /// <exception cref="TrackingException">The text is not a valid ordering.</exception>
    public static RunOrdering Parse(string orderBy)
    {
        ArgumentNullException.ThrowIfNull(orderBy);
        return new FilterParser(orderBy, "ordering").ParseOrdering();
    }
}

internal enum TokenKind
{
    Word,
    QuotedKey,
    String,
    Number,
    Operator,
    Dot,
    End,
}

internal readonly record struct Token(TokenKind Kind, string Text, int Position);

/// <summary>Splits a filter into tokens; positions are 1-based.</summary>
internal static class FilterTokenizer
{
    public static List<Token> Tokenize(string text, string what)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            if (c is '\'' or '"' or '`')
            {
                var value = ReadQuoted(text, ref i, what);
                tokens.Add(new Token(c == '\'' ? TokenKind.String : c == '`' ? TokenKind.QuotedKey : TokenKind.String, value, start + 1));
                if (c == '"')
                {
                    // A double-quoted text is a key right after a dot, a value elsewhere: the parser decides.
                    tokens[^1] = tokens[^1] with { Kind = tokens.Count > 1 && tokens[^2].Kind == TokenKind.Dot ? TokenKind.QuotedKey : TokenKind.String };
                }
            }
            else if (c is '<' or '>' or '=' or '!')
            {
                i++;
                if (i < text.Length && text[i] == '=' && c != '=')
                {
                    i++;
                }
                else if (c == '=' && i < text.Length && text[i] == '=')
                {
                    i++;
                }

                var op = text[start..i];
                if (op == "!")
                {
                    throw FilterParser.Error(text, what, start + 1, "'!=' (a lone '!' is not an operator)", "'!'");
                }

                tokens.Add(new Token(TokenKind.Operator, op == "==" ? "=" : op, start + 1));
            }
            else if (c == '.' && !(i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]) && (tokens.Count == 0 || tokens[^1].Kind == TokenKind.Operator)))
            {
                i++;
                tokens.Add(new Token(TokenKind.Dot, ".", start + 1));
            }
            else if (char.IsAsciiDigit(c) || c is '-' or '+' or '.')
            {
                i++;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '.' or '+' or '-'))
                {
                    if (text[i] is '+' or '-' && text[i - 1] is not ('e' or 'E'))
                    {
                        break;
                    }

                    i++;
                }

                tokens.Add(new Token(TokenKind.Number, text[start..i], start + 1));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                i++;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '-' or '/' or ':'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Word, text[start..i], start + 1));
            }
            else if (c is '(' or ')' or ',')
            {
                throw FilterParser.Error(text, what, start + 1, "a clause such as metrics.rmse < 3 (parentheses, OR and IN are not supported)", $"'{c}'");
            }
            else
            {
                throw FilterParser.Error(text, what, start + 1, "a key, an operator or a value", $"'{c}'");
            }
        }

        tokens.Add(new Token(TokenKind.End, "", text.Length + 1));
        return tokens;
    }

    private static string ReadQuoted(string text, ref int i, string what)
    {
        var quote = text[i];
        var start = i;
        i++;
        var value = new System.Text.StringBuilder();
        while (i < text.Length)
        {
            if (text[i] == quote)
            {
                // A doubled quote stands for itself, as in SQL.
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    value.Append(quote);
                    i += 2;
                    continue;
                }

                i++;
                return value.ToString();
            }

            value.Append(text[i]);
            i++;
        }

        throw FilterParser.Error(text, what, start + 1, $"a closing {quote}", "the end of the text");
    }
}

/// <summary>A recursive-descent parser over the tokens: <c>clause (AND clause)*</c>.</summary>
internal sealed class FilterParser
{
    private readonly string _text;
    private readonly string _what;
    private readonly List<Token> _tokens;
    private int _index;

    public FilterParser(string text, string what = "filter")
    {
        _text = text;
        _what = what;
        _tokens = FilterTokenizer.Tokenize(text, what);
    }

    private Token Current => _tokens[_index];

    public static TrackingException Error(string text, string what, int position, string expected, string found) =>
        new(TrackingErrorCode.InvalidQuery, $"Invalid search {what} at position {position}: expected {expected}, found {found}. The {what} was: {text}");

    public List<FilterClause> ParseClauses()
    {
        var clauses = new List<FilterClause> { ParseClause() };
        while (Current.Kind != TokenKind.End)
        {
            if (Current.Kind == TokenKind.Word && Current.Text.Equals("and", StringComparison.OrdinalIgnoreCase))
            {
                _index++;
                clauses.Add(ParseClause());
            }
            else if (Current.Kind == TokenKind.Word && Current.Text.Equals("or", StringComparison.OrdinalIgnoreCase))
            {
                throw Fail("AND (OR is not supported: run one search per alternative)");
            }
            else
            {
                throw Fail("AND or the end of the filter");
            }
        }

        return clauses;
    }

    public RunOrdering ParseOrdering()
    {
        var (entity, key, _) = ParseIdentifier(allowBareAttribute: true);
        var descending = false;
        if (Current.Kind == TokenKind.Word && Current.Text.Equals("desc", StringComparison.OrdinalIgnoreCase))
        {
            descending = true;
            _index++;
        }
        else if (Current.Kind == TokenKind.Word && Current.Text.Equals("asc", StringComparison.OrdinalIgnoreCase))
        {
            _index++;
        }

        if (Current.Kind != TokenKind.End)
        {
            throw Fail("ASC, DESC or the end of the ordering");
        }

        return new RunOrdering { Entity = entity, Key = key, Descending = descending };
    }

    private FilterClause ParseClause()
    {
        var (entity, key, position) = ParseIdentifier(allowBareAttribute: false);
        var op = ParseOperator(entity, key);
        var valueToken = Current;
        var numeric = entity == SearchEntity.Metric || (entity == SearchEntity.Attribute && RunAttributes.IsNumeric(key));
        if (numeric)
        {
            if (op is FilterOperator.Like or FilterOperator.ILike)
            {
                throw Error(_text, _what, position, $"=, !=, <, <=, > or >= for the number {Describe(entity, key)}", op.ToString().ToUpperInvariant());
            }

            if (valueToken.Kind != TokenKind.Number ||
                !double.TryParse(valueToken.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                throw Fail($"a number to compare {Describe(entity, key)} with");
            }

            _index++;
            return new FilterClause { Entity = entity, Key = key, Operator = op, Number = number, Position = position };
        }

        if (op is not (FilterOperator.Equal or FilterOperator.NotEqual or FilterOperator.Like or FilterOperator.ILike))
        {
            throw Error(_text, _what, position, $"=, !=, LIKE or ILIKE for the text {Describe(entity, key)}", OperatorText(op));
        }

        if (valueToken.Kind != TokenKind.String)
        {
            throw Fail($"a quoted string ('…') to compare {Describe(entity, key)} with");
        }

        _index++;
        return new FilterClause { Entity = entity, Key = key, Operator = op, Text = valueToken.Text, Position = position };
    }

    private (SearchEntity Entity, string Key, int Position) ParseIdentifier(bool allowBareAttribute)
    {
        var start = Current;
        if (start.Kind != TokenKind.Word)
        {
            throw Fail("an identifier such as metrics.rmse, params.trainer, tags.stage or attributes.status");
        }

        // The tokenizer keeps letters, digits, '_', '-', '/', ':' in a word; the entity ends at the first dot.
        SearchEntity? entity = start.Text.ToLowerInvariant() switch
        {
            "metric" or "metrics" => SearchEntity.Metric,
            "param" or "params" or "parameter" or "parameters" => SearchEntity.Param,
            "tag" or "tags" => SearchEntity.Tag,
            "attribute" or "attributes" or "attr" or "run" => SearchEntity.Attribute,
            _ => null,
        };

        if (entity is null)
        {
            if (allowBareAttribute && RunAttributes.Canonical(start.Text) is { } bare)
            {
                _index++;
                return (SearchEntity.Attribute, bare, start.Position);
            }

            throw Fail("an identifier starting with metrics., params., tags. or attributes.");
        }

        _index++;
        if (Current.Kind != TokenKind.Dot)
        {
            throw Fail($"'.' and a key after '{start.Text}'");
        }

        _index++;
        string key;
        if (Current.Kind == TokenKind.QuotedKey)
        {
            key = Current.Text;
            _index++;
        }
        else if (Current.Kind is TokenKind.Word or TokenKind.Number)
        {
            // A bare key runs on through dots: metrics.val.rmse is the metric 'val.rmse'.
            var builder = new System.Text.StringBuilder(Current.Text);
            _index++;
            while (Current.Kind == TokenKind.Dot && _tokens[_index + 1].Kind is TokenKind.Word or TokenKind.Number &&
                   _tokens[_index + 1].Position == Current.Position + 1)
            {
                builder.Append('.').Append(_tokens[_index + 1].Text);
                _index += 2;
            }

            key = builder.ToString();
        }
        else
        {
            throw Fail($"a key after '{start.Text}.' (put keys with spaces or symbols in backticks: {start.Text}.`my key`)");
        }

        if (key.Length == 0)
        {
            throw Error(_text, _what, start.Position, "a non-empty key", "an empty key");
        }

        if (entity == SearchEntity.Attribute)
        {
            key = RunAttributes.Canonical(key)
                  ?? throw Error(_text, _what, start.Position, "one of the attributes run_id, run_name, status, start_time, end_time", $"'{key}'");
        }

        return (entity.Value, key, start.Position);
    }

    private FilterOperator ParseOperator(SearchEntity entity, string key)
    {
        var token = Current;
        FilterOperator? op = token.Kind switch
        {
            TokenKind.Operator => token.Text switch
            {
                "=" => FilterOperator.Equal,
                "!=" => FilterOperator.NotEqual,
                "<" => FilterOperator.LessThan,
                "<=" => FilterOperator.LessThanOrEqual,
                ">" => FilterOperator.GreaterThan,
                ">=" => FilterOperator.GreaterThanOrEqual,
                _ => null,
            },
            TokenKind.Word when token.Text.Equals("like", StringComparison.OrdinalIgnoreCase) => FilterOperator.Like,
            TokenKind.Word when token.Text.Equals("ilike", StringComparison.OrdinalIgnoreCase) => FilterOperator.ILike,
            _ => null,
        };

        if (op is null)
        {
            throw Fail($"a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE) after {Describe(entity, key)}");
        }

        _index++;
        return op.Value;
    }

    private TrackingException Fail(string expected) =>
        Error(_text, _what, Current.Position, expected, Current.Kind == TokenKind.End ? "the end of the text" : $"'{Current.Text}'");

    private static string Describe(SearchEntity entity, string key) => entity switch
    {
        SearchEntity.Metric => $"metrics.{key}",
        SearchEntity.Param => $"params.{key}",
        SearchEntity.Tag => $"tags.{key}",
        _ => $"attributes.{key}",
    };

    private static string OperatorText(FilterOperator op) => op switch
    {
        FilterOperator.LessThan => "'<'",
        FilterOperator.LessThanOrEqual => "'<='",
        FilterOperator.GreaterThan => "'>'",
        FilterOperator.GreaterThanOrEqual => "'>='",
        _ => op.ToString(),
    };
}
