using System.Text.Json;

namespace Mlops.Testing;

/// <summary>
/// Builds an <see cref="ExpectationSuite"/> in C#. Each method adds the GX expectation of the same name with its GX
/// arguments; <see cref="Expect(string, object?)"/> adds any supported type by name. <see cref="Build"/> checks them all.
/// </summary>
public sealed class ExpectationSuiteBuilder
{
    private readonly string _name;
    private readonly List<Expectation> _expectations = [];
    private readonly Dictionary<string, JsonElement> _meta = new(StringComparer.Ordinal);

    internal ExpectationSuiteBuilder(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _name = name;
    }

    /// <summary>Adds an expectation.</summary>
    public ExpectationSuiteBuilder Add(Expectation expectation)
    {
        ArgumentNullException.ThrowIfNull(expectation);
        _expectations.Add(expectation);
        return this;
    }

    /// <summary>Adds an expectation by GX type, with keyword arguments as an object (<c>new { column = "x", mostly = 0.9 }</c>).</summary>
    public ExpectationSuiteBuilder Expect(string type, object? kwargs = null) => Add(Expectation.Create(type, kwargs));

    /// <summary>Adds a metadata entry to the suite (GX's <c>meta</c>).</summary>
    public ExpectationSuiteBuilder WithMeta(string key, object? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        _meta[key] = JsonSerializer.SerializeToElement(value);
        return this;
    }

    /// <summary><c>expect_table_row_count_to_be_between</c>.</summary>
    public ExpectationSuiteBuilder ExpectTableRowCountToBeBetween(long? minValue = null, long? maxValue = null) =>
        Add("expect_table_row_count_to_be_between", ("min_value", minValue), ("max_value", maxValue));

    /// <summary><c>expect_table_row_count_to_equal</c>.</summary>
    public ExpectationSuiteBuilder ExpectTableRowCountToEqual(long value) => Add("expect_table_row_count_to_equal", ("value", value));

    /// <summary><c>expect_table_column_count_to_equal</c>.</summary>
    public ExpectationSuiteBuilder ExpectTableColumnCountToEqual(int value) => Add("expect_table_column_count_to_equal", ("value", value));

    /// <summary><c>expect_table_columns_to_match_set</c>.</summary>
    public ExpectationSuiteBuilder ExpectTableColumnsToMatchSet(IEnumerable<string> columnSet, bool exactMatch = true) =>
        Add("expect_table_columns_to_match_set", ("column_set", columnSet?.ToArray()), ("exact_match", exactMatch));

    /// <summary><c>expect_table_columns_to_match_ordered_list</c>.</summary>
    public ExpectationSuiteBuilder ExpectTableColumnsToMatchOrderedList(IEnumerable<string> columnList) =>
        Add("expect_table_columns_to_match_ordered_list", ("column_list", columnList?.ToArray()));

    /// <summary><c>expect_column_to_exist</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnToExist(string column) => Add("expect_column_to_exist", ("column", column));

    /// <summary><c>expect_column_values_to_not_be_null</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnValuesToNotBeNull(string column, double? mostly = null) =>
        Add("expect_column_values_to_not_be_null", ("column", column), ("mostly", mostly));

    /// <summary><c>expect_column_values_to_be_null</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnValuesToBeNull(string column, double? mostly = null) =>
        Add("expect_column_values_to_be_null", ("column", column), ("mostly", mostly));

    /// <summary><c>expect_column_values_to_be_between</c> for numbers (either bound may be open); for dates use <see cref="Expect(string, object?)"/> with ISO 8601 strings.</summary>
    public ExpectationSuiteBuilder ExpectColumnValuesToBeBetween(string column, double? minValue, double? maxValue, bool strictMin = false, bool strictMax = false, double? mostly = null) =>
        Add("expect_column_values_to_be_between", ("column", column), ("min_value", minValue), ("max_value", maxValue), ("strict_min", strictMin ? true : null), ("strict_max", strictMax ? true : null), ("mostly", mostly));

    /// <summary><c>expect_column_values_to_be_in_set</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnValuesToBeInSet<T>(string column, IEnumerable<T> valueSet, double? mostly = null) =>
        Add("expect_column_values_to_be_in_set", ("column", column), ("value_set", valueSet?.ToArray()), ("mostly", mostly));

    /// <summary><c>expect_column_values_to_not_be_in_set</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnValuesToNotBeInSet<T>(string column, IEnumerable<T> valueSet, double? mostly = null) =>
        Add("expect_column_values_to_not_be_in_set", ("column", column), ("value_set", valueSet?.ToArray()), ("mostly", mostly));

    /// <summary><c>expect_column_values_to_be_unique</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnValuesToBeUnique(string column, double? mostly = null) =>
        Add("expect_column_values_to_be_unique", ("column", column), ("mostly", mostly));

    /// <summary><c>expect_column_values_to_match_regex</c> (the pattern may match anywhere in the value, as in GX).</summary>
    public ExpectationSuiteBuilder ExpectColumnValuesToMatchRegex(string column, string regex, double? mostly = null) =>
        Add("expect_column_values_to_match_regex", ("column", column), ("regex", regex), ("mostly", mostly));

    /// <summary><c>expect_column_values_to_not_match_regex</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnValuesToNotMatchRegex(string column, string regex, double? mostly = null) =>
        Add("expect_column_values_to_not_match_regex", ("column", column), ("regex", regex), ("mostly", mostly));

    /// <summary><c>expect_column_value_lengths_to_be_between</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnValueLengthsToBeBetween(string column, int? minValue, int? maxValue, double? mostly = null) =>
        Add("expect_column_value_lengths_to_be_between", ("column", column), ("min_value", minValue), ("max_value", maxValue), ("mostly", mostly));

    /// <summary><c>expect_column_min_to_be_between</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnMinToBeBetween(string column, double? minValue, double? maxValue, bool strictMin = false, bool strictMax = false) =>
        Aggregate("expect_column_min_to_be_between", column, minValue, maxValue, strictMin, strictMax);

    /// <summary><c>expect_column_max_to_be_between</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnMaxToBeBetween(string column, double? minValue, double? maxValue, bool strictMin = false, bool strictMax = false) =>
        Aggregate("expect_column_max_to_be_between", column, minValue, maxValue, strictMin, strictMax);

    /// <summary><c>expect_column_mean_to_be_between</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnMeanToBeBetween(string column, double? minValue, double? maxValue, bool strictMin = false, bool strictMax = false) =>
        Aggregate("expect_column_mean_to_be_between", column, minValue, maxValue, strictMin, strictMax);

    /// <summary><c>expect_column_median_to_be_between</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnMedianToBeBetween(string column, double? minValue, double? maxValue, bool strictMin = false, bool strictMax = false) =>
        Aggregate("expect_column_median_to_be_between", column, minValue, maxValue, strictMin, strictMax);

    /// <summary><c>expect_column_stdev_to_be_between</c> (the sample standard deviation).</summary>
    public ExpectationSuiteBuilder ExpectColumnStdevToBeBetween(string column, double? minValue, double? maxValue, bool strictMin = false, bool strictMax = false) =>
        Aggregate("expect_column_stdev_to_be_between", column, minValue, maxValue, strictMin, strictMax);

    /// <summary><c>expect_column_sum_to_be_between</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnSumToBeBetween(string column, double? minValue, double? maxValue, bool strictMin = false, bool strictMax = false) =>
        Aggregate("expect_column_sum_to_be_between", column, minValue, maxValue, strictMin, strictMax);

    /// <summary><c>expect_column_quantile_values_to_be_between</c>: one <c>[min, max]</c> range per quantile.</summary>
    public ExpectationSuiteBuilder ExpectColumnQuantileValuesToBeBetween(string column, IReadOnlyList<double> quantiles, IReadOnlyList<(double? Min, double? Max)> valueRanges)
    {
        ArgumentNullException.ThrowIfNull(quantiles);
        ArgumentNullException.ThrowIfNull(valueRanges);
        return Add("expect_column_quantile_values_to_be_between", ("column", column), ("quantile_ranges", new Dictionary<string, object>
        {
            ["quantiles"] = quantiles.ToArray(),
            ["value_ranges"] = valueRanges.Select(r => new[] { r.Min, r.Max }).ToArray(),
        }));
    }

    /// <summary><c>expect_column_unique_value_count_to_be_between</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnUniqueValueCountToBeBetween(string column, long? minValue, long? maxValue) =>
        Add("expect_column_unique_value_count_to_be_between", ("column", column), ("min_value", minValue), ("max_value", maxValue));

    /// <summary><c>expect_column_proportion_of_unique_values_to_be_between</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnProportionOfUniqueValuesToBeBetween(string column, double? minValue, double? maxValue) =>
        Add("expect_column_proportion_of_unique_values_to_be_between", ("column", column), ("min_value", minValue), ("max_value", maxValue));

    /// <summary><c>expect_column_distinct_values_to_be_in_set</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnDistinctValuesToBeInSet<T>(string column, IEnumerable<T> valueSet) =>
        Add("expect_column_distinct_values_to_be_in_set", ("column", column), ("value_set", valueSet?.ToArray()));

    /// <summary><c>expect_column_distinct_values_to_contain_set</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnDistinctValuesToContainSet<T>(string column, IEnumerable<T> valueSet) =>
        Add("expect_column_distinct_values_to_contain_set", ("column", column), ("value_set", valueSet?.ToArray()));

    /// <summary><c>expect_column_distinct_values_to_equal_set</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnDistinctValuesToEqualSet<T>(string column, IEnumerable<T> valueSet) =>
        Add("expect_column_distinct_values_to_equal_set", ("column", column), ("value_set", valueSet?.ToArray()));

    /// <summary><c>expect_column_most_common_value_to_be_in_set</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnMostCommonValueToBeInSet<T>(string column, IEnumerable<T> valueSet, bool tiesOkay = false) =>
        Add("expect_column_most_common_value_to_be_in_set", ("column", column), ("value_set", valueSet?.ToArray()), ("ties_okay", tiesOkay ? true : null));

    /// <summary><c>expect_column_pair_values_a_to_be_greater_than_b</c>.</summary>
    public ExpectationSuiteBuilder ExpectColumnPairValuesAToBeGreaterThanB(string columnA, string columnB, bool orEqual = false, double? mostly = null) =>
        Add("expect_column_pair_values_a_to_be_greater_than_b", ("column_A", columnA), ("column_B", columnB), ("or_equal", orEqual ? true : null), ("mostly", mostly));

    /// <summary><c>expect_compound_columns_to_be_unique</c>.</summary>
    public ExpectationSuiteBuilder ExpectCompoundColumnsToBeUnique(IEnumerable<string> columnList, double? mostly = null) =>
        Add("expect_compound_columns_to_be_unique", ("column_list", columnList?.ToArray()), ("mostly", mostly));

    /// <summary>
    /// <c>expect_column_chisquare_test_p_value_to_be_greater_than</c>: the column's value counts against the expected
    /// shares <paramref name="weights"/> of <paramref name="values"/> (GX's categorical <c>partition_object</c>).
    /// </summary>
    public ExpectationSuiteBuilder ExpectColumnChisquareTestPValueToBeGreaterThan<T>(string column, IEnumerable<T> values, IEnumerable<double> weights, double p = 0.05) =>
        Add("expect_column_chisquare_test_p_value_to_be_greater_than", ("column", column), ("partition_object", Partition(values, weights)), ("p", p));

    /// <summary>
    /// <c>expect_column_kl_divergence_to_be_less_than</c> with a categorical partition; for a histogram (<c>bins</c>), pass
    /// its <c>partition_object</c> to <see cref="Expect"/>.
    /// </summary>
    public ExpectationSuiteBuilder ExpectColumnKlDivergenceToBeLessThan<T>(string column, IEnumerable<T> values, IEnumerable<double> weights, double threshold) =>
        Add("expect_column_kl_divergence_to_be_less_than", ("column", column), ("partition_object", Partition(values, weights)), ("threshold", threshold));

    /// <summary>
    /// <c>expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than</c>: a one-sample KS test against
    /// scipy's <paramref name="distribution"/> (<c>norm</c>, <c>uniform</c>, <c>expon</c>, <c>gamma</c>, <c>beta</c>, <c>chi2</c>)
    /// with scipy's positional <paramref name="parameters"/>.
    /// </summary>
    public ExpectationSuiteBuilder ExpectColumnParameterizedDistributionKsTestPValueToBeGreaterThan(string column, string distribution, IEnumerable<double> parameters, double pValue = 0.05) =>
        Add("expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than", ("column", column), ("distribution", distribution), ("params", parameters?.ToArray()), ("p_value", pValue));

    /// <summary>Creates the suite, checking every expectation.</summary>
    /// <exception cref="DataTestingException">For an unsupported expectation type or an invalid argument, naming it.</exception>
    public ExpectationSuite Build() => new(_name, _expectations, _meta.Count == 0 ? null : new Dictionary<string, JsonElement>(_meta));

    private static Dictionary<string, object?> Partition<T>(IEnumerable<T> values, IEnumerable<double> weights) =>
        new(StringComparer.Ordinal) { ["values"] = values?.ToArray(), ["weights"] = weights?.ToArray() };

    private ExpectationSuiteBuilder Aggregate(string type, string column, double? minValue, double? maxValue, bool strictMin, bool strictMax) =>
        Add(type, ("column", column), ("min_value", minValue), ("max_value", maxValue), ("strict_min", strictMin ? true : null), ("strict_max", strictMax ? true : null));

    private ExpectationSuiteBuilder Add(string type, params (string Name, object? Value)[] kwargs)
    {
        var dictionary = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in kwargs)
        {
            if (value is not null)
            {
                dictionary[name] = value is DateTime d ? Data.TextValues.Format(d) : value;
            }
        }

        return Expect(type, dictionary);
    }
}
