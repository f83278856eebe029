using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace Mlops.Testing.Data;

/// <summary>What <see cref="CsvRecordReader.TryRead"/> found.</summary>
internal enum CsvReadStatus
{
    /// <summary>A record: its fields are available until the next call.</summary>
    Record,

    /// <summary>The buffer ends inside a record: call <see cref="CsvRecordReader.FillAsync"/> and try again.</summary>
    NeedMore,

    /// <summary>No more records.</summary>
    End,
}

/// <summary>
/// A streaming RFC 4180 reader: quoted fields may hold delimiters, quotes (doubled) and line breaks; records end at LF,
/// CR or CRLF; blank lines are skipped; a byte-order mark is honoured. The text is decoded into a large pooled buffer;
/// a record without quotes (the usual case) is split in place, its fields pointing into that buffer, while a record
/// with quotes is unquoted into a record buffer. Records are read synchronously from the buffer
/// (<see cref="TryRead"/>) and the buffer is refilled asynchronously (<see cref="FillAsync"/>), so the per-record
/// loop has no asynchronous overhead. Memory is bounded by the buffer and the longest record.
/// </summary>
internal sealed class CsvRecordReader : IDisposable
{
    private const int BufferSize = 1 << 19;

    private readonly StreamReader _reader;
    private readonly char _delimiter;
    private readonly SearchValues<char> _lineStops;
    private char[] _buffer = ArrayPool<char>.Shared.Rent(BufferSize);
    private int _position;
    private int _length;
    private bool _endOfStream;
    private bool _skipLineFeed;
    private char[] _record = ArrayPool<char>.Shared.Rent(1024);
    private int[] _fieldStarts = ArrayPool<int>.Shared.Rent(64);
    private int[] _fieldEnds = ArrayPool<int>.Shared.Rent(64);
    private bool _fieldsInRecord;
    private long _line = 1;

    public CsvRecordReader(Stream stream, Encoding? encoding, char delimiter)
    {
        _reader = new StreamReader(stream, encoding ?? Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: false);
        _delimiter = delimiter;
        _lineStops = SearchValues.Create(['\r', '\n', '"']);
    }

    /// <summary>The number of fields in the current record.</summary>
    public int FieldCount { get; private set; }

    /// <summary>The 1-based line on which the current record starts.</summary>
    public long RecordLine { get; private set; }

    /// <summary>The text of field <paramref name="index"/> of the current record, unquoted.</summary>
    public ReadOnlySpan<char> this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var start = _fieldStarts[index];
            return (_fieldsInRecord ? _record : _buffer).AsSpan(start, _fieldEnds[index] - start);
        }
    }

    /// <summary>Reads the next non-blank record, asynchronously refilling the buffer as needed; false at the end.</summary>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            switch (TryRead())
            {
                case CsvReadStatus.Record:
                    return true;
                case CsvReadStatus.End:
                    return false;
                default:
                    await FillAsync(cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>
    /// Reads the next non-blank record from the buffer. A record that the buffer ends inside is not consumed: after
    /// <see cref="FillAsync"/> it is read again from its start.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public CsvReadStatus TryRead()
    {
        while (true)
        {
            if (_skipLineFeed && _position < _length)
            {
                _skipLineFeed = false;
                if (_buffer[_position] == '\n')
                {
                    _position++;
                }
            }

            if (_position >= _length)
            {
                return _endOfStream ? CsvReadStatus.End : CsvReadStatus.NeedMore;
            }

            if (_skipLineFeed)
            {
                return CsvReadStatus.NeedMore;
            }

            var rest = _buffer.AsSpan(_position, _length - _position);
            var stop = rest.IndexOfAny(_lineStops);
            if (stop < 0)
            {
                if (!_endOfStream)
                {
                    return CsvReadStatus.NeedMore;
                }

                stop = rest.Length; // the last record, without a line break
            }
            else if (rest[stop] == '"')
            {
                return ReadQuoted();
            }

            if (stop == 0)
            {
                // A blank line.
                _position++;
                _line++;
                _skipLineFeed = rest[0] == '\r';
                continue;
            }

            // A record without quotes: split it in place.
            RecordLine = _line;
            _fieldsInRecord = false;
            FieldCount = Split(rest[..stop]);
            if (stop < rest.Length)
            {
                _line++;
                _skipLineFeed = rest[stop] == '\r';
                _position += stop + 1;
            }
            else
            {
                _position += stop;
            }

            return CsvReadStatus.Record;
        }
    }

    // Records the fields of a line without quotes that starts at _position; returns their number. The delimiters are
    // found a vector of characters at a time (one comparison and a bit mask for the 5 to 15 fields of a usual line,
    // rather than a search call per field).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Split(ReadOnlySpan<char> line)
    {
        var fields = 0;
        var start = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var delimiter = Vector256.Create((ushort)_delimiter);
            ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(line));
            for (; i <= line.Length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var found = Vector256.Equals(Vector256.LoadUnsafe(ref first, (nuint)i), delimiter).ExtractMostSignificantBits();
                while (found != 0)
                {
                    var end = i + BitOperations.TrailingZeroCount(found);
                    AddField(fields++, start, end);
                    start = end + 1;
                    found &= found - 1;
                }
            }
        }

        for (; i < line.Length; i++)
        {
            if (line[i] == _delimiter)
            {
                AddField(fields++, start, i);
                start = i + 1;
            }
        }

        AddField(fields++, start, line.Length);
        return fields;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddField(int field, int start, int end)
    {
        EnsureFields(field + 1);
        _fieldStarts[field] = _position + start;
        _fieldEnds[field] = _position + end;
    }

    private enum State
    {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }

    // The RFC 4180 state machine for a record with quotes; fields are unquoted into the record buffer.
    private CsvReadStatus ReadQuoted()
    {
        var position = _position;
        var line = _line;
        var recordLength = 0;
        var fields = 0;
        var fieldStart = 0;
        var state = State.FieldStart;
        while (true)
        {
            if (position >= _length)
            {
                if (!_endOfStream)
                {
                    return CsvReadStatus.NeedMore;
                }

                if (state == State.Quoted)
                {
                    throw new DataTestingException($"A quoted field that starts on line {_line} has no closing quote before the end of the file.");
                }

                EndField(ref fields, ref fieldStart, recordLength);
                return Commit(position, line, fields, skipLineFeed: false);
            }

            var span = _buffer.AsSpan(position, _length - position);
            switch (state)
            {
                case State.FieldStart:
                case State.Unquoted:
                {
                    var c = span[0];
                    if (state == State.FieldStart && c == '"')
                    {
                        position++;
                        state = State.Quoted;
                        break;
                    }

                    var stop = span.IndexOfAny(_delimiter, '\r', '\n');
                    var quote = span.IndexOf('"');
                    if (quote >= 0 && (stop < 0 || quote < stop))
                    {
                        // A quote inside an unquoted field is kept as text.
                        Append(ref recordLength, span[..(quote + 1)]);
                        position += quote + 1;
                        state = State.Unquoted;
                        break;
                    }

                    if (stop < 0)
                    {
                        Append(ref recordLength, span);
                        position += span.Length;
                        state = State.Unquoted;
                        break;
                    }

                    Append(ref recordLength, span[..stop]);
                    position += stop + 1;
                    if (span[stop] == _delimiter)
                    {
                        EndField(ref fields, ref fieldStart, recordLength);
                        state = State.FieldStart;
                        break;
                    }

                    EndField(ref fields, ref fieldStart, recordLength);
                    return Commit(position, line + 1, fields, skipLineFeed: span[stop] == '\r');
                }

                case State.Quoted:
                {
                    var quote = span.IndexOf('"');
                    var chunk = quote < 0 ? span : span[..quote];
                    Append(ref recordLength, chunk);
                    line += chunk.Count('\n') + chunk.Count('\r') - CountCrLf(chunk);
                    if (quote < 0)
                    {
                        position += span.Length;
                    }
                    else
                    {
                        position += quote + 1;
                        state = State.QuoteInQuoted;
                    }

                    break;
                }

                case State.QuoteInQuoted:
                {
                    var c = span[0];
                    position++;
                    if (c == '"')
                    {
                        Append(ref recordLength, "\"");
                        state = State.Quoted;
                    }
                    else if (c == _delimiter)
                    {
                        EndField(ref fields, ref fieldStart, recordLength);
                        state = State.FieldStart;
                    }
                    else if (c is '\r' or '\n')
                    {
                        EndField(ref fields, ref fieldStart, recordLength);
                        return Commit(position, line + 1, fields, skipLineFeed: c == '\r');
                    }
                    else
                    {
                        Append(ref recordLength, span[..1]); // text after a closing quote is kept, as pandas does
                        state = State.Unquoted;
                    }

                    break;
                }
            }
        }
    }

    private CsvReadStatus Commit(int position, long line, int fields, bool skipLineFeed)
    {
        RecordLine = _line;
        _fieldsInRecord = true;
        FieldCount = fields;
        _position = position;
        _line = line;
        _skipLineFeed = skipLineFeed;
        return CsvReadStatus.Record;
    }

    private static int CountCrLf(ReadOnlySpan<char> span)
    {
        var count = 0;
        var index = 0;
        while ((index = span.IndexOf("\r\n")) >= 0)
        {
            count++;
            span = span[(index + 2)..];
        }

        return count;
    }

    private void Append(ref int recordLength, ReadOnlySpan<char> chars)
    {
        PooledChars.EnsureCapacity(ref _record, recordLength, recordLength + chars.Length);
        chars.CopyTo(_record.AsSpan(recordLength));
        recordLength += chars.Length;
    }

    private void EndField(ref int fields, ref int fieldStart, int recordLength)
    {
        EnsureFields(fields + 1);
        _fieldStarts[fields] = fieldStart;
        _fieldEnds[fields] = recordLength;
        fields++;
        fieldStart = recordLength;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnsureFields(int count)
    {
        if (count > _fieldEnds.Length)
        {
            _fieldStarts = Grow(_fieldStarts);
            _fieldEnds = Grow(_fieldEnds);
        }

        static int[] Grow(int[] array)
        {
            var larger = ArrayPool<int>.Shared.Rent(array.Length * 2);
            array.AsSpan().CopyTo(larger);
            ArrayPool<int>.Shared.Return(array);
            return larger;
        }
    }

    /// <summary>
    /// Keeps the unread part of the buffer (a record cut by the buffer's end), reads more text after it, and grows the
    /// buffer when a single record fills it. False when the stream has ended.
    /// </summary>
    public async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_endOfStream)
        {
            return false;
        }

        var unread = _length - _position;
        if (unread >= _buffer.Length / 2)
        {
            var larger = ArrayPool<char>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(_position, unread).CopyTo(larger);
            ArrayPool<char>.Shared.Return(_buffer);
            _buffer = larger;
        }
        else if (unread > 0)
        {
            _buffer.AsSpan(_position, unread).CopyTo(_buffer);
        }

        _position = 0;
        _length = unread;
        while (_length < _buffer.Length)
        {
            var read = await _reader.ReadAsync(_buffer.AsMemory(_length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _endOfStream = true;
                break;
            }

            _length += read;
        }

        return true;
    }

    public void Dispose()
    {
        _reader.Dispose();
        ArrayPool<char>.Shared.Return(_buffer);
        ArrayPool<char>.Shared.Return(_record);
        ArrayPool<int>.Shared.Return(_fieldStarts);
        ArrayPool<int>.Shared.Return(_fieldEnds);
        _buffer = [];
        _record = [];
        _fieldStarts = [];
        _fieldEnds = [];
    }
}
