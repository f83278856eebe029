using System.Buffers;
using System.Text;

namespace Mlops.Testing.Data;

/// <summary>
/// A streaming RFC 4180 reader: quoted fields may hold delimiters, quotes (doubled) and line breaks; records end at LF,
/// CR or CRLF; blank lines are skipped; a byte-order mark is honoured. Memory is bounded by the longest record: the
/// character buffer and the record buffer come from the array pool.
/// </summary>
internal sealed class CsvRecordReader : IDisposable
{
    private const int BufferSize = 1 << 16;

    private readonly StreamReader _reader;
    private readonly char _delimiter;
    private readonly SearchValues<char> _unquotedStops;
    private char[] _buffer = ArrayPool<char>.Shared.Rent(BufferSize);
    private int _position;
    private int _length;
    private bool _endOfStream;
    private bool _skipLineFeed;
    private char[] _record = ArrayPool<char>.Shared.Rent(1024);
    private int _recordLength;
    private int[] _fieldEnds = ArrayPool<int>.Shared.Rent(64);
    private long _line = 1;

    public CsvRecordReader(Stream stream, Encoding? encoding, char delimiter)
    {
        _reader = new StreamReader(stream, encoding ?? Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: BufferSize, leaveOpen: false);
        _delimiter = delimiter;
        _unquotedStops = SearchValues.Create([delimiter, '\r', '\n', '"']);
    }

    private enum State
    {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }

    /// <summary>The number of fields in the current record.</summary>
    public int FieldCount { get; private set; }

    /// <summary>The 1-based line on which the current record starts.</summary>
    public long RecordLine { get; private set; }

    /// <summary>The text of field <paramref name="index"/> of the current record, unquoted.</summary>
    public ReadOnlySpan<char> this[int index]
    {
        get
        {
            var start = index == 0 ? 0 : _fieldEnds[index - 1];
            return _record.AsSpan(start, _fieldEnds[index] - start);
        }
    }

    /// <summary>Reads the next non-blank record; false at the end of the stream.</summary>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        _recordLength = 0;
        FieldCount = 0;
        var state = State.FieldStart;
        var hasContent = false;
        RecordLine = _line;
        while (true)
        {
            if (_position >= _length)
            {
                if (_endOfStream || !await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (state == State.Quoted)
                    {
                        throw new DataTestingException($"A quoted field that starts on line {RecordLine} has no closing quote before the end of the file.");
                    }

                    if (!hasContent)
                    {
                        return false;
                    }

                    EndField();
                    return true;
                }
            }

            var span = _buffer.AsSpan(_position, _length - _position);
            if (_skipLineFeed)
            {
                _skipLineFeed = false;
                if (span[0] == '\n')
                {
                    _position++;
                    continue;
                }
            }

            switch (state)
            {
                case State.FieldStart:
                {
                    var c = span[0];
                    _position++;
                    if (c == '"')
                    {
                        hasContent = true;
                        state = State.Quoted;
                    }
                    else if (c == _delimiter)
                    {
                        hasContent = true;
                        EndField();
                    }
                    else if (c is '\r' or '\n')
                    {
                        _line++;
                        _skipLineFeed = c == '\r';
                        if (!hasContent)
                        {
                            RecordLine = _line;
                            continue; // a blank line
                        }

                        EndField();
                        return true;
                    }
                    else
                    {
                        hasContent = true;
                        Append(c);
                        state = State.Unquoted;
                    }

                    break;
                }

                case State.Unquoted:
                {
                    var stop = span.IndexOfAny(_unquotedStops);
                    if (stop < 0)
                    {
                        Append(span);
                        _position += span.Length;
                        break;
                    }

                    Append(span[..stop]);
                    var c = span[stop];
                    _position += stop + 1;
                    if (c == _delimiter)
                    {
                        EndField();
                        state = State.FieldStart;
                    }
                    else if (c == '"')
                    {
                        Append(c); // a quote inside an unquoted field is kept as text
                    }
                    else
                    {
                        _line++;
                        _skipLineFeed = c == '\r';
                        EndField();
                        return true;
                    }

                    break;
                }

                case State.Quoted:
                {
                    var quote = span.IndexOf('"');
                    var chunk = quote < 0 ? span : span[..quote];
                    Append(chunk);
                    _line += chunk.Count('\n') + chunk.Count('\r') - CountCrLf(chunk);
                    if (quote < 0)
                    {
                        _position += span.Length;
                    }
                    else
                    {
                        _position += quote + 1;
                        state = State.QuoteInQuoted;
                    }

                    break;
                }

                case State.QuoteInQuoted:
                {
                    var c = span[0];
                    _position++;
                    if (c == '"')
                    {
                        Append('"');
                        state = State.Quoted;
                    }
                    else if (c == _delimiter)
                    {
                        EndField();
                        state = State.FieldStart;
                    }
                    else if (c is '\r' or '\n')
                    {
                        _line++;
                        _skipLineFeed = c == '\r';
                        EndField();
                        return true;
                    }
                    else
                    {
                        Append(c); // text after a closing quote is kept, as pandas does
                        state = State.Unquoted;
                    }

                    break;
                }
            }
        }
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

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        _length = await _reader.ReadAsync(_buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false);
        _position = 0;
        _endOfStream = _length == 0;
        return !_endOfStream;
    }

    private void Append(char c)
    {
        if (_recordLength == _record.Length)
        {
            Grow(1);
        }

        _record[_recordLength++] = c;
    }

    private void Append(ReadOnlySpan<char> chars)
    {
        if (_recordLength + chars.Length > _record.Length)
        {
            Grow(chars.Length);
        }

        chars.CopyTo(_record.AsSpan(_recordLength));
        _recordLength += chars.Length;
    }

    private void Grow(int needed)
    {
        var larger = ArrayPool<char>.Shared.Rent(Math.Max(_record.Length * 2, _recordLength + needed));
        _record.AsSpan(0, _recordLength).CopyTo(larger);
        ArrayPool<char>.Shared.Return(_record);
        _record = larger;
    }

    private void EndField()
    {
        if (FieldCount == _fieldEnds.Length)
        {
            var larger = ArrayPool<int>.Shared.Rent(_fieldEnds.Length * 2);
            _fieldEnds.AsSpan().CopyTo(larger);
            ArrayPool<int>.Shared.Return(_fieldEnds);
            _fieldEnds = larger;
        }

        _fieldEnds[FieldCount++] = _recordLength;
    }

    public void Dispose()
    {
        _reader.Dispose();
        ArrayPool<char>.Shared.Return(_buffer);
        ArrayPool<char>.Shared.Return(_record);
        ArrayPool<int>.Shared.Return(_fieldEnds);
        _buffer = [];
        _record = [];
        _fieldEnds = [];
    }
}
