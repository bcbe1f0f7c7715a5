using System.Buffers;

namespace Alerts.Core.Feeds.Parsing;

/// <summary>
/// Text written piece by piece with its whitespace collapsed on the way in: the result is what
/// <see cref="HtmlText.Collapse"/> gives for all the pieces written one after another (runs of whitespace, incl.
/// no-break spaces and U+200B, become one space; none at either end), without building the uncollapsed text first.
/// Runs of ASCII words and single spaces are found with vectorised searches and copied whole, so ordinary prose costs
/// a copy, not a look at every character.
/// </summary>
internal sealed class CollapsedText(int capacity) : IDisposable
{
    // ASCII characters other than whitespace, and ' ': a run of these needs only its double spaces looked at.
    private static readonly SearchValues<char> AsciiWordOrSpace = SearchValues.Create(
        Enumerable.Range(0, 0x80).Select(c => (char)c).Where(c => c == ' ' || !IsSpace(c)).ToArray());

    private char[] _buffer = ArrayPool<char>.Shared.Rent(Math.Max(capacity, 16));
    private int _length;
    private bool _space; // a space is due before the next character (only ever true once something was written)

    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c == '\u200B';

    public int Length => _length;

    public void Append(char c)
    {
        if (IsSpace(c))
            _space = _length > 0;
        else
            Put(c);
    }

    public void Append(string? text) => Append(text.AsSpan());

    public void Append(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            var other = text.IndexOfAnyExcept(AsciiWordOrSpace);
            AppendAsciiRun(other < 0 ? text : text[..other]);
            if (other < 0)
                return;
            Append(text[other]);
            text = text[(other + 1)..];
        }
    }

    /// <summary>A run of ASCII non-space characters and ' ': copied in pieces between its double spaces.</summary>
    private void AppendAsciiRun(ReadOnlySpan<char> run)
    {
        while (!run.IsEmpty)
        {
            var word = run.IndexOfAnyExcept(' ');
            if (word < 0)
            {
                _space = _length > 0;
                return;
            }
            if (word > 0)
                _space = _length > 0;
            run = run[word..];
            var doubleSpace = run.IndexOf("  ", StringComparison.Ordinal);
            var piece = doubleSpace < 0 ? run : run[..doubleSpace]; // starts and (but for its last char) is single-spaced
            var trailing = piece[^1] == ' ';
            if (trailing)
                piece = piece[..^1];
            Reserve(piece.Length + 1);
            if (_space)
                _buffer[_length++] = ' ';
            piece.CopyTo(_buffer.AsSpan(_length));
            _length += piece.Length;
            _space = trailing;
            if (doubleSpace < 0)
                return;
            run = run[doubleSpace..];
        }
    }

    private void Put(char c)
    {
        Reserve(2);
        if (_space)
            _buffer[_length++] = ' ';
        _space = false;
        _buffer[_length++] = c;
    }

    private void Reserve(int more)
    {
        if (_length + more <= _buffer.Length)
            return;
        var bigger = ArrayPool<char>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + more));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<char>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public override string ToString() => new(_buffer, 0, _length);

    public void Dispose()
    {
        ArrayPool<char>.Shared.Return(_buffer);
        _buffer = [];
        _length = 0;
    }
}
