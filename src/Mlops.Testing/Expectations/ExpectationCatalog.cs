using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mlops.Testing.Data;
using Mlops.Testing.Evaluation;

namespace Mlops.Testing.Expectations;

/// <summary>
/// The supported expectation types, by GX name. Compiling an expectation checks its arguments once (when the suite is
/// built or read) and returns a factory of evaluators, one per validation run.
/// </summary>
internal static class ExpectationCatalog
{
    private static readonly Dictionary<string, Func<KwargReader, Func<ExpectationEvaluator>>> Definitions = new(StringComparer.Ordinal)
    {
        // Table expectations.
        ["expect_table_row_count_to_be_between"] = k =>
        {
            var b = k.Bounds();
            var min = Number(k, b.Min, "min_value");
            var max = Number(k, b.Max, "max_value");
            return () => new RowCountEvaluator(n => Domain.InRange((double)n, min, max, b.StrictMin, b.StrictMax));
        },
        ["expect_table_row_count_to_equal"] = k =>
        {
            var value = k.RequiredInteger("value");
            return () => new RowCountEvaluator(n => n == value);
        },
        ["expect_table_row_count_to_equal_other_table"] = k => throw k.Error("compares with another table, which a single data source cannot do"),
        ["expect_table_column_count_to_equal"] = k =>
        {
            var value = k.RequiredInteger("value");
            return () => new SchemaEvaluator(s => Observed(s.Columns.Count == value, (long)s.Columns.Count));
        },
        ["expect_table_column_count_to_be_between"] = k =>
        {
            var b = k.Bounds(allowStrict: true);
            var min = Number(k, b.Min, "min_value");
            var max = Number(k, b.Max, "max_value");
            return () => new SchemaEvaluator(s => Observed(Domain.InRange((double)s.Columns.Count, min, max, b.StrictMin, b.StrictMax), (long)s.Columns.Count));
        },
        ["expect_table_columns_to_match_set"] = k =>
        {
            var expected = k.ColumnList("column_set", minimum: 0);
            var exact = k.Boolean("exact_match", true);
            return () => new SchemaEvaluator(s =>
            {
                var actual = s.Names.ToList();
                var unexpected = actual.Except(expected, StringComparer.Ordinal).ToList();
                var missing = expected.Except(actual, StringComparer.Ordinal).ToList();
                var success = missing.Count == 0 && (!exact || unexpected.Count == 0);
                return new Outcome(success, new ExpectationResultDetails
                {
                    ObservedValue = actual,
                    Details = success ? null : new Dictionary<string, object?> { ["mismatched"] = new Dictionary<string, object?> { ["unexpected"] = unexpected, ["missing"] = missing } },
                });
            });
        },
        ["expect_table_columns_to_match_ordered_list"] = k =>
        {
            var expected = k.ColumnList("column_list", minimum: 0);
            return () => new SchemaEvaluator(s =>
            {
                var actual = s.Names.ToList();
                var success = actual.SequenceEqual(expected, StringComparer.Ordinal);
                var mismatched = new List<object?>();
                for (var i = 0; i < Math.Max(actual.Count, expected.Count); i++)
                {
                    var found = i < actual.Count ? actual[i] : null;
                    var wanted = i < expected.Count ? expected[i] : null;
                    if (!string.Equals(found, wanted, StringComparison.Ordinal))
                    {
                        mismatched.Add(new Dictionary<string, object?> { ["Expected Column Position"] = i, ["Expected"] = wanted, ["Found"] = found });
                    }
                }

                return new Outcome(success, new ExpectationResultDetails
                {
                    ObservedValue = actual,
                    Details = success ? null : new Dictionary<string, object?> { ["mismatched"] = mismatched },
                });
            });
        },
        ["expect_column_to_exist"] = k =>
        {
            var column = k.Column();
            var index = k.OptionalInteger("column_index");
            return () => new SchemaEvaluator(s =>
            {
                var position = s.IndexOf(column);
                var success = position >= 0 && (index is null || position == index);
                return new Outcome(success, new ExpectationResultDetails { ObservedValue = position >= 0 ? position : null });
            });
        },

        // Column map expectations.
        ["expect_column_values_to_not_be_null"] = k => { var c = k.Column(); var m = k.Mostly(); return () => new NullEvaluator(c, m, expectNull: false); },
        ["expect_column_values_to_be_null"] = k => { var c = k.Column(); var m = k.Mostly(); return () => new NullEvaluator(c, m, expectNull: true); },
        ["expect_column_values_to_be_between"] = k =>
        {
            var c = k.Column();
            var b = k.Bounds();
            var m = k.Mostly();
            return () => new ColumnMapEvaluator(c, m, col => Domain.Between(col, b));
        },
        ["expect_column_values_to_be_in_set"] = k => SetMap(k, expectIn: true),
        ["expect_column_values_to_not_be_in_set"] = k => SetMap(k, expectIn: false),
        ["expect_column_values_to_be_unique"] = k => { var c = k.Column(); var m = k.Mostly(); return () => new UniqueEvaluator(c, m); },
        ["expect_column_values_to_match_regex"] = k => RegexMap(k, expectMatch: true),
        ["expect_column_values_to_not_match_regex"] = k => RegexMap(k, expectMatch: false),
        ["expect_column_values_to_match_regex_list"] = k => RegexListMap(k, expectMatch: true),
        ["expect_column_values_to_not_match_regex_list"] = k => RegexListMap(k, expectMatch: false),
        ["expect_column_value_lengths_to_be_between"] = k =>
        {
            var c = k.Column();
            var b = k.Bounds(allowStrict: false);
            var min = Number(k, b.Min, "min_value");
            var max = Number(k, b.Max, "max_value");
            var m = k.Mostly();
            return () => new ColumnMapEvaluator(c, m, col => Domain.Strings(col, "Value lengths", v => Domain.InRange((double)Domain.CodePointLength(v), min, max, false, false)));
        },
        ["expect_column_value_lengths_to_equal"] = k =>
        {
            var c = k.Column();
            var value = k.RequiredInteger("value");
            var m = k.Mostly();
            return () => new ColumnMapEvaluator(c, m, col => Domain.Strings(col, "Value lengths", v => Domain.CodePointLength(v) == value));
        },
        ["expect_column_values_to_be_increasing"] = k => Monotonic(k, increasing: true),
        ["expect_column_values_to_be_decreasing"] = k => Monotonic(k, increasing: false),

        ["expect_column_value_z_scores_to_be_less_than"] = k =>
        {
            var c = k.Column();
            var threshold = k.RequiredNumber("threshold");
            var doubleSided = k.Boolean("double_sided", false);
            var m = k.Mostly();
            return () => new ZScoreEvaluator(c, threshold, doubleSided, m);
        },
        ["expect_column_values_to_be_of_type"] = k =>
        {
            var c = k.Column();
            var type = k.RequiredString("type_");
            _ = k.Mostly();
            return () => new SchemaEvaluator(s => TypeCheck(s, c, [type]));
        },
        ["expect_column_values_to_be_in_type_list"] = k =>
        {
            var c = k.Column();
            var list = k.RequiredList("type_list").Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw k.Error("type_list", $"must list type names, got {e.GetRawText()}")).ToArray();
            _ = k.Mostly();
            return () => new SchemaEvaluator(s => TypeCheck(s, c, list));
        },

        // Column aggregate expectations.
        ["expect_column_min_to_be_between"] = k => StatisticBetween(k, Statistic.Min),
        ["expect_column_max_to_be_between"] = k => StatisticBetween(k, Statistic.Max),
        ["expect_column_mean_to_be_between"] = k => StatisticBetween(k, Statistic.Mean),
        ["expect_column_sum_to_be_between"] = k => StatisticBetween(k, Statistic.Sum),
        ["expect_column_stdev_to_be_between"] = k => StatisticBetween(k, Statistic.StandardDeviation),
        ["expect_column_median_to_be_between"] = k =>
        {
            var c = k.Column();
            var b = k.Bounds();
            return () => new SortedValuesEvaluator(c, (values, n, col) =>
            {
                var median = SortedValuesEvaluator.Median(values, n);
                return new Outcome(Domain.ObservedInRange(median, b, col), new ExpectationResultDetails { ObservedValue = median });
            });
        },
        ["expect_column_quantile_values_to_be_between"] = QuantileValues,
        ["expect_column_unique_value_count_to_be_between"] = k =>
        {
            var c = k.Column();
            var b = k.Bounds();
            return () => new DistinctValuesEvaluator(c, (d, col) =>
                new Outcome(Domain.ObservedInRange((long)d.Counts.Count, b, col), new ExpectationResultDetails { ObservedValue = (long)d.Counts.Count }));
        },
        ["expect_column_proportion_of_unique_values_to_be_between"] = k =>
        {
            var c = k.Column();
            var b = k.Bounds();
            return () => new DistinctValuesEvaluator(c, (d, col) =>
            {
                double? proportion = d.NonMissing == 0 ? null : (double)d.Counts.Count / d.NonMissing;
                return new Outcome(Domain.ObservedInRange(proportion, b, col), new ExpectationResultDetails { ObservedValue = proportion });
            });
        },
        ["expect_column_distinct_values_to_be_in_set"] = k => DistinctSet(k, (observed, set) => set is null || observed.IsSubsetOf(set), requireSet: false),
        ["expect_column_distinct_values_to_contain_set"] = k => DistinctSet(k, (observed, set) => observed.IsSupersetOf(set!), requireSet: true),
        ["expect_column_distinct_values_to_equal_set"] = k => DistinctSet(k, (observed, set) => observed.SetEquals(set!), requireSet: true),
        ["expect_column_most_common_value_to_be_in_set"] = k =>
        {
            var c = k.Column();
            var valueSet = k.RequiredList("value_set");
            var tiesOkay = k.Boolean("ties_okay", false);
            return () => new DistinctValuesEvaluator(c, (d, col) =>
            {
                var top = d.Counts.Count == 0 ? 0 : d.Counts.Max(x => x.Count);
                var modes = d.Counts.Where(x => x.Count == top && top > 0).Select(x => x.Value).Order(ValueComparer.Instance).ToList();
                var set = ToSet(valueSet, col);
                var intersection = modes.Count(v => set.Contains(Domain.Normalize(v)));
                var success = tiesOkay ? intersection > 0 : modes.Count == 1 && intersection == 1;
                return new Outcome(success, new ExpectationResultDetails { ObservedValue = modes });
            });
        },

        // Distributional expectations (numerics in Statistics/, matching scipy 1.10).
        ["expect_column_kl_divergence_to_be_less_than"] = KlDivergence.Compile,
        ["expect_column_chisquare_test_p_value_to_be_greater_than"] = ChiSquareExpectation.Compile,
        ["expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than"] = ParameterizedKsExpectation.Compile,

        // Multi-column expectations.
        ["expect_column_pair_values_a_to_be_greater_than_b"] = k =>
        {
            var a = k.Column("column_A");
            var b = k.Column("column_B");
            var orEqual = k.Boolean("or_equal", false);
            var ignore = k.Choice("ignore_row_if", "both_values_are_missing", "both_values_are_missing", "either_value_is_missing", "neither");
            var m = k.Mostly();
            return () => new ColumnPairEvaluator(a, b, ignore, m, (x, y) => ColumnPairEvaluator.Compare(x, y, c => orEqual ? c >= 0 : c > 0));
        },
        ["expect_column_pair_values_to_be_equal"] = k =>
        {
            var a = k.Column("column_A");
            var b = k.Column("column_B");
            var ignore = k.Choice("ignore_row_if", "both_values_are_missing", "both_values_are_missing", "either_value_is_missing", "neither");
            var m = k.Mostly();
            return () => new ColumnPairEvaluator(a, b, ignore, m, (x, y) => ColumnPairEvaluator.Compare(x, y, c => c == 0));
        },
        ["expect_compound_columns_to_be_unique"] = k =>
        {
            var columns = k.ColumnList("column_list", minimum: 1);
            var ignore = k.Choice("ignore_row_if", "all_values_are_missing", "all_values_are_missing", "any_value_is_missing", "never");
            var m = k.Mostly();
            return () => new CompoundUniqueEvaluator(columns, ignore, m);
        },
        ["expect_multicolumn_sum_to_equal"] = k =>
        {
            var columns = k.ColumnList("column_list", minimum: 1);
            var total = k.RequiredNumber("sum_total");
            var ignore = k.Choice("ignore_row_if", "all_values_are_missing", "all_values_are_missing", "any_value_is_missing", "never");
            var m = k.Mostly();
            return () => new MulticolumnSumEvaluator(columns, total, ignore, m);
        },
    };

    /// <summary>The supported GX expectation types, sorted.</summary>
    public static IReadOnlyList<string> SupportedTypes { get; } = [.. Definitions.Keys.Where(k => k != "expect_table_row_count_to_equal_other_table").Order(StringComparer.Ordinal)];

    /// <summary>Checks an expectation's type and arguments; returns a factory of fresh evaluators.</summary>
    /// <exception cref="DataTestingException">For an unsupported type or an invalid argument, naming it.</exception>
    public static Func<ExpectationEvaluator> Compile(Expectation expectation, int position)
    {
        if (!Definitions.TryGetValue(expectation.Type, out var definition))
        {
            throw new DataTestingException(
                $"Expectation #{position + 1}: the expectation type '{expectation.Type}' is not supported. " +
                $"Remove it from the suite or replace it; the supported types are: {string.Join(", ", SupportedTypes)}.");
        }

        var reader = new KwargReader(expectation, position);
        Func<ExpectationEvaluator> factory;
        try
        {
            factory = definition(reader);
        }
        catch (DataTestingException)
        {
            // A misspelt argument (min for min_value) explains the failure better than the argument found missing.
            var typo = expectation.Kwargs.Keys.FirstOrDefault(k => !KnownArguments.Contains(k) && !KwargReader.IsIgnored(k));
            if (typo is not null)
            {
                throw reader.Error(typo, $"is not an argument of {expectation.Type}");
            }

            throw;
        }

        reader.EnsureAllKnown();
        return factory;
    }

    // Every argument name any supported expectation reads.
    private static readonly HashSet<string> KnownArguments = new(StringComparer.Ordinal)
    {
        "column", "mostly", "min_value", "max_value", "strict_min", "strict_max", "value", "value_set", "regex", "regex_list",
        "match_on", "column_set", "exact_match", "column_list", "column_index", "strictly", "quantile_ranges",
        "allow_relative_error", "ties_okay", "column_A", "column_B", "or_equal", "ignore_row_if", "sum_total", "row_condition",
        "threshold", "double_sided", "type_", "type_list", "partition_object", "internal_weight_holdout", "tail_weight_holdout",
        "bucketize_data", "p", "distribution", "p_value", "params",
    };

    // Type names users write in GX suites (pandas dtypes, Python, Spark and SQL names), by the column type they accept.
    private static readonly Dictionary<ColumnType, string[]> TypeNames = new()
    {
        [ColumnType.Double] = ["float64", "float", "float32", "double", "number", "numeric", "real", "decimal", "FloatType", "DoubleType", "DecimalType", "np.float64"],
        [ColumnType.Int64] = ["int64", "int", "int32", "int16", "long", "integer", "bigint", "IntegerType", "LongType", "np.int64"],
        [ColumnType.Boolean] = ["bool", "boolean", "BooleanType", "np.bool_"],
        [ColumnType.String] = ["str", "string", "object", "StringType", "varchar", "text", "char"],
        [ColumnType.DateTime] = ["datetime64[ns]", "datetime64", "datetime", "Timestamp", "TimestampType", "timestamp", "date", "DateType"],
    };

    private static Outcome TypeCheck(DataSchema schema, string column, IReadOnlyList<string> accepted)
    {
        var type = schema.TryGetColumn(column, out var c) ? c.Type : throw new EvaluationException($"The column '{column}' does not exist; the columns are: {string.Join(", ", schema.Names)}.");
        var names = TypeNames[type];
        var success = accepted.Any(a => names.Contains(a, StringComparer.OrdinalIgnoreCase));
        return new Outcome(success, new ExpectationResultDetails { ObservedValue = names[0] });
    }

    private static Outcome Observed(bool success, object? observed) => new(success, new ExpectationResultDetails { ObservedValue = observed });

    private static double? Number(KwargReader k, JsonElement? bound, string name) =>
        bound is not { } b ? null
        : b.ValueKind == JsonValueKind.Number ? b.GetDouble()
        : throw k.Error(name, $"must be a number, got {b.GetRawText()}");

    private static Func<ExpectationEvaluator> SetMap(KwargReader k, bool expectIn)
    {
        var c = k.Column();
        var set = k.RequiredList("value_set");
        var m = k.Mostly();
        return () => new ColumnMapEvaluator(c, m, col => Domain.InSet(col, set, expectIn));
    }

    private static Regex CreateRegex(KwargReader k, string argument, string pattern)
    {
        try
        {
            // Compiled: a suite's regex is built once and matched against every row (interpreted matching costs several
            // times more per value than the one-off compilation).
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(5));
        }
        catch (ArgumentException e)
        {
            throw k.Error(argument, $"is not a valid regular expression ({e.Message})");
        }
    }

    private static Func<ExpectationEvaluator> RegexMap(KwargReader k, bool expectMatch)
    {
        var c = k.Column();
        var regex = CreateRegex(k, "regex", k.RequiredString("regex"));
        var m = k.Mostly();
        // Like GX on pandas (str.contains): the pattern may match anywhere in the value; anchor it with ^…$ for a full match.
        return () => new ColumnMapEvaluator(c, m, col => Domain.Strings(col, "Regular expressions", [MethodImpl(MethodImplOptions.AggressiveOptimization)] (v) => regex.IsMatch(v) == expectMatch));
    }

    private static Func<ExpectationEvaluator> RegexListMap(KwargReader k, bool expectMatch)
    {
        var c = k.Column();
        var list = k.RequiredList("regex_list");
        var regexes = list.Select(e => CreateRegex(k, "regex_list", e.ValueKind == JsonValueKind.String ? e.GetString()! : throw k.Error("regex_list", $"must list strings, got {e.GetRawText()}"))).ToArray();
        if (regexes.Length == 0)
        {
            throw k.Error("regex_list", "must list at least one regular expression");
        }

        var matchOn = expectMatch ? k.Choice("match_on", "any", "any", "all") : "any";
        var m = k.Mostly();
        Func<string, bool> test = expectMatch
            ? matchOn == "any" ? v => regexes.Any(r => r.IsMatch(v)) : v => regexes.All(r => r.IsMatch(v))
            : v => !regexes.Any(r => r.IsMatch(v));
        return () => new ColumnMapEvaluator(c, m, col => Domain.Strings(col, "Regular expressions", test));
    }

    private static Func<ExpectationEvaluator> Monotonic(KwargReader k, bool increasing)
    {
        var c = k.Column();
        var strictly = k.Boolean("strictly", false);
        var m = k.Mostly();
        return () => new ColumnMapEvaluator(c, m, col =>
        {
            // Each present value is compared with the previous present value (pandas' diff over the non-missing values).
            bool Accept(int comparison) => increasing ? (strictly ? comparison > 0 : comparison >= 0) : (strictly ? comparison < 0 : comparison <= 0);
            return col.Type switch
            {
                ColumnType.Double => Stateful<double>((v, p) => Accept(v.CompareTo(p))),
                ColumnType.Int64 => Stateful<long>((v, p) => Accept(v.CompareTo(p))),
                ColumnType.DateTime => Stateful<DateTime>((v, p) => Accept(v.CompareTo(p))),
                _ => throw new EvaluationException($"The column '{col.Name}' is {col.Type}; increasing and decreasing apply to numeric and date columns."),
            };
        });

        static RowTest Stateful<T>(Func<T, T, bool> accept)
        {
            var first = true;
            T previous = default!;
            return new RowTest<T>(v =>
            {
                var ok = first || accept(v, previous);
                first = false;
                previous = v;
                return ok;
            });
        }
    }

    private static Func<ExpectationEvaluator> StatisticBetween(KwargReader k, Statistic statistic)
    {
        var c = k.Column();
        var b = k.Bounds();
        return () => new StatisticEvaluator(c, statistic, b);
    }

    private static Func<ExpectationEvaluator> QuantileValues(KwargReader k)
    {
        var c = k.Column();
        if (!k.TryGet("quantile_ranges", out var ranges) || ranges.ValueKind != JsonValueKind.Object)
        {
            throw k.Error("quantile_ranges", "is required: an object with 'quantiles' (a list of numbers in [0, 1]) and 'value_ranges' (a [min, max] pair per quantile)");
        }

        _ = k.OptionalNumber("allow_relative_error");
        var quantiles = ranges.TryGetProperty("quantiles", out var q) && q.ValueKind == JsonValueKind.Array
            ? q.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number && e.GetDouble() is >= 0 and <= 1 ? e.GetDouble() : throw k.Error("quantile_ranges", $"has a quantile {e.GetRawText()} that is not a number in [0, 1]")).ToArray()
            : throw k.Error("quantile_ranges", "needs 'quantiles', a list of numbers in [0, 1]");
        var valueRanges = ranges.TryGetProperty("value_ranges", out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Select(pair => pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2
                ? pair.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number ? x.GetDouble() : x.ValueKind == JsonValueKind.Null ? (double?)null : throw k.Error("quantile_ranges", $"has a bound {x.GetRawText()} that is not a number or null")).ToArray()
                : throw k.Error("quantile_ranges", $"has a value range {pair.GetRawText()} that is not a [min, max] pair")).ToArray()
            : throw k.Error("quantile_ranges", "needs 'value_ranges', a [min, max] pair per quantile");
        if (quantiles.Length != valueRanges.Length)
        {
            throw k.Error("quantile_ranges", $"has {quantiles.Length} quantiles but {valueRanges.Length} value ranges");
        }

        foreach (var range in valueRanges)
        {
            if (range[0] is { } lo && range[1] is { } hi && lo > hi)
            {
                throw k.Error("quantile_ranges", $"has a value range [{lo.ToString(CultureInfo.InvariantCulture)}, {hi.ToString(CultureInfo.InvariantCulture)}] whose min is greater than its max");
            }
        }

        return () => new SortedValuesEvaluator(c, (values, n, col) =>
        {
            var observed = quantiles.Select(qt => SortedValuesEvaluator.Quantile(values, n, qt)).ToArray();
            var success = observed.Select((o, i) => o is { } x && Domain.InRange(x, valueRanges[i][0], valueRanges[i][1], false, false)).ToArray();
            return new Outcome(success.All(s => s), new ExpectationResultDetails
            {
                ObservedValue = new Dictionary<string, object?> { ["quantiles"] = quantiles, ["values"] = observed },
                Details = new Dictionary<string, object?> { ["success_details"] = success },
            });
        });
    }

    private static HashSet<object?> ToSet(IReadOnlyList<JsonElement> valueSet, DataColumn column) =>
        [.. valueSet.Select(v => Domain.FromJson(v, column.Type)).Where(v => v is not null)];

    private static Func<ExpectationEvaluator> DistinctSet(KwargReader k, Func<HashSet<object?>, HashSet<object?>?, bool> check, bool requireSet)
    {
        var c = k.Column();
        var valueSet = requireSet ? k.RequiredList("value_set") : k.OptionalList("value_set");
        return () => new DistinctValuesEvaluator(c, (d, col) =>
        {
            var observed = d.Sorted;
            var observedSet = observed.Select(Domain.Normalize).ToHashSet();
            var set = valueSet is null ? null : ToSet(valueSet, col);
            return new Outcome(check(observedSet, set), new ExpectationResultDetails
            {
                ObservedValue = observed,
                Details = set is null ? null : new Dictionary<string, object?>
                {
                    ["value_counts"] = d.Counts.OrderBy(x => x.Value, ValueComparer.Instance).Select(x => new Dictionary<string, object?> { ["value"] = x.Value, ["count"] = x.Count }).ToList(),
                },
            });
        });
    }
}
