using Polly;

namespace Mlops.Storage;

/// <summary>
/// Streams an object's body. Each read runs through the store's resilience pipeline: when the connection
/// drops mid-way, the next attempt asks the server for the rest (from the current offset, on the condition
/// that the object is still the same version), so a long download survives a transient failure.
/// </summary>
internal sealed class ResumingReadStream : Stream
{
    /// <summary>Opens the body from <c>offset</c> to the end; returns the body and what must be disposed with it.</summary>
    internal delegate Task<(Stream Body, IDisposable? Owner)> OpenAt(long offset, CancellationToken cancellationToken);

    private readonly OpenAt _openAt;
    private readonly ResiliencePipeline _pipeline;
    private readonly Func<Exception, Exception> _mapError;
    private readonly long _length;
    private Stream? _body;
    private IDisposable? _owner;
    private long _position;

    public ResumingReadStream(Stream body, IDisposable? owner, long length, OpenAt openAt, ResiliencePipeline pipeline, Func<Exception, Exception> mapError)
    {
        _body = body;
        _owner = owner;
        _length = length;
        _openAt = openAt;
        _pipeline = pipeline;
        _mapError = mapError;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    /// <summary>The object's size, known from the response that opened it.</summary>
    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_position < 0, this);
        if (buffer.Length == 0 || _position >= _length)
        {
            return 0;
        }

        int read;
        try
        {
            read = await _pipeline.ExecuteAsync(
                static (state, token) => state.Self.ReadOnceAsync(state.Buffer, token),
                new ReadState(this, buffer),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw _mapError(ex);
        }

        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous reads are rare for network bodies; they wait on the asynchronous path.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            DropBody();
            _position = -1;
        }

        base.Dispose(disposing);
    }

    private async ValueTask<int> ReadOnceAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_body is null)
        {
            var (body, owner) = await _openAt(_position, cancellationToken).ConfigureAwait(false);
            _body = body;
            _owner = owner;
        }

        try
        {
            var read = await _body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"The connection closed after {_position} of {_length} bytes.");
            }

            return read;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The HTTP client gave up on its own (its timeout), not the caller: worth another attempt.
            DropBody();
            throw new TimeoutException($"Reading the object timed out after {_position} of {_length} bytes.", ex);
        }
        catch
        {
            // A body that failed (or whose read was cancelled) is in an unknown state: the next attempt reopens.
            DropBody();
            throw;
        }
    }

    private void DropBody()
    {
        _body?.Dispose();
        _owner?.Dispose();
        _body = null;
        _owner = null;
    }

    private readonly record struct ReadState(ResumingReadStream Self, Memory<byte> Buffer);
}
