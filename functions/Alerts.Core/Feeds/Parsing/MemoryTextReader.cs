namespace Alerts.Core.Feeds.Parsing;

/// <summary>
/// A <see cref="StringReader"/> over part of a string: the XML reader reads the repaired document where it lies,
/// which for a document that needed no repair is a stretch of the decoded text itself, not a copy of it.
/// </summary>
internal sealed class MemoryTextReader(ReadOnlyMemory<char> text) : TextReader
{
    private int _position;

    public override int Peek() => _position < text.Length ? text.Span[_position] : -1;

    public override int Read() => _position < text.Length ? text.Span[_position++] : -1;

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        var count = Math.Min(buffer.Length, text.Length - _position);
        text.Span.Slice(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override string ReadToEnd()
    {
        var rest = text.Span[_position..].ToString();
        _position = text.Length;
        return rest;
    }
}
