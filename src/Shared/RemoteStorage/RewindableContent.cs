using System.Runtime.ExceptionServices;
using Mlops.Core.Storage;

namespace Mlops.Storage;

/// <summary>
/// The content of one write, readable again from its start for every attempt: a seekable source is
/// rewound to where it started; any other is buffered first (in memory while small, then in a temporary
/// file that is deleted on dispose), so a retry never sends a half-consumed stream.
/// </summary>
internal sealed class RewindableContent : IAsyncDisposable
{
    /// <summary>Content up to this size is buffered in memory; larger content goes to a temporary file.</summary>
    internal const int MemoryThreshold = 4 * 1024 * 1024;

    private readonly SourceGuardStream _guard;
    private readonly long _start;
    private readonly Stream? _owned;

    private RewindableContent(Stream seekable, Stream? owned)
    {
        _guard = new SourceGuardStream(seekable);
        _start = seekable.Position;
        _owned = owned;
    }

    /// <summary>The stream to hand to the SDK: seekable, positioned at the start of the content by <see cref="Rewind"/>.</summary>
    public Stream Stream => _guard;

    /// <summary>The number of bytes to write.</summary>
    public long Length => _guard.Length - _start;

    /// <summary>True when the content was buffered because the source could not seek.</summary>
    public bool Buffered => _owned is not null;

    /// <summary>The failure of the source stream during an upload, if any (never retried).</summary>
    public Exception? SourceFailure => _guard.Failure;

    /// <summary>Makes <paramref name="content"/> rewindable, buffering it when it cannot seek.</summary>
    /// <exception cref="BlobStoreException">The source failed while it was buffered.</exception>
    public static async ValueTask<RewindableContent> CreateAsync(Stream content, string backend, string storeName, string key, CancellationToken cancellationToken)
    {
        if (content.CanSeek)
        {
            return new RewindableContent(content, owned: null);
        }

        Stream buffer = new MemoryStream();
        try
        {
            var chunk = new byte[81920];
            int read;
            while ((read = await ReadSourceAsync(content, chunk, backend, storeName, key, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer is MemoryStream memory && memory.Length + read > MemoryThreshold)
                {
                    buffer = await SpillToFileAsync(memory, cancellationToken).ConfigureAwait(false);
                }

                await buffer.WriteAsync(chunk.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }

            await buffer.FlushAsync(cancellationToken).ConfigureAwait(false);
            buffer.Position = 0;
            return new RewindableContent(buffer, buffer);
        }
        catch
        {
            await buffer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Positions the content at its start, before each attempt.</summary>
    public void Rewind() => _guard.Position = _start;

    /// <summary>Rethrows the source's failure, if the write failed because of it.</summary>
    public void ThrowIfSourceFailed(string backend, string storeName, string key)
    {
        if (SourceFailure is null)
        {
            return;
        }

        if (SourceFailure is BlobStoreException or OperationCanceledException)
        {
            ExceptionDispatchInfo.Throw(SourceFailure);
        }

        throw SourceError(backend, storeName, key, SourceFailure);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_owned is not null)
        {
            await _owned.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async ValueTask<int> ReadSourceAsync(Stream content, byte[] chunk, string backend, string storeName, string key, CancellationToken cancellationToken)
    {
        try
        {
            return await content.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or BlobStoreException))
        {
            throw SourceError(backend, storeName, key, ex);
        }
    }

    private static BlobStoreException SourceError(string backend, string storeName, string key, Exception ex) =>
        new(backend, storeName, key, $"reading the content to write failed ({ex.Message}); nothing was written. Check the source stream and write again.", ex);

    private static async ValueTask<Stream> SpillToFileAsync(MemoryStream memory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mlops-upload-{Guid.NewGuid():N}.tmp");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        try
        {
            memory.Position = 0;
            await memory.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            await memory.DisposeAsync().ConfigureAwait(false);
            return file;
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Passes the source through, turning its read failures into <see cref="SourceReadException"/> so the
    /// pipeline never retries them (a source that failed once fails again) and the store can report them.
    /// </summary>
    private sealed class SourceGuardStream(Stream inner) : Stream
    {
        public Exception? Failure { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw Fail(ex);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw Fail(ex);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        // The SDK may dispose the stream it was given; the caller owns the source, so disposal is not passed on.
        protected override void Dispose(bool disposing)
        {
        }

        private SourceReadException Fail(Exception ex)
        {
            Failure ??= ex;
            return new SourceReadException(ex);
        }
    }
}

/// <summary>The content being written failed to read: the source's fault, never worth a retry.</summary>
internal sealed class SourceReadException(Exception inner) : IOException("Reading the content to write failed: " + inner.Message, inner);
