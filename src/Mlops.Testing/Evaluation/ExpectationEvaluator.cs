using Mlops.Testing.Data;

namespace Mlops.Testing.Evaluation;

/// <summary>
/// Evaluates one expectation during a validation: it names the columns it reads, resolves them against the schema, sees
/// every batch of the single streaming pass, and produces its result at the end. A fresh evaluator is made per run.
/// </summary>
internal abstract class ExpectationEvaluator
{
    /// <summary>The columns this evaluator reads from the batches.</summary>
    public abstract IReadOnlyList<string> Columns { get; }

    /// <summary>Whether it needs the rows (table-level checks on the schema do not).</summary>
    public virtual bool NeedsRows => Columns.Count > 0;

    /// <summary>Resolves columns and types; throws <see cref="EvaluationException"/> when it cannot be evaluated.</summary>
    public virtual void Begin(DataSchema schema)
    {
        foreach (var column in Columns)
        {
            RequireColumn(schema, column);
        }
    }

    /// <summary>
    /// How many passes over the rows it needs: 1 for almost all; 2 when a per-value test depends on an aggregate
    /// (z-scores need the mean and standard deviation first).
    /// </summary>
    public virtual int Passes => 1;

    /// <summary>Sees one batch of the first pass.</summary>
    public virtual void Observe(ColumnBatch batch)
    {
    }

    /// <summary>Sees one batch of a later pass (<paramref name="pass"/> ≥ 1).</summary>
    public virtual void Observe(ColumnBatch batch, int pass)
    {
    }

    /// <summary>The outcome, once every batch was seen.</summary>
    public abstract Outcome Complete(long rowCount, DataSchema schema);

    protected static DataColumn RequireColumn(DataSchema schema, string name) =>
        schema.TryGetColumn(name, out var column)
            ? column
            : throw new EvaluationException($"The column '{name}' does not exist; the columns are: {string.Join(", ", schema.Names)}.");

    protected static Type ClrType(ColumnType type) => type switch
    {
        ColumnType.Double => typeof(double),
        ColumnType.Int64 => typeof(long),
        ColumnType.Boolean => typeof(bool),
        ColumnType.String => typeof(string),
        _ => typeof(DateTime),
    };

    /// <summary>Creates <c>generic&lt;T&gt;</c> for the CLR type of a column (once per run, not per row).</summary>
    protected static TResult CreateTyped<TResult>(Type genericDefinition, ColumnType type, params object?[] args) =>
        (TResult)Activator.CreateInstance(genericDefinition.MakeGenericType(ClrType(type)), args)!;
}

/// <summary>An expectation's success and GX result object.</summary>
internal sealed record Outcome(bool Success, ExpectationResultDetails Details);

/// <summary>An expectation cannot be evaluated on this data (GX reports it in <c>exception_info</c>).</summary>
internal sealed class EvaluationException(string message) : Exception(message);
