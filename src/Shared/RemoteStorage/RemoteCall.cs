using Mlops.Core.Storage;
using Polly;

namespace Mlops.Storage;

/// <summary>What every remote store does around one call to its service.</summary>
internal static class RemoteCall
{
    /// <summary>Runs <paramref name="operation"/> through <paramref name="pipeline"/>, turning the HTTP client's own timeout into a retryable <see cref="TimeoutException"/>.</summary>
    public static async ValueTask<T> ExecuteAsync<T>(ResiliencePipeline pipeline, string service, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken) =>
        await pipeline.ExecuteAsync(
            static async (state, ct) =>
            {
                try
                {
                    return await state.operation(ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
                {
                    // The HTTP client's own timeout, not the caller's cancellation: worth another attempt.
                    throw new TimeoutException($"The request to {state.service} timed out.", ex);
                }
            },
            (operation, service),
            cancellationToken).ConfigureAwait(false);

    /// <summary>Says whether <paramref name="ex"/> is a failure the store must report as a <see cref="BlobStoreException"/> (not one already reported, a bad argument or the caller's cancellation).</summary>
    public static bool IsFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is not (BlobStoreException or ArgumentException) && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested);

    /// <summary>The first line of a service's (often multi-line) error message.</summary>
    public static string FirstLine(string message)
    {
        var newline = message.IndexOfAny(['\r', '\n']);
        return newline < 0 ? message : message[..newline];
    }
}
