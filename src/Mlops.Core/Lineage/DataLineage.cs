namespace Mlops.Core.Lineage;

/// <summary>A read of versioned data: which file, at which revision, with which content hash.</summary>
/// <param name="Path">The file's path in its repository, with '/' separators (<c>data/auto-mpg.csv</c>).</param>
/// <param name="Revision">The Git commit the pointer was read at, or <see cref="DataLineage.Workspace"/> for the workspace's pointers.</param>
/// <param name="Md5">The md5 of the bytes read, as the pointer records it.</param>
public sealed record DataRead(string Path, string Revision, string Md5);

/// <summary>
/// Lets the packages that read versioned data (<c>Mlops.DataVersioning</c>) tell the ones that record lineage
/// (<c>Mlops.Tracking</c>) what was read, without either referencing the other. Like MLflow's active-run stack, the
/// most recent listener that is still listening hears each read: a run started inside another run records the
/// data it reads, not its parent.
/// </summary>
public static class DataLineage
{
    /// <summary>The revision recorded for reads of the workspace's current pointers.</summary>
    public const string Workspace = "workspace";

    private static readonly Lock Gate = new();
    private static readonly List<Subscription> Listeners = [];

    /// <summary>Starts listening to data reads; disposing the result stops it.</summary>
    public static IDisposable Listen(Action<DataRead> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        var subscription = new Subscription(listener);
        lock (Gate)
        {
            Listeners.Add(subscription);
        }

        return subscription;
    }

    /// <summary>Reports a read to the most recent listener, if any. A listener's failure never fails the read.</summary>
    public static void Report(DataRead read)
    {
        ArgumentNullException.ThrowIfNull(read);
        Action<DataRead>? listener;
        lock (Gate)
        {
            listener = Listeners.Count == 0 ? null : Listeners[^1].Listener;
        }

        try
        {
            listener?.Invoke(read);
        }
#pragma warning disable CA1031 // Lineage is a side effect of reading data: it must not turn a good read into an error.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private sealed class Subscription(Action<DataRead> listener) : IDisposable
    {
        public Action<DataRead> Listener { get; } = listener;

        public void Dispose()
        {
            lock (Gate)
            {
                Listeners.Remove(this);
            }
        }
    }
}
