using Mlops.Testing.Data;

namespace Mlops.Testing.Profiling;

/// <summary>
/// Drafts an <see cref="ExpectationSuite"/> from reference data, like pandera's <c>infer_schema</c> or GX's onboarding
/// profiler: the ordered column list, and per column its type, nullability, range (numbers and dates) or length range
/// (text), a value set for low-cardinality columns and uniqueness. The draft validates the data it was profiled from;
/// review and loosen it before it guards new data.
/// </summary>
public static class SuiteProfiler
{
    /// <summary>Reads the data once and drafts a suite.</summary>
    /// <param name="source">The reference data.</param>
    /// <param name="options">Thresholds; the defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <exception cref="ArgumentOutOfRangeException">When an option is outside its range.</exception>
    public static async Task<ExpectationSuite> ProfileAsync(DataSource source, ProfileOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new ProfileOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxSetSize, nameof(options));
        if (options.MaxMissingShareForMostly is < 0 or > 1 || options.RowCountMargin is < 0 or > 1 || double.IsNaN(options.MaxMissingShareForMostly) || double.IsNaN(options.RowCountMargin))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxMissingShareForMostly and RowCountMargin are shares between 0 and 1.");
        }

        var schema = await source.GetSchemaAsync(cancellationToken).ConfigureAwait(false);
        var profiles = schema.Columns.Select(c => new ColumnProfile(c, options.MaxSetSize)).ToList();
        long rows = 0;
        await foreach (var batch in source.ReadAsync([.. schema.Names], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < profiles.Count; i++)
            {
                profiles[i].Observe(batch.Columns[i]);
            }

            rows += batch.RowCount;
        }

        var builder = ExpectationSuite.Create(options.SuiteName ?? source.Name)
            .WithMeta("profiled_from", source.Name)
            .WithMeta("profiled_rows", rows)
            .ExpectTableRowCountToBeBetween((long)Math.Floor(rows * (1 - options.RowCountMargin)), (long)Math.Ceiling(rows * (1 + options.RowCountMargin)))
            .ExpectTableColumnsToMatchOrderedList(schema.Names);
        foreach (var profile in profiles)
        {
            profile.AddExpectations(builder, rows, options);
        }

        return builder.Build();
    }

    /// <summary>What one pass sees of a column: missing count, range, lengths and distinct values.</summary>
    private sealed class ColumnProfile(DataColumn column, int maxSetSize)
    {
        // Kept only while the column may still be unique or fit a value set.
        private HashSet<object>? _distinct = column.Type is ColumnType.String or ColumnType.Int64 or ColumnType.Double ? [] : null;
        private bool _duplicate;
        private long _missing;
        private long _present;
        private object? _min;
        private object? _max;
        private int _minLength = int.MaxValue;
        private int _maxLength;

        public void Observe(ColumnVector vector)
        {
            for (var i = 0; i < vector.Length; i++)
            {
                if (vector.GetValue(i) is not { } value)
                {
                    _missing++;
                    continue;
                }

                _present++;
                switch (value)
                {
                    case double d when double.IsInfinity(d):
                        break; // JSON has no infinity: an infinite value leaves that bound open.
                    case string s:
                        _minLength = Math.Min(_minLength, s.Length);
                        _maxLength = Math.Max(_maxLength, s.Length);
                        break;
                    case double or long or DateTime:
                        var c = (IComparable)value;
                        _min = _min is null || c.CompareTo(_min) < 0 ? value : _min;
                        _max = _max is null || c.CompareTo(_max) > 0 ? value : _max;
                        break;
                }

                if (_distinct is not null)
                {
                    _duplicate |= !_distinct.Add(value);
                    if (_duplicate && _distinct.Count > maxSetSize)
                    {
                        _distinct = null;
                    }
                }
            }
        }

        public void AddExpectations(ExpectationSuiteBuilder builder, long rows, ProfileOptions options)
        {
            var name = column.Name;
            builder.Expect("expect_column_values_to_be_of_type", new { column = name, type_ = GxTypeName(column.Type) });
            if (_present == 0)
            {
                builder.ExpectColumnValuesToBeNull(name);
                return;
            }

            var missingShare = (double)_missing / rows;
            if (_missing == 0)
            {
                builder.ExpectColumnValuesToNotBeNull(name);
            }
            else if (missingShare <= options.MaxMissingShareForMostly)
            {
                // Rounded down so that the reference itself passes.
                builder.ExpectColumnValuesToNotBeNull(name, mostly: Math.Floor((1 - missingShare) * 1000) / 1000);
            }

            if (column.Type == ColumnType.String)
            {
                builder.ExpectColumnValueLengthsToBeBetween(name, _minLength, _maxLength);
            }
            else if (_min is not null || _max is not null)
            {
                builder.Expect("expect_column_values_to_be_between", new Dictionary<string, object?>
                {
                    ["column"] = name,
                    ["min_value"] = _min is DateTime minDate ? TextValues.Format(minDate) : _min,
                    ["max_value"] = _max is DateTime maxDate ? TextValues.Format(maxDate) : _max,
                });
            }

            if (_distinct is null)
            {
                return;
            }

            // Distinct floating-point values say little about a key: uniqueness only for text and integers.
            if (!_duplicate && _present > 1 && column.Type != ColumnType.Double)
            {
                builder.ExpectColumnValuesToBeUnique(name);
            }
            else if (_distinct.Count <= maxSetSize)
            {
                _ = column.Type switch
                {
                    ColumnType.String => builder.ExpectColumnValuesToBeInSet(name, _distinct.Cast<string>().Order(StringComparer.Ordinal)),
                    ColumnType.Int64 => builder.ExpectColumnValuesToBeInSet(name, _distinct.Cast<long>().Order()),
                    _ => builder.ExpectColumnValuesToBeInSet(name, _distinct.Cast<double>().Order()),
                };
            }
        }

        private static string GxTypeName(ColumnType type) => type switch
        {
            ColumnType.Double => "float64",
            ColumnType.Int64 => "int64",
            ColumnType.Boolean => "bool",
            ColumnType.DateTime => "datetime64[ns]",
            _ => "str",
        };
    }
}
