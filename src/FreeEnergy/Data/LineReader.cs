namespace FreeEnergy.Data;

/// <summary>Reads text lines as spans over one reusable buffer (no string per line). Handles \n and \r\n.</summary>
internal sealed class LineReader : IDisposable
{
    private readonly TextReader _reader;
    private char[] _buffer = new char[1 << 16];
    private int _start;
    private int _end;
    private bool _eof;

    public LineReader(TextReader reader) => _reader = reader;

    /// <summary>The 1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Returns the next line without its terminator; false at the end of the text.</summary>
    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        int searchFrom = _start;
        while (true)
        {
            int index = _buffer.AsSpan(searchFrom, _end - searchFrom).IndexOf('\n');
            if (index >= 0)
            {
                int stop = searchFrom + index;
                line = TrimCarriageReturn(_buffer.AsSpan(_start, stop - _start));
                _start = stop + 1;
                LineNumber++;
                return true;
            }
            if (_eof)
            {
                if (_start == _end) { line = default; return false; }
                line = TrimCarriageReturn(_buffer.AsSpan(_start, _end - _start));
                _start = _end;
                LineNumber++;
                return true;
            }
            searchFrom = Fill();
        }
    }

    /// <summary>Moves pending text to the front (growing the buffer for long lines) and reads more; returns where to resume searching.</summary>
    private int Fill()
    {
        int pending = _end - _start;
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, pending);
            _start = 0;
            _end = pending;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, checked(_buffer.Length * 2));
        int n = _reader.Read(_buffer, _end, _buffer.Length - _end);
        if (n == 0) _eof = true;
        _end += n;
        return pending;
    }

    private static ReadOnlySpan<char> TrimCarriageReturn(ReadOnlySpan<char> line)
        => line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;

    public void Dispose() => _reader.Dispose();
}
