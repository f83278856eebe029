using System.Collections.Concurrent;
using System.Net;

namespace Mlops.Conformance;

/// <summary>What the handler does to a matching request instead of forwarding it.</summary>
public enum Fault
{
    /// <summary>Answers 503 Server Busy.</summary>
    ServiceUnavailable,

    /// <summary>Throws as a reset connection does.</summary>
    ConnectionReset,

    /// <summary>Answers 403, as a wrong key does.</summary>
    Forbidden,

    /// <summary>Forwards, but drops the response body half-way.</summary>
    CutBody,
}

/// <summary>
/// Sits between the SDK and the real server: the first <c>count</c> requests that match fail with
/// <see cref="Fault"/>; every other is forwarded. Records each request and the status it got.
/// </summary>
public sealed class FaultInjectingHandler(Func<HttpRequestMessage, bool> matches, Fault fault, int count) : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly int _faults = count;
    private int _faultsLeft = count;

    public ConcurrentQueue<(HttpMethod Method, string Path, int Status)> Requests { get; } = new();

    public int FaultsInjected => _faults - Math.Max(0, Volatile.Read(ref _faultsLeft));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = Uri.UnescapeDataString(request.RequestUri!.AbsolutePath);
        var inject = matches(request) && Interlocked.Decrement(ref _faultsLeft) >= 0;
        if (inject && fault != Fault.CutBody)
        {
            if (request.Content is not null)
            {
                // Consume the upload as a server would before it fails, so a retry that does not rewind would send nothing.
                await request.Content.CopyToAsync(Stream.Null, cancellationToken);
            }

            switch (fault)
            {
                case Fault.ConnectionReset:
                    Requests.Enqueue((request.Method, path, 0));
                    throw new HttpRequestException("An error occurred while sending the request.", new IOException("Connection reset by peer"));
                case Fault.Forbidden:
                    Requests.Enqueue((request.Method, path, 403));
                    return new HttpResponseMessage(HttpStatusCode.Forbidden) { RequestMessage = request, Content = new StringContent("") };
                default:
                    Requests.Enqueue((request.Method, path, 503));
                    return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = request, Content = new StringContent("") };
            }
        }

        var response = await base.SendAsync(request, cancellationToken);
        Requests.Enqueue((request.Method, path, (int)response.StatusCode));
        if (inject)
        {
            var original = response.Content;
            var body = await original.ReadAsStreamAsync(cancellationToken);
            var cut = new StreamContent(new CuttingStream(body, cutAfter: 100_000));
            foreach (var header in original.Headers)
            {
                cut.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content = cut;
        }

        return response;
    }

    public int Count(HttpMethod method, string path, Func<int, bool> status) =>
        Requests.Count(r => r.Method == method && r.Path == path && status(r.Status));

    /// <summary>Yields the first bytes of a body, then fails as a dropped connection does.</summary>
    private sealed class CuttingStream(Stream inner, int cutAfter) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            await ReadAsync(buffer.AsMemory(offset, count), cancellationToken);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= cutAfter)
            {
                throw new IOException("Connection reset by peer (simulated).");
            }

            var read = await inner.ReadAsync(buffer[..Math.Min(buffer.Length, cutAfter - _position)], cancellationToken);
            _position += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
