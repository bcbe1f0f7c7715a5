using System.Text;

namespace Alerts.Core.Feeds.Parsing;

/// <summary>
/// Where <see cref="XmlRepair"/> writes the repaired document. Most feeds need no repair, so their output is the
/// source from the document element to its end tag: while everything written equals the source at the current
/// position, nothing is copied and only that position moves on; the first write that differs copies what was
/// mirrored so far into a builder, and from then on the output is built. The result is the same string either way.
/// </summary>
internal sealed class RepairOutput(string source, int capacity)
{
    private StringBuilder? _built; // null while the output is source[_start.._end]
    private int _start = -1;
    private int _end = -1;

    public int Length => _built?.Length ?? _end - _start;

    /// <summary>While nothing is written yet: the source position the output will start at if it mirrors the source.</summary>
    public void StartAt(int position)
    {
        if (_built is null && _end == _start)
            _start = _end = position;
    }

    /// <summary>Writes the source's own characters <c>[index, index + length)</c>.</summary>
    public RepairOutput Source(int index, int length)
    {
        if (_built is null && index == _end)
        {
            _end += length;
            return this;
        }
        return Append(source.AsSpan(index, length));
    }

    public RepairOutput Append(ReadOnlySpan<char> text)
    {
        if (_built is null)
        {
            if (_start >= 0 && source.AsSpan(_end).StartsWith(text))
            {
                _end += text.Length;
                return this;
            }
            Diverge();
        }
        _built!.Append(text);
        return this;
    }

    public RepairOutput Append(string text) => Append(text.AsSpan());

    public RepairOutput Append(string text, int index, int length) =>
        ReferenceEquals(text, source) ? Source(index, length) : Append(text.AsSpan(index, length));

    public RepairOutput Append(char c)
    {
        if (_built is null)
        {
            if (_start >= 0 && _end < source.Length && source[_end] == c)
            {
                _end++;
                return this;
            }
            Diverge();
        }
        _built!.Append(c);
        return this;
    }

    private void Diverge()
    {
        _built = new StringBuilder(capacity);
        if (_start >= 0)
            _built.Append(source, _start, _end - _start);
    }

    /// <summary>The output: a stretch of the source while it mirrors it, else the built text.</summary>
    public ReadOnlyMemory<char> ToMemory() =>
        _built is not null ? _built.ToString().AsMemory() : _end == _start ? ReadOnlyMemory<char>.Empty : source.AsMemory(_start, _end - _start);

    public override string ToString() => ToMemory().ToString();
}
