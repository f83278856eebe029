using System.Globalization;
using Microsoft.ML.Data;

namespace Mlops.Tracking.MLNet;

/// <summary>
/// Logs ML.NET's evaluation results in one call, each value under a snake_case name (<c>root_mean_squared_error</c>,
/// <c>area_under_roc_curve</c>, <c>macro_accuracy</c>, …) after an optional prefix such as <c>test_</c>.
/// </summary>
public static class MLNetMetrics
{
    /// <summary>Logs <c>mean_absolute_error</c>, <c>mean_squared_error</c>, <c>root_mean_squared_error</c>, <c>r_squared</c> and <c>loss_function</c>.</summary>
    public static void LogRegressionMetrics(this ActiveRun run, RegressionMetrics metrics, string prefix = "", long step = 0)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        Log(run, prefix, step, new()
        {
            ["mean_absolute_error"] = metrics.MeanAbsoluteError,
            ["mean_squared_error"] = metrics.MeanSquaredError,
            ["root_mean_squared_error"] = metrics.RootMeanSquaredError,
            ["r_squared"] = metrics.RSquared,
            ["loss_function"] = metrics.LossFunction,
        });
    }

    /// <summary>
    /// Logs <c>accuracy</c>, <c>area_under_roc_curve</c>, <c>area_under_precision_recall_curve</c>, <c>f1_score</c>,
    /// <c>positive_precision</c>, <c>positive_recall</c>, <c>negative_precision</c>, <c>negative_recall</c>, and for
    /// calibrated metrics also <c>log_loss</c>, <c>log_loss_reduction</c> and <c>entropy</c>.
    /// </summary>
    public static void LogBinaryClassificationMetrics(this ActiveRun run, BinaryClassificationMetrics metrics, string prefix = "", long step = 0)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var values = new Dictionary<string, double>
        {
            ["accuracy"] = metrics.Accuracy,
            ["area_under_roc_curve"] = metrics.AreaUnderRocCurve,
            ["area_under_precision_recall_curve"] = metrics.AreaUnderPrecisionRecallCurve,
            ["f1_score"] = metrics.F1Score,
            ["positive_precision"] = metrics.PositivePrecision,
            ["positive_recall"] = metrics.PositiveRecall,
            ["negative_precision"] = metrics.NegativePrecision,
            ["negative_recall"] = metrics.NegativeRecall,
        };
        if (metrics is CalibratedBinaryClassificationMetrics calibrated)
        {
            values["log_loss"] = calibrated.LogLoss;
            values["log_loss_reduction"] = calibrated.LogLossReduction;
            values["entropy"] = calibrated.Entropy;
        }

        Log(run, prefix, step, values);
    }

    /// <summary>
    /// Logs <c>micro_accuracy</c>, <c>macro_accuracy</c>, <c>log_loss</c>, <c>log_loss_reduction</c>,
    /// <c>top_k_accuracy</c> (when a top-k count was set) and <c>log_loss_class_&lt;i&gt;</c> for each class.
    /// </summary>
    public static void LogMulticlassClassificationMetrics(this ActiveRun run, MulticlassClassificationMetrics metrics, string prefix = "", long step = 0)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var values = new Dictionary<string, double>
        {
            ["micro_accuracy"] = metrics.MicroAccuracy,
            ["macro_accuracy"] = metrics.MacroAccuracy,
            ["log_loss"] = metrics.LogLoss,
            ["log_loss_reduction"] = metrics.LogLossReduction,
        };
        if (metrics.TopKPredictionCount > 0)
        {
            values["top_k_accuracy"] = metrics.TopKAccuracy;
        }

        for (var i = 0; i < metrics.PerClassLogLoss.Count; i++)
        {
            values[string.Create(CultureInfo.InvariantCulture, $"log_loss_class_{i}")] = metrics.PerClassLogLoss[i];
        }

        Log(run, prefix, step, values);
    }

    private static void Log(ActiveRun run, string prefix, long step, Dictionary<string, double> values)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(prefix);
        run.LogMetrics(values.ToDictionary(v => prefix + v.Key, v => v.Value, StringComparer.Ordinal), step);
    }
}
