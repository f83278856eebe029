using Microsoft.ML;

namespace Mlops.Testing.Features;

/// <summary>
/// Checks that feature code behaves, after Google's ML Test Score and CheckList: determinism, finite values, the declared
/// schema, train/serve parity, invariance, directional expectations and no leakage. Add checks fluently, then call
/// <c>Assert()</c> (throws a <see cref="FeatureCheckException"/> naming each failed check, its rows and values) or
/// <c>Run()</c> (returns a result per check). No dependency on a test framework.
/// </summary>
public static class FeatureChecks
{
    /// <summary>Checks for an ML.NET pipeline.</summary>
    /// <param name="pipeline">Creates the estimator on a given context; called again for each fit, so a seed can be set.</param>
    /// <param name="trainData">The data the pipeline is fitted on.</param>
    /// <param name="data">The data the checks transform; <paramref name="trainData"/> when <see langword="null"/>.</param>
    /// <param name="seed">The <see cref="MLContext"/> seed of the fit the checks share.</param>
    public static TransformerChecks For(Func<MLContext, IEstimator<ITransformer>> pipeline, IDataView trainData, IDataView? data = null, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(trainData);
        return new TransformerChecks(pipeline, trainData, data ?? trainData, seed);
    }

    /// <summary>Checks for a plain function from an input to features (a number, an array, a record of numbers).</summary>
    /// <param name="transform">The feature function.</param>
    /// <param name="inputs">The inputs the checks call it with; row numbers in messages are their positions.</param>
    public static FunctionChecks<TIn, TOut> For<TIn, TOut>(Func<TIn, TOut> transform, IEnumerable<TIn> inputs)
    {
        ArgumentNullException.ThrowIfNull(transform);
        ArgumentNullException.ThrowIfNull(inputs);
        return new FunctionChecks<TIn, TOut>(transform, [.. inputs]);
    }
}
