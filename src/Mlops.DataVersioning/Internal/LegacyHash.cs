using System.Security.Cryptography;

namespace Mlops.DataVersioning.Internal;

/// <summary>
/// DVC 2's file hash: for a file that looks like text (no NUL byte and few control characters in its first
/// 512 bytes), the md5 after every CRLF became LF; otherwise the md5 of the raw bytes.
/// </summary>
internal static class LegacyHash
{
    public static string Dos2UnixMd5(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var head = new byte[512];
        var headLength = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        if (!LooksLikeText(head.AsSpan(0, headLength)))
        {
            stream.CopyTo(new HashingSink(md5));
            return Convert.ToHexStringLower(md5.GetHashAndReset());
        }

        var buffer = new byte[1 << 16];
        var output = new byte[buffer.Length];
        var pendingCr = false;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var length = 0;
            for (var i = 0; i < read; i++)
            {
                var b = buffer[i];
                if (pendingCr)
                {
                    if (b != (byte)'\n')
                    {
                        output[length++] = (byte)'\r';
                    }

                    pendingCr = false;
                }

                if (b == (byte)'\r')
                {
                    pendingCr = true;
                    continue;
                }

                output[length++] = b;
                if (length == output.Length)
                {
                    md5.AppendData(output, 0, length);
                    length = 0;
                }
            }

            md5.AppendData(output, 0, length);
        }

        if (pendingCr)
        {
            md5.AppendData("\r"u8);
        }

        return Convert.ToHexStringLower(md5.GetHashAndReset());
    }

    private static bool LooksLikeText(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty)
        {
            return true;
        }

        if (head.Contains((byte)0))
        {
            return false;
        }

        var control = 0;
        foreach (var b in head)
        {
            if (b < 32 && b is not (byte)'\n' and not (byte)'\r' and not (byte)'\t' and not (byte)'\f' and not (byte)'\b')
            {
                control++;
            }
        }

        return control * 10 <= head.Length * 3;
    }

    private sealed class HashingSink(IncrementalHash md5) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => md5.AppendData(buffer, offset, count);
    }
}
