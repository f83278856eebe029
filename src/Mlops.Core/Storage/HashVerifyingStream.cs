using System.Security.Cryptography;
using Mlops.Core.Hashing;

namespace Mlops.Core.Storage;

/// <summary>
/// Passes a stream through while hashing it, and fails the final read when the md5 differs from
/// the expected one. A store's atomic write then discards the object instead of publishing it.
/// </summary>
internal sealed class HashVerifyingStream(Stream inner, string expectedMd5, string storeName, string key) : Stream
{
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private bool _verified;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        return Observe(buffer[..read]);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Observe(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

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
            _md5.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Observe(ReadOnlySpan<byte> data)
    {
        if (data.Length > 0)
        {
            _md5.AppendData(data);
            return data.Length;
        }

        if (!_verified)
        {
            var actual = FileHasher.ToLowerHex(_md5.GetHashAndReset());
            if (!string.Equals(actual, expectedMd5, StringComparison.Ordinal))
            {
                throw new ContentHashMismatchException(storeName, key, expectedMd5, actual);
            }

            _verified = true;
        }

        return 0;
    }
}
