using Mlops.Testing.Data;

namespace Mlops.Testing.Evaluation;

/// <summary>
/// <c>expect_column_value_z_scores_to_be_less_than</c>: the first pass computes the mean and sample standard deviation,
/// the second tests each value's z-score against <c>threshold</c> (its absolute value when <c>double_sided</c>).
/// </summary>
internal sealed class ZScoreEvaluator(string column, double threshold, bool doubleSided, double? mostly) : ExpectationEvaluator
{
    private readonly ColumnStatistics _statistics = new();
    private readonly UnexpectedTally _tally = new();
    private long _elements;
    private long _missing;
    private RowTest? _test;

    public override IReadOnlyList<string> Columns { get; } = [column];

    public override int Passes => 2;

    public override void Begin(DataSchema schema)
    {
        var type = RequireColumn(schema, column).Type;
        if (!Domain.IsNumeric(type))
        {
            throw new EvaluationException($"The column '{column}' is {type}; z-scores need a numeric column.");
        }
    }

    public override void Observe(ColumnBatch batch) => _statistics.Observe(batch[column]);

    public override void Observe(ColumnBatch batch, int pass)
    {
        var vector = batch[column];
        if (_test is null)
        {
            var mean = _statistics.Mean;
            var deviation = _statistics.StandardDeviation ?? double.NaN;
            bool Under(double v)
            {
                var z = (v - mean) / deviation;
                return doubleSided ? Math.Abs(z) < threshold : z < threshold;
            }

            _test = vector.Type == ColumnType.Double ? new RowTest<double>(Under) : new RowTest<long>(v => Under(v));
        }

        _elements += batch.RowCount;
        _missing += _test.Scan(vector, batch.StartRow, _tally);
    }

    public override Outcome Complete(long rowCount, DataSchema schema) =>
        UnexpectedTally.MapOutcome(_elements, _missing, _tally.Count, mostly, _tally.Values, _tally.Indexes, _tally.TopCounts());
}
